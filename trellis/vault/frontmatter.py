"""Split a note into frontmatter and body, tolerating everything real vaults contain.

The block is parsed with PyYAML's safe loader (JSON frontmatter, as the Digital Garden
plugin writes it, is valid YAML), narrowed to what Obsidian itself reads, which is YAML 1.2:

- only `true`/`false` are booleans. YAML 1.1's `yes`, `no`, `on`, `off` stay strings, so
  `dg-publish: yes` does not publish a note (Obsidian shows it as text too); numbers are
  YAML 1.2's too, so `duration: 1:02:03` or `title: 10:30` stay text instead of becoming
  3723 and 630 (YAML 1.1 reads them in base 60);
- a key given twice makes the block invalid: which value the owner meant is unknown, and
  guessing wrong could publish a private note;
- aliases that expand into a huge structure ("billion laughs") or values nested more than
  64 deep make the block invalid, so no later stage can be made to walk or recurse into it.

The split is done here, not by python-frontmatter, because we need what it does not give:
the line where the body starts, the line of each key and of a YAML error, and a warning
for an unclosed fence instead of silently treating the block as text.

The common shapes of a block are read without YAML (`trellis.vault.plain_frontmatter`);
`FrontmatterMemo` keeps what each other block parsed to, by the block's text, for the next
build of the same process (`serve`). Never from the build cache: a record there, forged,
would say which notes are published.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import yaml

from trellis.vault.plain_frontmatter import read_plain

_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
# The same fence in a note's bytes (`trellis.vault.scan` splits UTF-8 notes undecoded).
FENCE_BYTES = re.compile(_FENCE.pattern.encode(), re.MULTILINE)
# Values (counting each alias expansion again) a frontmatter block may hold.
MAX_NODES = 100_000
# Levels of nesting a frontmatter value may have (real ones use two or three).
MAX_DEPTH = 64
_BRACKETS = re.compile(r"[\[\]{}]")
_LEAD = re.compile(r"^[ \t?:-]*", re.MULTILINE)
_MERGE = "tag:yaml.org,2002:merge"
# YAML 1.2 core schema scalars. YAML 1.1 (PyYAML's default) also reads `yes`/`on` as true,
# `1:20` as the number 80 (base 60) and `1_000` as 1000; Obsidian reads them as text. A
# number with a leading zero (`08540`) stays text too: PyYAML would read it in octal.
_YAML_1_1_ONLY = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


# libyaml parses about twenty times faster than the pure-Python parser (a frontmatter block
# of a megabyte: a quarter of a second instead of five); both build the same values.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """The safe loader with YAML 1.2 booleans and duplicate keys reported."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_1_1_ONLY]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:  # `<<: *base` may repeat keys on purpose
                continue
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


for _first in "tTfF":
    _Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list(_first))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789"))


@dataclass
class Frontmatter:
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    ok: bool = True
    # (line, message) pairs, lines 1-based in the file.
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    # The 1-based file line of each top-level key, so warnings about a value can point at it.
    key_lines: dict[str, int] = field(default_factory=dict)


# What a kept block parsed to: its values, the line of each key, ok, and the problems.
KeptBlock = tuple[dict[str, Any], dict[str, int], bool, list[tuple[int | None, str]]]
# The types of a kept block's values: YAML's plain ones (a timestamp with its zone, a set or
# bytes are parsed again each build, so the cache file holds nothing else).
_PLAIN = (str, int, float, bool, type(None), date)


class FrontmatterMemo:
    """The blocks the last build parsed (`kept`, by a digest of the text up to the body) and
    those this build used (`used`), with the note each was read from: a block of the same
    text parses to the same values, lines and problems."""

    def __init__(self, kept: dict[str, KeptBlock] | None = None) -> None:
        self.kept = kept or {}
        self.used: dict[str, KeptBlock] = {}
        self.of_note: dict[str, str] = {}  # note path -> its block's key

    def published(self, notes: Iterable[str]) -> dict[str, KeptBlock]:
        """The blocks of the published `notes`: what the cache keeps (it keeps nothing of
        a private note)."""
        keys = (self.of_note.get(note) for note in notes)
        return {key: self.used[key] for key in keys if key is not None and key in self.used}


def plain_block(block: Any) -> bool:
    """Is `block` a `KeptBlock` of plain values (a cache file's record is checked so)?"""
    if not (isinstance(block, tuple) and len(block) == 4):
        return False
    meta, key_lines, ok, problems = block
    return (
        isinstance(meta, dict)
        and all(isinstance(key, str) for key in meta)
        and _plain(meta)
        and isinstance(key_lines, dict)
        and all(isinstance(k, str) and type(v) is int for k, v in key_lines.items())
        and type(ok) is bool
        and isinstance(problems, list)
        and all(
            isinstance(p, tuple)
            and len(p) == 2
            and (p[0] is None or type(p[0]) is int)
            and isinstance(p[1], str)
            for p in problems
        )
    )


def _plain(value: Any) -> bool:
    """Only dicts with string keys, lists and `_PLAIN` values (no datetime: a subclass)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(key) is str for key in item):
                return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind not in _PLAIN:
            return False
    return True


def _copied(value: Any) -> Any:
    """A copy of a plain value's containers (a note may change its own meta)."""
    if type(value) is dict:
        return {key: _copied(item) for key, item in value.items()}
    if type(value) is list:
        return [_copied(item) for item in value]
    return value


def split_frontmatter(
    text: str, memo: FrontmatterMemo | None = None, note: str = ""
) -> Frontmatter:
    """Parse `text` (LF line endings, no BOM). A broken block yields `ok=False`.

    With `memo`, a block parsed by the last build is taken from it, and this one (of the
    note at `note`) is kept."""
    opening = _FENCE.match(text)
    if not opening:
        return Frontmatter(body=text)
    closing = _FENCE.search(text, opening.end())
    if closing is None:
        return Frontmatter(
            body=text, ok=False, problems=[(1, "frontmatter fence '---' is never closed")]
        )
    block = text[opening.end() : closing.start()]
    body_start = (
        closing.end() + 1 if text[closing.end() : closing.end() + 1] == "\n" else closing.end()
    )
    body_line = text.count("\n", 0, body_start) + 1
    result = Frontmatter(body=text[body_start:], body_line=body_line)
    # (Fewer brackets than `MAX_DEPTH`: what `read_plain` reads nests no deeper.)
    if block.count("[") + block.count("{") <= MAX_DEPTH and len(block) <= MAX_NODES:
        plain = read_plain(block, 1 + text.count("\n", 0, opening.end()))
        if plain is not None:  # a common shape, read without YAML (never from a memo)
            result.meta, result.key_lines = plain
            return result
    if memo is None:
        return _parse_block(text, opening.end(), block, result)
    key = hashlib.blake2b(text[:body_start].encode(), digest_size=16).hexdigest()
    memo.of_note[note] = key
    kept = memo.kept.get(key)
    if kept is not None:
        meta, key_lines, result.ok, problems = kept
        result.meta, result.key_lines = _copied(meta), dict(key_lines)
        result.problems = list(problems)
        memo.used[key] = kept
        return result
    _parse_block(text, opening.end(), block, result)
    if _plain(result.meta):
        memo.used[key] = (
            _copied(result.meta),
            dict(result.key_lines),
            result.ok,
            list(result.problems),
        )
    return result


def _parse_block(text: str, fence_end: int, block: str, result: Frontmatter) -> Frontmatter:
    """Fill `result` with what `block` (the text between the fences) holds."""
    # The block starts right after the opening fence's line break: file line 1 + its line.
    first_line = 1 + text.count("\n", 0, fence_end)
    if _nesting_bound(block) > MAX_DEPTH:
        # Checked before parsing: libyaml recurses in C and crashes the process on very deep
        # input (about 100,000 levels) instead of raising.
        result.ok = False
        result.problems.append((2, f"invalid frontmatter: nested more than {MAX_DEPTH} deep"))
        return result
    try:
        meta, key_lines = _load_with_pipes(block)
    except yaml.YAMLError as error:
        line = (
            first_line + _error_line(error, block) if isinstance(error, yaml.MarkedYAMLError) else 2
        )
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        result.ok = False
        result.problems.append((line, f"invalid frontmatter: {problem}"))
        return result
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        result.ok = False
        message = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        result.problems.append((2, f"invalid frontmatter: {message}"))
        return result
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        result.ok = False
        result.problems.append((2, "frontmatter is not a mapping of keys to values"))
        return result
    # Without aliases a block holds fewer values than characters, nested no deeper than bound.
    problem = _size_problem(meta) if "*" in block or len(block) > MAX_NODES else None
    if problem:
        result.ok = False
        result.problems.append((2, f"invalid frontmatter: {problem}"))
        return result
    result.meta = {str(key): value for key, value in meta.items()}
    result.key_lines = {str(key): first_line + line for key, line in key_lines.items()}
    return result


def _load_with_pipes(block: str) -> tuple[Any, dict[Any, int]]:
    """`_load`, but a block that fails on `\\|` (the Digital Garden export's escaped pipe in a
    wikilink, `"[[Other\\|Other]]"`: no escape in a JSON or YAML double-quoted string) is
    read with a plain `|` there, as the plugin's own template reads it."""
    try:
        return _load(block)
    except yaml.YAMLError:
        if "\\|" not in block:
            raise
        return _load(block.replace("\\|", "|"))


def _load(block: str) -> tuple[Any, dict[Any, int]]:
    """The YAML value of `block` and the 0-based line of each top-level key in it."""
    if not block.strip():
        return {}, {}
    loader = _Loader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        value = loader.construct_document(node)
        lines: dict[Any, int] = {}
        if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
                with contextlib.suppress(TypeError):  # an unhashable key was refused above
                    lines.setdefault(key, key_node.start_mark.line)
        return value, lines
    finally:
        loader.dispose()


def _error_line(error: yaml.MarkedYAMLError, block: str) -> int:
    """The 0-based block line to blame: where the problem is, or where an unclosed thing began."""
    problem, context = error.problem_mark, error.context_mark
    if problem is None:
        return context.line if context is not None else 1
    at_end = not block[problem.index :].strip()
    return context.line if at_end and context is not None else problem.line


def _nesting_bound(block: str) -> int:
    """An upper bound of how deep `block` nests: open flow brackets, or a line's leading run
    of indentation and `-`/`?`/`:` indicators (block nesting cannot exceed either)."""
    depth = peak = 0
    for bracket in _BRACKETS.findall(block):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        peak = max(peak, depth)
    lead = max((len(m) for m in _LEAD.findall(block)), default=0)
    return max(peak, lead // 2)


def _size_problem(value: Any) -> str | None:
    """Why `value` is too big to hand on (aliases count each time they are used), or None."""
    budget = MAX_NODES
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0:
            return f"more than {MAX_NODES} values once aliases are expanded"
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} deep"
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend((child, depth + 1) for child in item)
    return None
