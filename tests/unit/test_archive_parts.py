"""Pieces behind archive.py: relative links without posixpath's cost, parts checked on their own
(HtmlVerifier.checked_part) giving what a check of the whole page gives, and the split of the
pages over the children by document."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.render.links import _relpath, relative
from site_builder.site.archive import _by_document
from site_builder.site.theme import material_templates
from site_builder.verify.html import HtmlVerifier

VERIFIER = HtmlVerifier(material_templates())
PLAIN = HtmlVerifier(material_templates(), chunks=False)

SEGMENTS = st.sampled_from(["a", "b", "history", "QP-90", "A0", "x.json", "中文", "c d", ".", "..", ""])


def path_text(segments: list[str], slash: bool) -> str:
    return "/".join(segments) + ("/" if slash else "")


@settings(max_examples=3000, derandomize=True)
@given(st.lists(SEGMENTS, min_size=1, max_size=5), st.booleans(), st.lists(SEGMENTS, min_size=1, max_size=5),
       st.booleans())
def test_relpath_is_posixpaths(target, target_slash, start, start_slash):
    path, base = path_text(target, target_slash), path_text(start, start_slash)
    if not path or not base or path.startswith("/") or base.startswith("/"):
        return
    try:
        expected = posixpath.relpath(path, base)
    except ValueError:
        return
    assert _relpath(path, base) == expected


def test_relative_links_between_pages():
    assert relative("history/QP-90/index.md", "history/QP-90/A0.md") == "A0/"
    assert relative("history/QP-90/A0.md", "history/QP-90/index.md") == "../"
    assert relative("history/as-of/2024.md", "history/QP-90/A0.md") == "../../QP-90/A0/"
    assert relative("index.md", "index.md") == "./"
    assert relative("history/QP-90/A0.md", "api/history.json") == "../../../api/history.json"


SHELL_HEAD = '<!doctype html>\n<html><head><title>t</title>\n<script src="assets/x.js"></script></head>\n<body>\n'
SHELL_TAIL = '\n<a href="../">up</a>\n</body></html>\n'
PARTS = [
    '<p>plain</p>',
    '<p><a href="javascript:alert(1)">x</a></p>\n<p>two</p>',
    '<div>\n\n<a onclick="x()" href="../A1/">y</a>\n</div>',
    '<img src="data:image/png;base64,AAAA">\n<iframe src="x"></iframe>',
]


def test_a_part_checked_alone_finds_what_the_whole_page_check_finds_in_it():
    for part in PARTS:
        page = SHELL_HEAD + part + SHELL_TAIL
        whole = VERIFIER.checked_page("p/index.html", page)
        alone = VERIFIER.checked_part("p/index.html", part, SHELL_HEAD.count("\n") + 1)
        frame = VERIFIER.checked_page("p/index.html", SHELL_HEAD + SHELL_TAIL)
        assert alone is not None
        assert whole == PLAIN.checked_page("p/index.html", page)  # (the plain path reads it whole)
        assert PLAIN.checked_part("p/index.html", part, SHELL_HEAD.count("\n") + 1) is None
        assert whole.problems == sorted(alone.problems + frame.problems, key=lambda p: int(p.split(":")[1]))
        assert sorted(whole.links) == sorted(alone.links + [(line + (part.count("\n") if line > 4 else 0), *rest)
                                                            for line, *rest in frame.links])


def test_a_part_outside_the_strict_grammar_is_refused():
    assert VERIFIER.checked_part("p/index.html", "<p>a < b</p>", 1) is None
    assert VERIFIER.checked_part("p/index.html", "<textarea>", 1) is None


def test_each_document_stays_in_one_part():
    sources = [f"history/QP-{n}/{v}.md" for n in range(7) for v in ("A0", "A1", "diff-A0-A1")][:-1]
    parts = _by_document(sources, 2)
    assert sorted(s for part in parts for s in part) == sorted(sources)
    assert all(len({posixpath.dirname(s) for s in part} & {posixpath.dirname(s) for s in other}) == 0
               for part in parts for other in parts if part is not other)
    assert abs(len(parts[0]) - len(parts[1])) <= 3
