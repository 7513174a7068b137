"""Coverage-guided fuzzing with atheris (libFuzzer) of the same targets as the Hypothesis harnesses.

    python tests/fuzz/atheris_main.py TARGET [libFuzzer options] [CORPUS_DIR ...]

TARGET is one of: loader, front_matter, markdown_body, version_label, output_path, page_link.
Useful options: -max_total_time=60 (seconds), -runs=N, -dict=FILE, -artifact_prefix=DIR/.
libFuzzer prints "Done N runs in S second(s)" at the end; a crash writes crash-<sha> with the input,
which then becomes a case in tests/fuzz/test_fuzz_regressions.py.  See docs/fuzzing.md.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["site_builder", "fuzz_targets", "markdown", "pymdownx", "yaml"]):
    import fuzz_targets as targets


def _text(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))


def _two_texts(data: bytes) -> tuple[str, str]:
    provider = atheris.FuzzedDataProvider(data)
    first = provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 40))
    return first or "x", provider.ConsumeUnicodeNoSurrogates(40) or "y"


HARNESSES = {
    "loader": lambda data: targets.loader(data),
    "front_matter": lambda data: targets.front_matter(_text(data)),
    "markdown_body": lambda data: targets.markdown_body(_text(data)),
    "version_label": lambda data: targets.version_label(_text(data)),
    "output_path": lambda data: targets.output_path(_text(data)),
    "page_link": lambda data: targets.page_link(*_two_texts(data)),
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in HARNESSES:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(HARNESSES)}}} [libFuzzer options]")
    harness = HARNESSES[sys.argv[1]]

    def one_input(data: bytes) -> None:
        with contextlib.suppress(targets.KnownBug):  # reported, with an xfail regression test
            harness(data)

    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
