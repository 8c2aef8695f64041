"""Task list items: `- [ ]`, `- [x]` and the custom statuses themes draw (`[>]`, `[N]`, `[-]`...).

mdit-py-plugins' tasklists only knows `[ ]` and `[x]`, and real gardens are full of other
statuses (one had 5,827 `- [N]`-style lines), so this is our own small core rule. Like
Obsidian, any single character between the brackets makes a task when a space (or the end
of the line) follows, in bullet and ordered lists alike:
`<li class="task-list-item is-checked" data-task="N">` holding a disabled
`<input type="checkbox" class="task-list-item-checkbox" checked>` and the text without the
marker. `data-task` is the status character ("" for a space); everything but a space counts
as checked (`is-checked`), as in Obsidian. The list gets `contains-task-list`.
The marker is read from the raw source, so an escaped `\\[-\\]` is not a task.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from trellis.markdown.canonical import escape_attr

_MARKER = re.compile(r"\[([^\n\r\\])\](?=[ \t]|$)")


def _parent_list(tokens: list[Token], item_index: int) -> Token | None:
    level = tokens[item_index].level - 1
    for index in range(item_index - 1, -1, -1):
        token = tokens[index]
        if token.level == level and token.type in ("bullet_list_open", "ordered_list_open"):
            return token
    return None


def _add_class(token: Token, name: str) -> None:
    classes = str(token.attrGet("class") or "").split()
    if name not in classes:
        token.attrSet("class", " ".join([*classes, name]))


_LABEL_TYPES = {"text", "text_special", "code_inline"}


def _strip_marker(children: list[Token], length: int) -> bool:
    """Remove the first `length` characters (then spaces) from leading plain-text children."""
    while length and children:
        first = children[0]
        if first.type not in ("text", "text_special"):
            return False
        taken = min(length, len(first.content))
        first.content = first.content[taken:]
        length -= taken
        if not first.content:
            children.pop(0)
    if children and children[0].type == "text":
        children[0].content = children[0].content.lstrip(" \t")
        if not children[0].content:
            children.pop(0)
    return length == 0


def _tasks(state: StateCore) -> None:
    tokens = state.tokens
    for index in range(2, len(tokens)):
        inline = tokens[index]
        if (
            inline.type != "inline"
            or tokens[index - 1].type != "paragraph_open"
            or tokens[index - 2].type != "list_item_open"
            or not inline.children
        ):
            continue
        match = _MARKER.match(inline.content)
        if match is None or not _strip_marker(inline.children, match.end()):
            continue
        status = match.group(1)
        checked = status != " "
        item = tokens[index - 2]
        _add_class(item, "task-list-item")
        if checked:
            _add_class(item, "is-checked")
        item.attrSet("data-task", status.strip())
        item.meta["task"] = status
        checkbox = Token("task_checkbox", "input", 0)
        label = "".join(c.content for c in inline.children if c.type in _LABEL_TYPES)
        checkbox.meta = {"checked": checked, "label": " ".join(label.split())}
        inline.children.insert(0, checkbox)
        parent = _parent_list(tokens, index - 2)
        if parent is not None:
            _add_class(parent, "contains-task-list")


def _render_checkbox(self: Any, tokens: list[Token], idx: int, options: Any, env: dict) -> str:
    """The checkbox, named by the task's text (WCAG 4.1.2: a control needs a name)."""
    checked = ' checked=""' if tokens[idx].meta.get("checked") else ""
    label = escape_attr(tokens[idx].meta.get("label") or tokens[idx].meta.get("status", "task"))
    return (
        f'<input type="checkbox" class="task-list-item-checkbox" disabled=""{checked}'
        f' aria-label="{label}">'
    )


def tasks_plugin(md: MarkdownIt, **options: Any) -> None:
    # Before `text_join`, so escapes are still their own tokens; after `inline`, so children exist.
    md.core.ruler.after("inline", "tasks", _tasks)
    md.add_render_rule("task_checkbox", _render_checkbox)
