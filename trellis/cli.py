"""The command line: `trellis [build|serve|check] [VAULT] ...` and `trellis init [FOLDER]`.

The same commands run as `python build.py ...` and `python -m trellis ...`.

`build` is the default command. Without VAULT, the vault is the current folder, as mkdocs
and hugo take theirs; in a folder with a `site_src/` (Trellis's repository) it is that
sample, so `python build.py` builds `site_src/` into `public/`.
Heavy modules are imported only once a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from trellis import __version__
from trellis.diagnostics import Diagnostic, hidden_summary, pick_shown
from trellis.scaffold import DEPLOY_HOSTS

COMMANDS = ("build", "serve", "check", "init")
SHOWN_WARNINGS = 20
# Inside the Trellis repository, `trellis build` and `python build.py` build the sample.
SAMPLE_VAULT = "site_src"


def _setting_default(name: str) -> str:
    """`(default: KEY in trellis.toml, else VALUE)` for a flag that overrides a setting."""
    from trellis.config import settings_schema

    info = next(s for s in settings_schema() if s.name == name)
    shown = info.shown or ("off" if info.default is False else str(info.default) or "empty")
    return f"(default: {name} in trellis.toml, else {shown})"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trellis", description="Publish the public part of an Obsidian vault as a static site."
    )
    parser.add_argument("--version", action="version", version=f"trellis {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{build,serve,check,init}")

    def vault_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "vault",
            nargs="?",
            help=f"the vault folder (default: the current folder, or its {SAMPLE_VAULT}/ if it "
            "has one: the sample vault in Trellis's repository)",
        )
        sub.add_argument(
            "--base-url",
            metavar="URL",
            help="where the site will live, e.g. https://example.org/garden/ "
            + _setting_default("base_url"),
        )
        sub.add_argument(
            "--publish-flag",
            metavar="KEY",
            help="frontmatter key that publishes a note " + _setting_default("publish_flag"),
        )
        sub.add_argument(
            "--publish-all",
            action="store_true",
            default=None,
            help="publish every note, whatever its frontmatter " + _setting_default("publish_all"),
        )
        noise = sub.add_mutually_exclusive_group()
        noise.add_argument(
            "-q", "--quiet", action="store_true", help="print only errors (default: off)"
        )
        noise.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help=f"print every warning (default: off, the first {SHOWN_WARNINGS} are printed)",
        )

    build = commands.add_parser("build", help="build the site (the default command)")
    vault_options(build)
    build.add_argument(
        "--strict", action="store_true", help="exit 1 if there was any warning (default: off)"
    )
    build.add_argument(
        "-o", "--output", metavar="OUT", default="public", help="output folder (default: public)"
    )
    build.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="processes parsing and rendering, this one included, and Pagefind runs at once "
        + _setting_default("jobs"),
    )
    build.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="folder for the build cache, e.g. one CI restores between runs "
        + _setting_default("cache_dir"),
    )
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="render every page, ignoring the last build (default: off)",
    )
    build.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing; print what `check` prints (default: off)",
    )

    check = commands.add_parser(
        "check", help="list what would be published and links from public to private notes"
    )
    vault_options(check)
    check.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if a published note links to a private one or there was any warning "
        "(default: off)",
    )

    serve = commands.add_parser("serve", help="build, serve on localhost, rebuild on change")
    vault_options(serve)
    serve.add_argument(
        "--strict",
        action="store_true",
        help="print every warning, as `build --strict` does; the preview keeps running "
        "whatever they are (default: off)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="port to listen on, 0 to 65535; a busy one moves to the next free one (default: 8000)",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (repeatable; '*': any) "
        "(default: only the bound host, localhost and loopback addresses)",
    )

    init = commands.add_parser(
        "init", help="set up a vault for Trellis: trellis.toml, .gitignore, deploy config"
    )
    init.add_argument(
        "folder", nargs="?", default=".", help="the vault folder (default: the current folder)"
    )
    init.add_argument(
        "--deploy",
        choices=DEPLOY_HOSTS,
        help="also write this host's config to build and publish the site (default: none)",
    )
    init.add_argument(
        "--force", action="store_true", help="overwrite files that exist (default: off)"
    )
    return parser


def _port(text: str) -> int:
    """A TCP port number for `--port` (0: any free port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    cache_dir = getattr(args, "cache_dir", None)
    return {
        "base_url": args.base_url,
        "publish_flag": args.publish_flag,
        "publish_all": args.publish_all,
        "jobs": getattr(args, "jobs", None),
        # A folder named on the command line is taken from the current folder.
        "cache_dir": str(Path(cache_dir).absolute()) if cache_dir else None,
    }


def _vault(args: argparse.Namespace) -> Path:
    """The VAULT argument, else the current folder (its sample, in Trellis's repository)."""
    if args.vault is not None:
        return Path(args.vault)
    return Path(SAMPLE_VAULT) if Path(SAMPLE_VAULT).is_dir() else Path(".")


def _left_behind(args: argparse.Namespace) -> str:
    """What an interrupted build left: an update in place may have been cut midway."""
    from trellis.emit.writer import MARKER, site_finished

    output = Path(getattr(args, "output", "") or ".")
    if args.command == "build" and (output / MARKER).is_file() and not site_finished(output):
        return f"{output} is incomplete (marked so); the next build makes it whole"
    return "the previous site was left in place"


def main(argv: list[str] | None = None, fast_exit: bool = False) -> int:
    """Run a command; with `fast_exit`, a finished build leaves the process at once.

    Freeing a large site's objects one by one at exit takes seconds (about 4 s for 10,000
    notes); a process that is about to end anyway can skip it.
    """
    code = _main(argv)
    if fast_exit:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def entry() -> int:
    """The `trellis` console script."""
    return main(fast_exit=True)


def _main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]
    args = _parser().parse_args(argv)
    from trellis.diagnostics import FatalError, printable

    try:
        if args.command == "init":
            from trellis.scaffold import run_init

            return run_init(Path(args.folder), args.deploy, force=args.force)
        if args.command == "serve":
            from trellis.serve import run_serve

            return run_serve(
                _vault(args),
                host=args.host,
                port=args.port,
                overrides=_overrides(args),
                verbose=args.verbose or args.strict,
                quiet=args.quiet,
                allow_hosts=args.allow_host,
            )
        if args.command == "check" or getattr(args, "dry_run", False):
            return _check(args)
        return _build(args)
    except FatalError as error:
        print(printable(f"trellis: error: {error}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"trellis: interrupted; {_left_behind(args)}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `trellis check | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _check(args: argparse.Namespace) -> int:
    from trellis.check import check_vault, format_report

    report = check_vault(_vault(args), _overrides(args))
    print(format_report(report))
    warnings = report.diagnostics.items
    if warnings and not args.quiet:
        _print_warnings(warnings, args.verbose or args.strict)
    flagged = bool(report.private_links) or bool(report.skipped) or bool(warnings)
    return 1 if args.strict and flagged else 0


def _print_warnings(warnings: list[Diagnostic], show_all: bool) -> None:
    """Every warning, or a few of each kind and a count of the rest by kind."""
    shown = warnings if show_all else pick_shown(warnings, SHOWN_WARNINGS)
    for item in shown:
        print(str(item), file=sys.stderr)
    if len(shown) < len(warnings):
        print(hidden_summary(warnings, shown), file=sys.stderr)


def _say(message: str) -> None:
    from trellis.diagnostics import printable

    print(printable(f"trellis: {message}"), file=sys.stderr, flush=True)


def _build(args: argparse.Namespace) -> int:
    from trellis.diagnostics import printable
    from trellis.pipeline import build
    from trellis.progress import terminal_progress

    with terminal_progress(enabled=not args.quiet) as progress:
        result = build(
            _vault(args),
            Path(args.output),
            _overrides(args),
            progress,
            use_cache=not args.no_cache,
            waiting=None if args.quiet else _say,
        )
    warnings = result.diagnostics.items
    if result.cache_problem and not args.quiet:
        print(printable(f"trellis: {result.cache_problem}"), file=sys.stderr)
    show_all = args.verbose or args.strict
    if warnings and not args.quiet:
        _print_warnings(warnings, show_all)
    elif warnings and args.strict:
        for item in warnings:
            print(str(item), file=sys.stderr)
    if not args.quiet:
        plural = "" if len(warnings) == 1 else "s"
        print(
            f"Published {result.notes_published} notes: {result.pages_written} pages, "
            f"{result.attachments_copied} attachments, {len(warnings)} warning{plural} "
            f"in {result.seconds:.2f} s -> {args.output}"
        )
    return 1 if args.strict and warnings else 0
