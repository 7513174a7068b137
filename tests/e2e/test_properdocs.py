"""ProperDocs, the maintained fork of MkDocs 1.x, builds the shipped manual exactly as MkDocs does (issue 21).

MkDocs has had no release since 1.6.1 (2024-08) and Material for MkDocs has announced its end of
life; ProperDocs (PyPI `properdocs`, import name `properdocs`, command `properdocs`, also
`python -m properdocs`) continues MkDocs 1.x.  It installs next to mkdocs 1.6.1 in one environment
(its own package and entry-point groups; `pip check` is clean), and:

* reads plugins and themes from the `mkdocs.plugins` / `mkdocs.themes` entry points as well as its
  own `properdocs.*` ones, so our `qms` plugin and Material are found without any change;
* provides the `mkdocs` import namespace: its command line imports `properdocs.replacement`, which
  puts `properdocs` in `sys.modules["mkdocs"]` and redirects every `mkdocs.*` import to
  `properdocs.*` (so the adapter's `mkdocs.plugins`, `mkdocs.structure.pages._RelativePathTreeprocessor`,
  `mkdocs.commands.build.get_context`... are ProperDocs' own under `properdocs build`);
* reads mkdocs.yml (it looks for properdocs.yml first).

The test builds the repository's manual with `mkdocs build` and with `properdocs build` (same
SOURCE_DATE_EPOCH, same day) and compares the two sites: the same files; every file other than an
HTML page byte for byte (search index, sitemap.xml and its .gz, api/*.json, downloads, assets);
every HTML page byte for byte once its generator tag is set aside.  That tag is the one difference
by design: `<meta name="generator" content="mkdocs-1.6.1, mkdocs-material-…">` versus
`content="mkdocs-ProperDocs 1.6.7, mkdocs-material-…"`, and the test checks that each names its tool
(so the second build really was ProperDocs').  Both builds also pass the plugin's post-build
verification (a failure there fails the build).

Remaining differences, none in the bytes compared:

* api/build.json records the installed *mkdocs* distribution's version (history/stamp.py reads
  package metadata), also under ProperDocs, so a ProperDocs build's stamp names the MkDocs that is
  installed beside it rather than ProperDocs;
* Material prints its end-of-life banner only under the `mkdocs` command (NO_MKDOCS_2_WARNING=1
  silences it here); neither tool writes it into the site.

Not seen in this (staff) build, but shown by running tests/unit/test_adapter_internals.py with
`properdocs.replacement` imported first: ProperDocs logs under `properdocs.*` loggers, not `mkdocs.*`,
so under `properdocs serve --dirty` plugin.py's filter on the logger `mkdocs.commands.build` misses the
dirty-build warning (strict mode then counts it), and archive.py, which collects the archive pages' link
warnings from the `mkdocs` logger, misses them under `properdocs build` of the auditor site.  (Its
Markdown processors are named `properdocs_raw_html` etc.; none of our code uses those names.)

Skipped when ProperDocs is not installed (it is in the `test` extra of pyproject.toml).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

properdocs = pytest.importorskip(
    "properdocs", reason="ProperDocs is not installed (pip install -e '.[test]' installs it; PyPI package `properdocs`)")

ROOT = Path(__file__).resolve().parents[2]
#: the same for both builds: MkDocs and ProperDocs date sitemap.xml and the gzip header of sitemap.xml.gz from it
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01
GENERATOR = re.compile(rb'<meta name="generator" content="([^"]*)">')


def _build(tool: str, site_dir: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1",
           "DISABLE_MKDOCS_2_WARNING": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", tool, "build", "-f", "mkdocs.yml", "-d", str(site_dir)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"`{tool} build` of the shipped manual failed (exit {done.returncode}):\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}", pytrace=False)


def _files(site_dir: Path) -> dict[str, Path]:
    return {path.relative_to(site_dir).as_posix(): path for path in sorted(site_dir.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path]:
    """(MkDocs' site, ProperDocs' site) of the shipped manual, built on the same day."""
    folder = tmp_path_factory.mktemp("properdocs")
    day = date.today()
    _build("mkdocs", folder / "mkdocs")
    _build("properdocs", folder / "properdocs")
    if date.today() != day:  # (the staff site depends on the day: reviews due, effective dates)
        pytest.skip("the two builds straddled midnight; run again")
    return folder / "mkdocs", folder / "properdocs"


def test_properdocs_provides_the_mkdocs_namespace_and_finds_our_plugin():
    """What the adapter relies on, checked in a fresh interpreter (the alias is process-wide)."""
    probe = ("import properdocs.replacement, mkdocs, mkdocs.plugins, mkdocs.structure.pages as pages\n"
             "from properdocs.plugins import get_plugins\n"
             "print(mkdocs.__name__, mkdocs.plugins.__name__, pages._RelativePathTreeprocessor.__module__)\n"
             "print(get_plugins()['qms'].value)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    names, plugin = done.stdout.splitlines()
    assert names == "properdocs properdocs.plugins properdocs.structure.pages", \
        f"ProperDocs no longer maps the mkdocs.* imports onto its own modules: {names}"
    assert plugin == "site_builder.site.plugin:QmsPlugin" or plugin.endswith(":QmsPlugin"), \
        f"ProperDocs does not find the qms plugin of the mkdocs.plugins entry point: {plugin}"


def test_same_files(sites):
    mkdocs_site, properdocs_site = sites
    ours, theirs = set(_files(mkdocs_site)), set(_files(properdocs_site))
    assert ours == theirs, f"only MkDocs: {sorted(ours - theirs)[:20]}; only ProperDocs: {sorted(theirs - ours)[:20]}"
    assert any(name.endswith("index.html") for name in ours)


def test_same_bytes_apart_from_the_generator_tag(sites):
    mkdocs_site, properdocs_site = sites
    theirs = _files(properdocs_site)
    differ, generators = [], set()
    for name, path in _files(mkdocs_site).items():
        if name not in theirs:
            continue  # (test_same_files)
        ours_bytes, theirs_bytes = path.read_bytes(), theirs[name].read_bytes()
        if name.endswith(".html"):
            generators |= {(a, b) for a, b in zip(GENERATOR.findall(ours_bytes), GENERATOR.findall(theirs_bytes))}
            ours_bytes, theirs_bytes = GENERATOR.sub(b"", ours_bytes), GENERATOR.sub(b"", theirs_bytes)
        if ours_bytes != theirs_bytes:
            differ.append(name)
    assert differ == [], f"{len(differ)} file(s) differ between the MkDocs and the ProperDocs build: {differ[:20]}"
    assert generators, "no page has a generator tag"
    for mkdocs_says, properdocs_says in generators:
        assert mkdocs_says.startswith(b"mkdocs-1."), mkdocs_says
        assert b"ProperDocs" in properdocs_says, f"the second build was not ProperDocs': {properdocs_says!r}"
