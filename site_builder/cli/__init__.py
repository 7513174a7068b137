"""The command line: a thin shell over the Build.

Takes the arguments (and the environment variables QMS_TODAY, QMS_NO_CACHE, QMS_JOBS, QMS_DEBUG:
the only place that reads them); makes the run's Build (cli/options.py) and hands it to the stage
or adapter the command needs; gives the report on the terminal and the exit code: 0 ok, 1 content
errors, 2 usage or internal error (never a traceback for a user's mistake).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from datetime import date
from pathlib import Path

from site_builder import __version__
from site_builder.cli import commands
from site_builder.diagnostics import UsageError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        args.root = _find_root(args.root)
        args.today = _today(args.today)
        args.env_no_cache = os.environ.get("QMS_NO_CACHE", "") not in ("", "0")
        args.env_jobs = _jobs(os.environ.get("QMS_JOBS", ""))
        return args.handler(args)
    except UsageError as exc:
        print(f"qms: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qms: interrupted", file=sys.stderr)
        return 2
    except Exception:  # never a traceback for the user; keep it for maintainers
        if os.environ.get("QMS_DEBUG"):
            traceback.print_exc()
        print("qms: internal error (a bug in qms-site, not in your content); rerun with QMS_DEBUG=1 and "
              "report the traceback", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qms", description="qms-site: document-controlled quality manual")
    parser.add_argument("--version", action="version", version=f"qms-site {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", help="repository root (default: nearest folder with qms.yaml)")
    common.add_argument("--today", help="date to check against, YYYY-MM-DD (default: today or $QMS_TODAY)")
    sub = parser.add_subparsers(metavar="COMMAND")
    for name, (register, help_text) in commands.REGISTRY.items():
        command = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        register(command)
    return parser


def _find_root(given: str | None) -> Path:
    if given:
        root = Path(given).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {given}: not a directory")
        return root
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "qms.yaml").is_file():
            return candidate
    return here


def _today(given: str | None) -> date:
    text = given or os.environ.get("QMS_TODAY")
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"invalid date {text!r}; use YYYY-MM-DD") from None


def _jobs(text: str) -> int | None:
    """QMS_JOBS: the number of worker processes (unset, empty or not a positive number: the CPUs)."""
    try:
        return int(text) if int(text) > 0 else None
    except ValueError:
        return None
