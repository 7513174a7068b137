"""Property tests (Hypothesis) for the loader: whatever the bytes, `load_source` returns data or
positioned diagnostics and never lets another exception escape; plain strings round-trip."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from site_builder.load.files import load_source
from site_builder.load.sources import SourceFile
from site_builder.load.yamlio import load_yaml, locate

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

INDICATORS = list(":-?[]{},&*!|>'\"#%@`") + ["\t", "\n", "\r", "\x00", "\ufeff", "é", "中", " ", "a", "1", "---", "..."]
yamlish = st.lists(st.sampled_from(INDICATORS), max_size=80).map("".join)
front_matter = yamlish.map(lambda text: "---\n" + text + "\n---\nbody\n")


def line_count(raw: bytes) -> int:
    """Lines as an editor counts them (CRLF, CR and LF end a line), plus one for a position after the last line
    end; libyaml puts the end of a stream without a final line break on the next line, so count one more then."""
    return len(re.split(rb"\r\n|\r|\n", raw if raw.endswith((b"\n", b"\r")) else raw + b"\n"))


def check_load(raw: bytes, kind: str, suffix: str, bound_lines: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{suffix}"
        path.write_bytes(raw)
        loaded = load_source(SourceFile(kind, f"procedures/x{suffix}", path))
    if loaded.data is not None:
        assert isinstance(loaded.data, dict)
        assert all(d.severity == "warning" for d in loaded.diagnostics)
    else:
        assert [d for d in loaded.diagnostics if d.severity == "error"], "no data and no error"
    for d in loaded.diagnostics:
        assert d.code.startswith("SB1") and d.path == f"procedures/x{suffix}"
        assert d.line >= 1 and d.col >= 1, d
        if bound_lines:
            assert d.line <= line_count(raw), (d, raw)


@SETTINGS
@given(st.binary(max_size=300))
@example(b"\xff\xfe" + "a: 1".encode("utf-16-le"))
@example(b"[" * 300)
@example(b"a: \xe4\xb8")
def test_arbitrary_bytes_as_form(raw):
    check_load(raw, "form", ".yaml", bound_lines=False)


@SETTINGS
@given(st.binary(max_size=300))
@example(b"---\n" + b"{" * 300 + b"\n---\n")
def test_arbitrary_bytes_as_document(raw):
    check_load(b"---\n" + raw + b"\n---\n", "document", ".md", bound_lines=False)


@SETTINGS
@given(yamlish)
@example("? [a]\n: x")
@example("a:\n\tb: 1")
@example("a: &x 1\nb: *x")
@example("{a: 1, a: 2}")
def test_yaml_indicators_as_form(text):
    check_load(text.encode("utf-8"), "form", ".yaml", bound_lines=True)


@SETTINGS
@given(front_matter)
def test_yaml_indicators_as_document(text):
    check_load(text.encode("utf-8"), "document", ".md", bound_lines=True)


@SETTINGS
@given(yamlish)
def test_yaml_indicators_as_raw_document(text):
    check_load(text.encode("utf-8"), "document", ".md", bound_lines=True)


printable = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=20)


@SETTINGS
@given(st.dictionaries(printable, printable | st.lists(printable, max_size=3), max_size=6))
def test_safe_dump_round_trips_as_strings(data):
    for flow in (False, True):
        text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False)
        if not data:
            continue  # '{}' is an empty mapping, which the loader refuses as an empty file
        assert load_yaml(text) == data


@SETTINGS
@given(yamlish, st.lists(st.one_of(st.integers(-1, 3), st.sampled_from(["a", "1", "", "中"])), max_size=4))
def test_locate_never_raises(text, path):
    line, col = locate(text, tuple(path))
    assert line >= 1 and col >= 1


@SETTINGS
@given(st.dictionaries(printable.filter(bool), printable, min_size=1, max_size=8))
def test_locate_finds_every_top_level_key_on_its_line(data):
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=False, sort_keys=False, width=10**9)
    assert load_yaml(text) == data
    for index, key in enumerate(data):
        assert locate(text, (key,))[0] == index + 1, (text, key)
