"""Parse Bases formulas and filters: a small JavaScript-like expression language.

Hand-written (a tokenizer and a precedence-climbing parser, ~200 lines): the language is
Obsidian's own (`price * 2`, `file.hasTag("a")`, `date + "1d"`, `/re/g.matches(x)`,
`list.filter(value > 2)`), with no published grammar a parser generator could take; the
precedence and literals below follow Obsidian's help ("Bases syntax", "Functions").
Method arguments stay unevaluated nodes: `filter`, `map` and `reduce` evaluate them once
per element with `value`, `index` and `acc` bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class BaseSyntaxError(Exception):
    pass


@dataclass(frozen=True)
class Lit:
    value: Any


@dataclass(frozen=True)
class Regex:
    pattern: str
    flags: str


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Member:
    obj: Node
    name: str


@dataclass(frozen=True)
class Item:
    obj: Node
    index: Node


@dataclass(frozen=True)
class Call:
    func: Node  # a Name (global function) or a Member (method)
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class ListLit:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class ObjectLit:
    pairs: tuple[tuple[str, Node], ...]


Node = Lit | Regex | Name | Member | Item | Call | Unary | BinOp | ListLit | ObjectLit

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[^\W\d][\w$-]*(?<!-))
  | (?P<op>==|!=|>=|<=|&&|\|\||[-+*/%<>!().,\[\]{}:])
  )""",
    re.VERBOSE,
)
_REGEX = re.compile(r"/((?:[^/\\\n]|\\.)+)/([gimsuy]*)")
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str) -> BaseSyntaxError:
        return BaseSyntaxError(f"{message} at column {self.pos + 1} of {self.text!r}")

    def peek(self) -> tuple[str, str] | None:
        match = _TOKEN.match(self.text, self.pos)
        if match is None or (match.end() == self.pos and self.pos < len(self.text)):
            rest = self.text[self.pos :].strip()
            if not rest:
                return None
            raise self.error(f"unexpected {rest[0]!r}")
        kind = match.lastgroup
        return (kind, match.group(kind)) if kind else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end")
        self.pos = _TOKEN.match(self.text, self.pos).end()  # type: ignore[union-attr]
        return token

    def expect(self, op: str) -> None:
        token = self.take()
        if token != ("op", op):
            raise self.error(f"expected {op!r}, found {token[1]!r}")

    def at(self, op: str) -> bool:
        return self.peek() == ("op", op)

    def expression(self, level: int = 1) -> Node:
        left = self.unary()
        while True:
            token = self.peek()
            if token is None or token[0] != "op" or _PRECEDENCE.get(token[1], 0) < level:
                return left
            self.take()
            right = self.expression(_PRECEDENCE[token[1]] + 1)
            left = BinOp(token[1], left, right)

    def unary(self) -> Node:
        if self.at("!") or self.at("-"):
            op = self.take()[1]
            return Unary(op, self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("."):
                self.take()
                kind, name = self.take()
                if kind != "name":
                    raise self.error("expected a name after '.'")
                node = Member(node, name)
            elif self.at("["):
                self.take()
                index = self.expression()
                self.expect("]")
                node = Item(node, index)
            elif self.at("("):
                self.take()
                node = Call(node, tuple(self.arguments(")")))
            else:
                return node

    def arguments(self, close: str) -> list[Node]:
        args: list[Node] = []
        while not self.at(close):
            args.append(self.expression())
            if not self.at(close):
                self.expect(",")
        self.take()
        return args

    def primary(self) -> Node:
        rest = self.text[self.pos :].lstrip()
        if rest.startswith("/"):
            match = _REGEX.match(rest)
            if match:
                self.pos = len(self.text) - len(rest) + match.end()
                return Regex(match.group(1), match.group(2))
        kind, value = self.take()
        if kind == "num":
            number = float(value)
            return Lit(int(number) if number.is_integer() and "." not in value else number)
        if kind == "str":
            return Lit(_unquote(value))
        if kind == "name":
            return {"true": Lit(True), "false": Lit(False), "null": Lit(None)}.get(
                value, Name(value)
            )
        if value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if value == "[":
            return ListLit(tuple(self.arguments("]")))
        if value == "{":
            pairs = []
            while not self.at("}"):
                key_kind, key = self.take()
                if key_kind not in ("str", "name"):
                    raise self.error("expected an object key")
                self.expect(":")
                pairs.append((_unquote(key) if key_kind == "str" else key, self.expression()))
                if not self.at("}"):
                    self.expect(",")
            self.take()
            return ObjectLit(tuple(pairs))
        raise self.error(f"unexpected {value!r}")


def parse_formula(text: str) -> Node:
    """One Bases expression, or `BaseSyntaxError`."""
    if not isinstance(text, str) or not text.strip():
        raise BaseSyntaxError("empty expression")
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek() is not None:
        raise parser.error("unexpected text")
    return node
