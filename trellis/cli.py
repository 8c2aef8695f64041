"""The command line: `trellis [build|serve|check] [VAULT] ...`.

The same commands run as `python build.py ...` and `python -m trellis ...`.

`build` is the default command, so `python build.py` builds `site_src/` into `public/`.
Heavy modules are imported only once a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from trellis import __version__

COMMANDS = ("build", "serve", "check")
SHOWN_WARNINGS = 20


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trellis", description="Publish the public part of an Obsidian vault as a static site."
    )
    parser.add_argument("--version", action="version", version=f"trellis {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{build,serve,check}")

    def vault_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "vault", nargs="?", default="site_src", help="vault folder (default: site_src)"
        )
        sub.add_argument(
            "--base-url", help="URL the site will live at, e.g. https://example.org/garden/"
        )
        sub.add_argument(
            "--publish-flag",
            metavar="KEY",
            help="frontmatter key that publishes a note (default: dg-publish)",
        )
        sub.add_argument(
            "--publish-all",
            action="store_true",
            default=None,
            help="publish every note, whatever its frontmatter",
        )
        sub.add_argument("--strict", action="store_true", help="exit 1 if there was any warning")
        noise = sub.add_mutually_exclusive_group()
        noise.add_argument("-q", "--quiet", action="store_true", help="print only errors")
        noise.add_argument("-v", "--verbose", action="store_true", help="print every warning")

    build = commands.add_parser("build", help="build the site (the default command)")
    vault_options(build)
    build.add_argument("-o", "--output", default="public", help="output folder (default: public)")
    build.add_argument("--jobs", type=int, help="worker processes (default: number of cores)")

    build.add_argument(
        "--no-cache", action="store_true", help="render every page, ignoring the last build"
    )
    build.add_argument(
        "--dry-run", action="store_true", help="write nothing; print what `check` prints"
    )

    check = commands.add_parser(
        "check", help="list what would be published and links from public to private notes"
    )
    vault_options(check)

    serve = commands.add_parser("serve", help="build, serve on localhost, rebuild on change")
    vault_options(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (repeatable; '*': any)",
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
    return {
        "base_url": args.base_url,
        "publish_flag": args.publish_flag,
        "publish_all": args.publish_all,
        "jobs": getattr(args, "jobs", None),
    }


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
        if args.command == "serve":
            from trellis.serve import run_serve

            return run_serve(
                Path(args.vault),
                host=args.host,
                port=args.port,
                overrides=_overrides(args),
                verbose=args.verbose,
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
        print("trellis: interrupted; the previous site was left in place", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `trellis check | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _check(args: argparse.Namespace) -> int:
    from trellis.check import check_vault, format_report

    report = check_vault(Path(args.vault), _overrides(args))
    print(format_report(report))
    warnings = report.diagnostics.items
    if warnings and not args.quiet:
        for item in warnings if (args.verbose or args.strict) else warnings[:SHOWN_WARNINGS]:
            print(str(item), file=sys.stderr)
    flagged = bool(report.private_links) or bool(report.skipped) or bool(warnings)
    return 1 if args.strict and flagged else 0


def _build(args: argparse.Namespace) -> int:
    from trellis.pipeline import build
    from trellis.progress import terminal_progress

    with terminal_progress(enabled=not args.quiet) as progress:
        result = build(
            Path(args.vault),
            Path(args.output),
            _overrides(args),
            progress,
            use_cache=not args.no_cache,
        )
    warnings = result.diagnostics.items
    show_all = args.verbose or args.strict
    if warnings and not args.quiet:
        shown = warnings if show_all else warnings[:SHOWN_WARNINGS]
        for item in shown:
            print(str(item), file=sys.stderr)
        if len(shown) < len(warnings):
            print(f"... and {len(warnings) - len(shown)} more (-v shows all)", file=sys.stderr)
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
