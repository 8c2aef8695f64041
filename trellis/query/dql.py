"""Parse Dataview Query Language text into `trellis.query.ast` nodes.

Hand-written as a backtracking recursive-descent parser because Dataview's own grammar is a
Parsimmon (PEG) grammar whose meaning depends on trying alternatives in order: `date(2021-04)`
is a date literal but `date(field)` a call, `dur(3 days)` a literal but `dur(x)` a call,
`simple-field` is one identifier while `a - b` is a subtraction, `(x) => x` is a lambda but
`(x)` a parenthesis. A token-based LALR grammar (lark) would need a lexer that already knows
the context. This parser follows Parsimmon's order alternative by alternative, and reports
the furthest point it could not pass, with its line, as Parsimmon does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import tzinfo
from typing import Any, TypeVar

from trellis.query import ast
from trellis.query.dates import DATE_SHORTHANDS, parse_date_prefix, parse_duration_prefix

T = TypeVar("T")

KEYWORDS = {"FROM", "WHERE", "LIMIT", "GROUP", "FLATTEN"}
_EMOJI = "\u2600-\u27bf\u2b00-\u2bff\u200d\ufe0f\U0001f000-\U0001faff"
IDENTIFIER = re.compile(rf"(?:[^\W\d_]|[{_EMOJI}])(?:[\w\-]|[{_EMOJI}])*")
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
TAG = re.compile(r"#[^\u2000-\u206F\u2E00-\u2E7F'!\"#$%&()*+,.:;<=>?@^`{|}~\[\]\\\s]*")
LINK = re.compile(r"\[\[([^\[\]]*?)\]\]")
_WS = re.compile(r"\s*")
_WS1 = re.compile(r"\s+")


class DQLSyntaxError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Fail(Exception):
    pass


def split_link(inner: str) -> tuple[str, str | None]:
    """`Target|display` split on the first unescaped pipe (`\\|` stays in the target)."""
    index = 0
    while (index := inner.find("|", index)) >= 0:
        if index > 0 and inner[index - 1] == "\\":
            index += 1
            continue
        return inner[:index].replace("\\|", "|"), inner[index + 1 :]
    return inner.replace("\\|", "|"), None


class Parser:
    def __init__(self, text: str, zone: tzinfo) -> None:
        self.s = text
        self.i = 0
        self.zone = zone
        self.furthest = 0
        self.expected: set[str] = set()

    # -- primitives ----------------------------------------------------------------------

    def fail(self, what: str) -> _Fail:
        if self.i > self.furthest:
            self.furthest, self.expected = self.i, {what}
        elif self.i == self.furthest:
            self.expected.add(what)
        return _Fail()

    def attempt(self, rule: Callable[[], T]) -> T | None:
        start = self.i
        try:
            return rule()
        except _Fail:
            self.i = start
            return None

    def regex(self, pattern: re.Pattern[str], what: str) -> re.Match[str]:
        match = pattern.match(self.s, self.i)
        if match is None:
            raise self.fail(what)
        self.i = match.end()
        return match

    def literal(self, text: str, fold: bool = False, word: bool = False) -> str:
        piece = self.s[self.i : self.i + len(text)]
        if (piece.upper() == text.upper()) if fold else (piece == text):
            end = self.i + len(text)
            if not word or end >= len(self.s) or not (self.s[end].isalnum() or self.s[end] in "_-"):
                self.i = end
                return piece
        raise self.fail(repr(text))

    def ws(self) -> None:
        self.i = _WS.match(self.s, self.i).end()  # type: ignore[union-attr]

    def ws1(self) -> None:
        self.regex(_WS1, "whitespace")

    def line_of(self, index: int) -> int:
        return self.s.count("\n", 0, index) + 1

    # -- expressions ---------------------------------------------------------------------

    def expr(self) -> ast.Expr:
        return self.binary(self.compare, (r"and\b", r"or\b", r"&", r"\|"), boolean=True)

    def binary(
        self, child: Callable[[], ast.Expr], ops: tuple[str, ...], boolean: bool = False
    ) -> ast.Expr:
        node = child()
        pattern = re.compile("|".join(ops), re.IGNORECASE)
        while True:
            start = self.i
            self.ws()
            match = pattern.match(self.s, self.i)
            if match is None:
                self.fail("operator")
                self.i = start
                return node
            self.i = match.end()
            self.ws()
            try:
                right = child()
            except _Fail:
                self.i = start
                return node
            op = match.group().lower()
            op = {"and": "&", "or": "|"}.get(op, op)
            node = ast.Binary(op, node, right)

    def compare(self) -> ast.Expr:
        return self.binary(self.plus_minus, (r">=", r"<=", r"!=", r">", r"<", r"="))

    def plus_minus(self) -> ast.Expr:
        return self.binary(self.mul_div, (r"\+", r"-"))

    def mul_div(self) -> ast.Expr:
        return self.binary(self.postfix, (r"\*", r"/", r"%"))

    def postfix(self) -> ast.Expr:
        node = self.atom()
        while True:
            char = self.s[self.i : self.i + 1]
            if char == ".":
                start = self.i
                self.i += 1
                name = self.attempt(lambda: self.regex(IDENTIFIER, "identifier").group())
                if name is None:
                    self.i = start
                    return node
                node = ast.Index(node, ast.Literal(name))
            elif char == "[":
                found = self.attempt(self._bracket_index)
                if found is None:
                    return node
                node = ast.Index(node, found)
            elif char == "(":
                args = self.attempt(self._call_args)
                if args is None:
                    return node
                node = ast.Call(node, args)
            else:
                return node

    def _bracket_index(self) -> ast.Expr:
        self.literal("[")
        self.ws()
        inner = self.expr()
        self.ws()
        self.literal("]")
        return inner

    def _call_args(self) -> tuple[ast.Expr, ...]:
        self.literal("(")
        self.ws()
        args = self.separated(self.expr)
        self.ws()
        self.literal(")")
        return tuple(args)

    def separated(self, item: Callable[[], T], at_least_one: bool = False) -> list[T]:
        first = self.attempt(item) if not at_least_one else item()
        if first is None:
            return []
        items = [first]
        while True:
            start = self.i
            self.ws()
            if self.s.startswith(",", self.i):
                self.i += 1
                self.ws()
                nxt = self.attempt(item)
                if nxt is not None:
                    items.append(nxt)
                    continue
            self.i = start
            return items

    def atom(self) -> ast.Expr:
        for rule in (
            self.embed_link,
            self.negated,
            self.link,
            self.list_expr,
            self.object_expr,
            self.lambda_expr,
            self.parens,
            self.boolean,
            self.number,
            self.string_expr,
            self.date_literal,
            self.duration_literal,
            self.null,
            self.variable,
        ):
            found = self.attempt(rule)
            if found is not None:
                return found
        raise self.fail("expression")

    def embed_link(self) -> ast.Expr:
        self.literal("!")
        link = self.link()
        assert isinstance(link, ast.LinkLiteral)
        return ast.LinkLiteral(link.target, link.display, True)

    def link(self) -> ast.Expr:
        inner = self.regex(LINK, "link").group(1)
        target, display = split_link(inner)
        return ast.LinkLiteral(target, display)

    def negated(self) -> ast.Expr:
        self.literal("!")
        return ast.Negate(self.postfix())

    def list_expr(self) -> ast.Expr:
        self.literal("[")
        self.ws()
        items = self.separated(self.expr)
        self.ws()
        self.literal("]")
        return ast.ListExpr(tuple(items))

    def _pair(self) -> tuple[str, ast.Expr]:
        name = self.attempt(lambda: self.regex(IDENTIFIER, "identifier").group())
        if name is None:
            name = self.string()
        self.ws()
        self.literal(":")
        self.ws()
        return name, self.expr()

    def object_expr(self) -> ast.Expr:
        self.literal("{")
        self.ws()
        pairs = self.separated(self._pair)
        self.ws()
        self.literal("}")
        return ast.ObjectExpr(tuple(pairs))

    def lambda_expr(self) -> ast.Expr:
        self.ws()
        self.literal("(")
        self.ws()
        params = self.separated(lambda: self.regex(IDENTIFIER, "identifier").group())
        self.ws()
        self.literal(")")
        self.ws()
        self.literal("=>")
        self.ws()
        return ast.LambdaExpr(tuple(params), self.expr())

    def parens(self) -> ast.Expr:
        self.literal("(")
        self.ws()
        inner = self.expr()
        self.ws()
        self.literal(")")
        return inner

    def boolean(self) -> ast.Expr:
        match = self.regex(re.compile(r"(true|false|True|False)(?![\w-])"), "boolean")
        return ast.Literal(match.group(1).lower() == "true")

    def number(self) -> ast.Expr:
        text = self.regex(NUMBER, "number").group()
        return ast.Literal(float(text) if "." in text else int(text))

    def string(self) -> str:
        self.literal('"')
        out = []
        while self.i < len(self.s):
            char = self.s[self.i]
            if char == '"':
                self.i += 1
                return "".join(out)
            if char == "\\" and self.i + 1 < len(self.s):
                escaped = self.s[self.i + 1]
                out.append(escaped if escaped in '"\\' else "\\" + escaped)
                self.i += 2
                continue
            out.append(char)
            self.i += 1
        raise self.fail("closing '\"'")

    def string_expr(self) -> ast.Expr:
        return ast.Literal(self.string())

    def date_literal(self) -> ast.Expr:
        self.literal("date(")
        self.ws()
        for name in sorted(DATE_SHORTHANDS, key=len, reverse=True):
            if self.s.startswith(name, self.i):
                self.i += len(name)
                self.ws()
                self.literal(")")
                return ast.Call(ast.Variable("date"), (ast.Literal(name),))
        found = parse_date_prefix(self.s, self.i, self.zone)
        if found is None:
            raise self.fail("date")
        value, self.i = found
        self.ws()
        self.literal(")")
        return ast.Literal(value)

    def duration_literal(self) -> ast.Expr:
        self.literal("dur(")
        self.ws()
        found = parse_duration_prefix(self.s, self.i)
        if found is None:
            raise self.fail("duration")
        value, self.i = found
        self.ws()
        self.literal(")")
        return ast.Literal(value)

    def null(self) -> ast.Expr:
        self.regex(re.compile(r"null(?![\w-])"), "null")
        return ast.Literal(None)

    def variable(self) -> ast.Expr:
        start = self.i
        name = self.regex(IDENTIFIER, "variable").group()
        if name.upper() in KEYWORDS:
            self.i = start
            raise self.fail("variable (not a keyword)")
        return ast.Variable(name)


def parse_expression(text: str, zone: tzinfo) -> ast.Expr:
    """One expression (inline queries `= ...`), the whole text or an error."""
    parser = Parser(text, zone)
    parser.ws()
    try:
        node = parser.expr()
        parser.ws()
        if parser.i != len(text):
            raise parser.fail("end of expression")
    except _Fail:
        raise syntax_error(parser) from None
    return node


def syntax_error(parser: Parser) -> DQLSyntaxError:
    at = parser.furthest
    line = parser.line_of(at)
    column = at - (parser.s.rfind("\n", 0, at) + 1) + 1
    expected = " or ".join(sorted(parser.expected)) or "something else"
    found = parser.s[at : at + 20].split("\n")[0] or "end of query"
    return DQLSyntaxError(
        f"line {line}, column {column}: expected {expected}, found {found!r}", line
    )


def parse_with(parser: Parser, rule: Callable[[], Any]) -> Any:
    try:
        return rule()
    except _Fail:
        raise syntax_error(parser) from None
