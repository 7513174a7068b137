"""The Build of one command, from its command-line options."""

from __future__ import annotations

from pathlib import Path

from site_builder.build import Build, Options


def make_build(args, *, audience: str = "staff", serve: bool = False, use_cache: bool = True,
               out: Path | None = None) -> Build:
    """The run of one command: `--root`, `--today`, `--plain`, `--no-cache`, and the environment
    variables the entry point read into `args` (QMS_NO_CACHE, QMS_JOBS)."""
    use_cache = use_cache and not getattr(args, "no_cache", False) and not getattr(args, "env_no_cache", False)
    return Build(Options(args.root, args.today, audience, plain=getattr(args, "plain", False), use_cache=use_cache,
                         processes=getattr(args, "env_jobs", None), serve=serve, out=out))


def add_plain(parser) -> None:
    parser.add_argument("--plain", action="store_true",
                        help="turn every speed-up off and run the straightforward path (the site is byte-identical)")
