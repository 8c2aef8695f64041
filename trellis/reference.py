"""Reference notes of Trellis's documentation garden (`docs/`), made from the code itself.

`Reference/Command line.md` comes from the argument parser of `trellis.cli`, and
`Reference/Settings.md` from the settings schema of `trellis.config`. `python -m
trellis.reference docs` writes them; a test fails when the notes in `docs/` differ from what
this makes, so the documentation cannot drift from the code. The command line is read from
the parser's actions, not from `format_help()`, whose layout changes between Python versions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trellis.config import SETTINGS_FILE, settings_schema, toml_value

COMMAND_LINE_NOTE = "Reference/Command line.md"
SETTINGS_NOTE = "Reference/Settings.md"
_HEADER = "---\ndg-publish: true\n---\n"
_MADE_BY = (
    "*This note is made by `python -m trellis.reference docs` from {source}: edit that, "
    "not this note.*\n"
)
_TYPE_NAMES = {
    bool: "true or false",
    int: "a whole number",
    str: "text",
    list: "a list of text",
}


def _argument(action: argparse.Action) -> str:
    """`--base-url URL`, `-q`, `--quiet`, `VAULT` as a reader types them."""
    if not action.option_strings:
        return f"`{(action.metavar or action.dest).upper()}`"
    if action.nargs == 0:
        return ", ".join(f"`{option}`" for option in action.option_strings)
    if action.choices:
        value = "|".join(str(choice) for choice in action.choices)
    else:
        value = action.metavar or action.dest.upper()
    return ", ".join(f"`{option} {value}`" for option in action.option_strings)


def _usage(name: str, parser: argparse.ArgumentParser, width: int = 72) -> list[str]:
    """`trellis NAME [VAULT] [--base-url URL] ...`, wrapped between arguments."""
    lines = [f"trellis {name}"]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        part = "[" + _argument(action).split(", ")[-1].strip("`") + "]"
        if len(lines[-1]) + 1 + len(part) > width:
            lines.append(" " * len(f"trellis {name}"))
        lines[-1] += " " + part
    return lines


def command_line_note(parser: argparse.ArgumentParser) -> str:
    """The command line reference: each command with every argument and its help."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    summaries = {choice.dest: choice.help for choice in commands._choices_actions}
    lines = [
        _HEADER + _MADE_BY.format(source="the argument parser in `trellis/cli.py`"),
        "Every command runs as `trellis COMMAND`, `python -m trellis COMMAND`, and, in "
        "Trellis's repository, `python build.py COMMAND`. `build` is the default command: "
        "`trellis` alone builds the vault in the current folder into `public/`. "
        "`trellis --version` prints the version; `-h` after any command lists its arguments.",
    ]
    for name, sub in commands.choices.items():
        summary = summaries[name]
        lines += ["", f"## trellis {name}", "", f"{summary[0].upper()}{summary[1:]}.", ""]
        usage = _usage(name, sub)
        lines += ["```", *usage, "```", ""]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            lines.append(f"- {_argument(action)}: {action.help}")
    return "\n".join(lines) + "\n"


def settings_note() -> str:
    """Every setting of `trellis.toml`: its type, default and meaning."""
    lines = [
        _HEADER + _MADE_BY.format(source="the settings schema in `trellis/config.py`"),
        f"Settings live in `{SETTINGS_FILE}` at the root of the vault, a [TOML]"
        "(https://toml.io) file; every key is optional, and `trellis init` writes one with "
        "each setting commented out at its default. A flag on the command line overrides the "
        "file ([[Command line]]). An unknown key or a value of the wrong type is a warning "
        "and the default is kept; a file that is not valid TOML stops the build.",
    ]
    for info in settings_schema():
        default = info.shown or f"`{toml_value(info.default)}`"
        lines += [
            "",
            f"## {info.name}",
            "",
            f"{info.help[0].upper()}{info.help[1:]}.",
            "",
            f"- type: {_TYPE_NAMES[info.kind]}",
            f"- default: {default}",
        ]
    return "\n".join(lines) + "\n"


def reference_notes() -> dict[str, str]:
    """Vault path -> text of every note this module makes."""
    from trellis.cli import _parser

    return {COMMAND_LINE_NOTE: command_line_note(_parser()), SETTINGS_NOTE: settings_note()}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m trellis.reference DOCS_VAULT", file=sys.stderr)
        return 2
    for rel_path, text in reference_notes().items():
        path = Path(argv[0]) / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
