"""The folder tree of published notes, for the explorer, breadcrumbs and folder pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Folder(Generic[T]):
    name: str  # as written in the vault ("🎙 Podcasts")
    path: str  # vault-relative, "" for the root
    folders: dict[str, Folder[T]] = field(default_factory=dict)
    items: list[T] = field(default_factory=list)

    def walk(self) -> list[Folder[T]]:
        """This folder and every folder below it, parents first."""
        found = [self]
        for child in self.folders.values():
            found.extend(child.walk())
        return found

    def count(self) -> int:
        return len(self.items) + sum(child.count() for child in self.folders.values())


def build_tree(entries: list[tuple[str, T]]) -> Folder[T]:
    """A tree from (folder path, item) pairs; folders and items keep the order given."""
    root: Folder[T] = Folder("", "")
    for folder_path, item in entries:
        node = root
        if folder_path:
            for part in folder_path.split("/"):
                child = node.folders.get(part)
                if child is None:
                    path = f"{node.path}/{part}" if node.path else part
                    child = node.folders[part] = Folder(part, path)
                node = child
        node.items.append(item)
    _sort(root)
    return root


def _sort(folder: Folder[T]) -> None:
    folder.folders = dict(sorted(folder.folders.items(), key=lambda kv: kv[0].lower()))
    for child in folder.folders.values():
        _sort(child)
