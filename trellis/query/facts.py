"""What queries need from a note's body, read off the tokens the build's parse already made.

The build parses every note once with Trellis' markdown-it instance (wikilinks, tags,
inline fields, tasks...); `page_facts(tokens, env)` walks those tokens, so extracting costs
no second parse and sees exactly what the page shows (nothing inside code, comments or
math). It yields `PageFacts`: the page-level inline fields and every list item with its
status, parent, section, block id, tags, links and fields, as Dataview indexes them.
`query_blocks(tokens, env)` lists the ```dataview / ```dataviewjs / ```base blocks and
the inline `= expression` code spans of a note, with their file lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trellis.markdown.plugins.queries import is_inline_query
from trellis.query.view import ItemFacts, PageFacts

_TASK_MARKER = re.compile(r"\[([^\n\r\\])\][ \t]?")
_BLOCK_ID = re.compile(r"\s\^([A-Za-z0-9-]+)\s*$")
QUERY_LANGUAGES = ("dataview", "dataviewjs", "base")


@dataclass(frozen=True)
class QueryBlock:
    language: str  # "dataview", "dataviewjs", "base", or "inline" for `= expr`
    source: str
    line: int  # 1-based line of the file where the block's text starts


def _file_line(env: dict[str, Any], body_line: int) -> int:
    """0-based file line (Dataview's `line`) of a 0-based body line."""
    return int(env.get("line_offset", 0)) + body_line


def _children_facts(children: list[Any]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    tags, links, fields = [], [], []
    for child in children or []:
        if child.type == "tag_open":
            tags.append(child.meta["tag"])
        elif child.type in ("wikilink_open", "wikiembed") or (
            child.type == "link_open" and child.meta.get("target")
        ):
            links.append(child.meta["target"])
        elif child.type == "inline_field_open":
            fields.append((child.meta["key"], child.meta["value"]))
    return list(dict.fromkeys(tags)), links, fields


def page_facts(tokens: list[Any], env: dict[str, Any]) -> PageFacts:
    page_fields: list[tuple[str, str]] = []
    items: list[ItemFacts] = []
    stack: list[dict[str, Any]] = []  # open list items
    lists: list[int] = []  # first line of each open list
    section: str | None = None
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(_file_line(env, token.map[0]) if token.map else -1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            if lists:
                lists.pop()
        elif kind == "list_item_open":
            line = _file_line(env, token.map[0]) if token.map else -1
            symbol = token.markup if token.markup in "-*+" else f"{token.info}{token.markup}"
            stack.append(
                {
                    "line": line,
                    "parent": stack[-1]["line"] if stack else None,
                    "list": lists[-1] if lists else -1,
                    "status": token.meta.get("task"),
                    "symbol": symbol,
                    "section": section,
                    "first": True,
                    "item": len(items),
                }
            )
            items.append(ItemFacts(line, ""))  # filled in when its text is read
        elif kind == "list_item_close":
            if stack:
                stack.pop()
        elif kind == "heading_open" and index + 1 < len(tokens):
            section = tokens[index + 1].content.strip()
        elif kind == "inline":
            tags, links, fields = _children_facts(token.children)
            owner = stack[-1] if stack else None
            if owner is not None and owner["first"] and tokens[index - 1].type == "paragraph_open":
                owner["first"] = False
                items[owner["item"]] = _item(owner, token, env, tags, links, fields)
            else:
                page_fields.extend(fields)
    return PageFacts(tuple(page_fields), tuple(item for item in items if item.line >= 0))


def _item(
    owner: dict[str, Any],
    inline: Any,
    env: dict[str, Any],
    tags: list[str],
    links: list[str],
    fields: list[tuple[str, str]],
) -> ItemFacts:
    text = inline.content
    if owner["status"] is not None:
        text = _TASK_MARKER.sub("", text, count=1)
    block = _BLOCK_ID.search(text)
    start, end = inline.map if inline.map else (0, 1)
    return ItemFacts(
        line=owner["line"],
        text=text,
        status=owner["status"],
        parent=owner["parent"],
        line_count=max(1, end - start),
        list_line=owner["list"],
        section=owner["section"],
        block_id=block.group(1) if block else None,
        symbol=owner["symbol"],
        tags=tuple(tags),
        links=tuple(links),
        fields=tuple(fields),
    )


def query_blocks(tokens: list[Any], env: dict[str, Any]) -> list[QueryBlock]:
    """The query blocks and inline `= expr` spans of a note, in document order."""
    found: list[QueryBlock] = []
    for token in tokens:
        if token.type == "fence" and token.map:
            language = token.info.strip().split(maxsplit=1)[0].lower() if token.info else ""
            if language in QUERY_LANGUAGES:
                found.append(QueryBlock(language, token.content, _file_line(env, token.map[0]) + 2))
        elif token.type == "inline" and token.children:
            line = _file_line(env, token.map[0]) + 1 if token.map else 1
            for child in token.children:
                if child.type == "code_inline" and is_inline_query(child.content):
                    found.append(QueryBlock("inline", child.content[1:].strip(), line))
    return found
