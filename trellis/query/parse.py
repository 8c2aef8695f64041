"""Parse a whole ```dataview block: query type, FROM sources, then the data commands.

Follows Dataview's `query/parse.ts`: `TABLE [WITHOUT ID] a [AS b], ...`, `LIST [WITHOUT ID]
[expr]`, `TASK`; at most one `FROM` right after it; then `WHERE`, `SORT`, `GROUP BY`,
`FLATTEN`, `LIMIT` in any order and number; `//` comment lines anywhere between them.
`CALENDAR` parses but is reported as unsupported (it needs an interactive calendar).
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo

from trellis.query import ast
from trellis.query.dql import (
    IDENTIFIER,
    LINK,
    TAG,
    DQLSyntaxError,
    Parser,
    _Fail,
    parse_with,
    split_link,
    syntax_error,
)

_TYPE = re.compile(r"(TABLE|LIST|TASK|CALENDAR)\b", re.IGNORECASE)
_WITHOUT_ID = re.compile(r"WITHOUT\s+ID\b", re.IGNORECASE)
_DIRECTION = re.compile(r"(ASCENDING|DESCENDING|ASC|DESC)\b", re.IGNORECASE)


class QueryParser(Parser):
    def gap(self) -> None:
        """Whitespace and `//` comment lines."""
        while True:
            self.ws()
            if self.s.startswith("//", self.i):
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
                continue
            return

    def at_end(self) -> bool:
        return self.i >= len(self.s)

    # -- sources -------------------------------------------------------------------------

    def source(self) -> ast.Source:
        node = self.source_atom()
        op_pattern = re.compile(r"and\b|or\b|&|\|", re.IGNORECASE)
        while True:
            start = self.i
            self.ws()
            match = op_pattern.match(self.s, self.i)
            if match is None:
                self.fail("'and' or 'or'")
                self.i = start
                return node
            self.i = match.end()
            self.ws()
            right = self.attempt(self.source_atom)
            if right is None:
                self.i = start
                return node
            op = {"and": "&", "or": "|"}.get(match.group().lower(), match.group())
            node = ast.BinarySource(op, node, right)

    def source_atom(self) -> ast.Source:
        for rule in (
            self.parens_source,
            self.negated_source,
            self.outgoing_source,
            self.incoming_source,
            self.folder_source,
            self.tag_source,
        ):
            found = self.attempt(rule)
            if found is not None:
                return found
        raise self.fail('source (#tag, "folder", [[link]] or outgoing([[link]]))')

    def parens_source(self) -> ast.Source:
        self.literal("(")
        self.ws()
        inner = self.source()
        self.ws()
        self.literal(")")
        return inner

    def negated_source(self) -> ast.Source:
        if self.s[self.i : self.i + 1] not in ("-", "!"):
            raise self.fail("'-'")
        self.i += 1
        return ast.NegatedSource(self.source_atom())

    def outgoing_source(self) -> ast.Source:
        self.literal("outgoing(")
        self.ws()
        target = split_link(self.regex(LINK, "link").group(1))[0]
        self.ws()
        self.literal(")")
        return ast.LinkSource(target, incoming=False)

    def incoming_source(self) -> ast.Source:
        return ast.LinkSource(split_link(self.regex(LINK, "link").group(1))[0], incoming=True)

    def folder_source(self) -> ast.Source:
        return ast.FolderSource(self.string())

    def tag_source(self) -> ast.Source:
        return ast.TagSource(self.regex(TAG, "tag").group())

    # -- the query -----------------------------------------------------------------------

    def named_field(self) -> ast.NamedField:
        start = self.i
        expr = self.expr()
        raw = self.s[start : self.i]
        after = self.i
        explicit = self.attempt(self._as_name)
        if explicit is not None:
            return ast.NamedField(explicit, expr)
        self.i = after
        return ast.NamedField("".join(part.strip() for part in raw.splitlines()), expr)

    def _as_name(self) -> str:
        self.ws1()
        self.literal("AS", fold=True, word=True)
        self.ws1()
        name = self.attempt(lambda: self.regex(IDENTIFIER, "name").group())
        return name if name is not None else self.string()

    def header(self) -> tuple[str, tuple[ast.NamedField, ...], bool]:
        kind = self.regex(_TYPE, "TABLE, LIST or TASK").group(1).lower()
        if kind == "calendar":
            raise DQLSyntaxError("CALENDAR views are not supported on a static page", 1)
        if kind == "task":
            return kind, (), True
        start = self.i
        self.gap()
        if self.at_end() or self.i == start:
            self.i = start
            return kind, (), True
        without = self.attempt(lambda: self.regex(_WITHOUT_ID, "WITHOUT ID")) is not None
        self.ws()
        if kind == "table":
            fields = self.separated(self.named_field)
            return kind, tuple(fields), not without
        before = self.i
        single = self.attempt(self.expr)
        if isinstance(single, ast.Variable) and single.name.upper() == "SORT":
            # `LIST\nSORT x`: the word starts a command, not the expression to list.
            single, self.i = None, before
        fields = (ast.NamedField("target", single),) if single is not None else ()
        return kind, fields, not without

    def from_clause(self) -> ast.Source:
        self.literal("FROM", fold=True, word=True)
        self.ws1()
        return self.source()

    def clause(self) -> ast.Operation:
        line = self.line_of(self.i)
        word = self.regex(re.compile(r"(WHERE|SORT|LIMIT|GROUP\s+BY|FLATTEN)\b", re.I), "command")
        keyword = word.group(1).split()[0].upper()
        self.ws1()
        if keyword == "WHERE":
            return ast.Where(self.expr(), line)
        if keyword == "LIMIT":
            return ast.Limit(self.expr(), line)
        if keyword == "GROUP":
            return ast.Group(self.named_field(), line)
        if keyword == "FLATTEN":
            return ast.Flatten(self.named_field(), line)
        return ast.Sort(tuple(self.separated(self._sort_key, at_least_one=True)), line)

    def _sort_key(self) -> tuple[ast.Expr, bool]:
        expr = self.expr()
        after = self.i
        self.ws()
        direction = self.attempt(lambda: self.regex(_DIRECTION, "ASC or DESC").group(1))
        if direction is None:
            self.i = after
            return expr, True
        return expr, not direction.upper().startswith("DESC")

    def query(self) -> ast.Query:
        self.gap()
        kind, fields, show_id = self.header()
        self.gap()
        source: ast.Source = ast.AllPages()
        found = self.attempt(self.from_clause)
        if found is not None:
            source = found
            self.gap()
        operations = []
        while not self.at_end():
            operations.append(self.clause())
            self.gap()
        return ast.Query(kind, fields, show_id, source, tuple(operations))


def parse_query(text: str, zone: tzinfo = UTC) -> ast.Query:
    """A ```dataview block's text as a query, or `DQLSyntaxError` (message and line)."""
    parser = QueryParser(text, zone)
    return parse_with(parser, parser.query)  # type: ignore[no-any-return]


__all__ = ["DQLSyntaxError", "_Fail", "parse_query", "syntax_error"]
