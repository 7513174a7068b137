"""The bad-input corpus (bad-inputs.md section 1), one case per folder of tests/corpus/, each built
against a previously published site.

A case folder `tests/corpus/<ID>-<slug>/` holds `files/` (laid over a fresh copy of the minimal
manual, tests/fixtures/minimal with the repository's schemas and mkdocs.yml) and `expect.yaml` (format in
tests/corpus/README.md).  One good site is published once per session; each case gets a copy of it
as its "previous release", applies its input, runs `build --out <that copy>` in-process and checks
the exit code, every expected diagnostic (code, path, line, col, message), and the output: the
published tree byte-identical (`unchanged`), strings shown literally and never as markup
(`literal`), values nowhere in the site (`absent`, through `scan-leaks`), pages present or missing.
Another test keeps the list of case IDs (tests/corpus/CASES.md, a copy of the table) and the
folders in step.
"""

from __future__ import annotations

import contextlib
import fcntl
import html
import importlib.metadata
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from site_builder import cli

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_build import tree_hashes  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
TODAY = "2026-11-23"
CASE_DIRS = sorted(p for p in CORPUS.iterdir() if p.is_dir() and (p / "expect.yaml").is_file())
EXPECT_KEYS = {"about", "requirement", "list_says", "decision", "xfail", "covered_by", "steps", "env", "file_size_limit", "args",
               "out", "exit", "diagnostics", "errors_exactly", "stderr_contains", "output"}
OUTPUT_KEYS = {"literal", "absent", "pages", "no_pages", "reproducible"}
DIAGNOSTIC_LINE = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning) "
                             r"(?P<code>SB\d{3}) (?P<message>.*)$", re.M)
GIT_LINE = re.compile(r"^\(git\): (?P<severity>error|warning) (?P<code>SB\d{3}) (?P<message>.*)$", re.M)
GIT_ENV = {"GIT_AUTHOR_NAME": "唐振宇", "GIT_AUTHOR_EMAIL": "qms@example.invalid", "GIT_COMMITTER_NAME": "唐振宇",
           "GIT_COMMITTER_EMAIL": "qms@example.invalid", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
PWNED = Path("/tmp/qms-pwned")


def case_ids_from_table(text: str) -> list[str]:
    """The IDs of the rows `| Y01 | ... |` of the bad-input table."""
    return re.findall(r"^\| ([A-Z]\d{2}) \|", text, re.M)


def _expectation(case: Path) -> dict:
    expected = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    assert set(expected) <= EXPECT_KEYS, f"{case.name}: unknown keys {set(expected) - EXPECT_KEYS}"
    return expected


def _params():
    for case in CASE_DIRS:
        reason = _expectation(case).get("xfail")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(case, id=case.name, marks=marks)


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def corpus_base(minimal_template, tmp_path_factory) -> Path:
    """The minimal manual with the repository's mkdocs.yml: it checks and builds cleanly."""
    base = tmp_path_factory.mktemp("corpus-base") / "manual"
    shutil.copytree(minimal_template, base)
    shutil.copy(ROOT / "mkdocs.yml", base / "mkdocs.yml")
    return base


@pytest.fixture(scope="session")
def published(corpus_base, tmp_path_factory) -> Path:
    """The previous release: the baseline manual built once per session."""
    out = tmp_path_factory.mktemp("corpus-published") / "site"
    code, stdout, stderr = run_qms("build", "--root", str(corpus_base), "--out", str(out), "--quiet")
    assert code == 0, stdout + stderr
    return out


# --- running ------------------------------------------------------------------------------------

def run_qms(*args: str) -> tuple[int, str, str]:
    """`python -m site_builder <args> --today TODAY` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([*args, "--today", TODAY])
    return code, out.getvalue(), err.getvalue()


def run_qms_limited(limit: int, *args: str) -> tuple[int, str, str]:
    """The same in a subprocess whose files may not grow beyond `limit` bytes: writes fail like on a full disk (EFBIG)."""
    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write() then raises OSError instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "site_builder", *args, "--today", TODAY], capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, preexec_fn=limit_writes, timeout=600)
    return done.returncode, done.stdout, done.stderr


def git(root: Path, args: list[str], when: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    done = subprocess.run(["git", "-C", str(root), "-c", "commit.gpgsign=false", *args], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def apply_steps(root: Path, out: Path, steps: list[dict]) -> Path:
    """Run the declarative steps of a case; returns the (possibly new) repository root."""
    for step in steps:
        kind = next(iter(step))
        if kind == "write":
            target = root / step["write"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(step["text"].encode(step.get("encoding", "utf-8")))
        elif kind == "replace":
            target = root / step["replace"]
            text = target.read_bytes().decode("utf-8")
            assert text.count(step["old"]) == 1, f"{step['replace']}: {step['old']!r} must occur exactly once"
            target.write_bytes(text.replace(step["old"], step["new"]).encode("utf-8"))
        elif kind == "remove":
            (root / step["remove"]).unlink()
        elif kind == "mkdir":
            (root / step["mkdir"]).mkdir(parents=True, exist_ok=True)
        elif kind == "symlink":
            link = root / step["symlink"]
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(step["target"])
        elif kind == "git":
            git(root, [str(a) for a in step["git"]], step.get("date"))
        elif kind == "shallow_clone":
            clone = root.parent / f"{root.name}-shallow"
            git(root.parent, ["clone", "-q", "--depth", "1", f"file://{root}", str(clone)])
            root = clone
        elif kind == "publish":
            code, stdout, stderr = run_qms("build", "--root", str(root), "--out", str(out), "--quiet", *step["publish"])
            assert code == 0, f"publishing the previous release failed:\n{stdout}\n{stderr}"
        else:
            raise AssertionError(f"unknown step {kind!r}")
    return root


def manual_hashes(root: Path) -> dict[str, str]:
    """tree_hashes of the manual without git's folder and the check cache (.qms-cache/ may change with every run)."""
    return {path: digest for path, digest in tree_hashes(root).items() if path.split(os.sep)[0] not in (".git", ".qms-cache")}


def reported(stdout: str) -> list[dict]:
    """Diagnostics printed by the build; repository-wide git findings `(git): ...` get path '.', line and col 0."""
    found = [dict(m.groupdict(), line=int(m["line"]), col=int(m["col"])) for m in DIAGNOSTIC_LINE.finditer(stdout)]
    return found + [dict(m.groupdict(), path=".", line=0, col=0) for m in GIT_LINE.finditer(stdout)]


class _Text(HTMLParser):
    """Text content of an HTML page (entities decoded), plus every tag and attribute seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.chunks.append(" ")

    def handle_endtag(self, tag):
        self.chunks.append(" ")

    def handle_data(self, data):
        self.chunks.append(data)


def page_text(source: str) -> tuple[str, list]:
    parser = _Text()
    parser.feed(source)
    parser.close()
    text = " ".join("".join(parser.chunks).replace("\u200b", "").split())
    return text, parser.tags


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    return [s for item in value for s in json_strings(item)] if isinstance(value, list) else []


def check_literal(out: Path, page: str, literal: str) -> None:
    source = (out / page).read_text(encoding="utf-8")
    if page.endswith(".json"):  # the search index and the API: strings hold escaped text, never markup
        strings = json_strings(json.loads(source))
        if "<" in literal:
            assert not any(literal in s for s in strings), f"{page}: {literal!r} appears as raw markup"
        text = " ".join(" ".join(html.unescape(s).replace("\u200b", "") for s in strings).split())
        assert " ".join(literal.split()) in text, f"{page}: {literal!r} is not in the text"
        return
    text, tags = page_text(source)
    wanted = " ".join(literal.split())
    assert wanted in text, f"{page}: {literal!r} is not shown as text"
    if "<" in literal:
        assert literal not in source, f"{page}: {literal!r} appears as raw markup"
    for tag, attrs in tags:
        names = {name.lower() for name, _ in attrs}
        assert not any(name.startswith("on") for name in names), f"{page}: event handler on <{tag}>: {attrs}"
        for _name, value in attrs:
            assert not (value or "").strip().lower().startswith(("javascript:", "data:text/html")), f"{page}: {attrs}"


def check_absent(out: Path, root: Path, values: list[str]) -> None:
    sources = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*")
                        if p.is_file() and not {".git", ".qms-cache"} & set(p.relative_to(root).parts))
    if (root / ".git").exists():
        sources += git(root, ["log", "--format=%an %ae %s %b"])
    for value in values:  # the case really plants each value in its input (files or commit messages)
        assert value in sources or html.unescape(value) in sources, f"{value!r} is not in the case's input"
    code, stdout, stderr = run_qms("scan-leaks", str(out), "--values", *values)
    assert code == 0, f"scan-leaks found values in the staff build:\n{stdout}{stderr}"


# --- the tests ----------------------------------------------------------------------------------

def test_every_listed_case_has_a_corpus_folder():
    listed = case_ids_from_table((CORPUS / "CASES.md").read_text(encoding="utf-8"))
    assert len(listed) == len(set(listed)) >= 90
    covered = {p.name[:3] for p in CASE_DIRS}
    assert sorted(set(listed) - covered) == []
    assert sorted(covered - set(listed)) == []


def test_cases_md_is_the_reference_table():
    """CASES.md holds the case rows of section 1 of the reference verbatim, when the reference is present."""
    reference = Path("/work/shared/reference/bad-inputs.md")
    if not reference.is_file():
        pytest.skip("the shared reference is not part of the repository (CI runs on a clean clone)")

    def rows(text: str) -> list[str]:
        return [line for line in text.splitlines() if re.match(r"\| [A-Z]\d{2} \|", line)]

    assert rows((CORPUS / "CASES.md").read_text(encoding="utf-8")) == rows(reference.read_text(encoding="utf-8"))


def placeholders(text: str, head: str) -> str:
    """{HEAD}: the commit the case built; {version:DIST}: the installed version of a distribution."""
    text = text.replace("{HEAD}", head)
    return re.sub(r"\{version:([\w.-]+)\}", lambda m: importlib.metadata.version(m[1]), text)


def check_covered_by(pointers: list[str]) -> None:
    """A case tested elsewhere names the test: the file must exist and define the test function."""
    for pointer in pointers:
        path, _, name = pointer.partition("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"{pointer}: no such test"


@pytest.mark.parametrize("case", list(_params()))
def test_case(case, corpus_base, published, tmp_path, monkeypatch):
    expected = _expectation(case)
    if "covered_by" in expected:
        check_covered_by(expected["covered_by"])
        return
    for name, value in expected.get("env", {}).items():
        monkeypatch.setenv(name, value)
    root = tmp_path / "manual"
    shutil.copytree(corpus_base, root)
    if (case / "files").is_dir():
        shutil.copytree(case / "files", root, dirs_exist_ok=True)
    out = tmp_path / "published" / "site"
    shutil.copytree(published, out, symlinks=True)
    root = apply_steps(root, out, expected.get("steps", []))
    if "out" in expected:
        out = root / expected["out"] if expected["out"] != "." else root
    repo_before = manual_hashes(root)
    before = tree_hashes(out) if out.is_dir() else None
    marker_existed = PWNED.exists()

    head = git(root, ["rev-parse", "HEAD"]) if (root / ".git").exists() else ""
    args = [a.replace("{HEAD}", head) for a in expected.get("args", [])]
    command = ("build", "--root", str(root), "--out", str(out), "--quiet", *args)
    if "file_size_limit" in expected:
        code, stdout, stderr = run_qms_limited(expected["file_size_limit"], *command)
    else:
        code, stdout, stderr = run_qms(*command)
    log = f"exit {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"

    assert PWNED.exists() == marker_existed, "something in the case was executed"
    assert "Traceback" not in stdout + stderr and "internal error" not in stderr, log
    assert code == expected["exit"], log
    found = reported(stdout)
    for want in expected.get("diagnostics", []):
        hits = [d for d in found if (d["code"], d["path"], d["line"], d["col"]) ==
                (want["code"], want["path"], want["line"], want.get("col", d["col"]))]
        assert hits, f"{case.name}: expected {want}\n{log}"
        if "message_contains" in want:
            assert any(want["message_contains"] in d["message"] for d in hits), f"{want}\n{log}"
    if expected.get("errors_exactly"):
        errors = sorted((d["code"], d["path"], d["line"], d["col"]) for d in found if d["severity"] == "error")
        assert errors == sorted((w["code"], w["path"], w["line"], w["col"]) for w in expected["diagnostics"]), log
    for text in expected.get("stderr_contains", []):
        assert text.replace("{HEAD}", head) in stderr, f"{text!r} not in the build's messages\n{log}"

    output = expected["output"]
    if output == "unchanged":
        assert code != 0 and "is unchanged" in stderr, log
        assert (tree_hashes(out) if out.is_dir() else None) == before, "the published site changed"
        assert manual_hashes(root) == repo_before, "the build changed the manual"
        assert not list(out.parent.glob(f".{out.name}.partial-*")), "a partial build was left behind"
        return
    assert set(output) <= OUTPUT_KEYS, output
    assert code == 0 and (out / "index.html").is_file(), log
    for page in output.get("pages", []):
        assert (out / page).is_file(), f"{page} is missing"
    for page in output.get("no_pages", []):
        assert not (out / page).exists(), f"{page} must not be built"
    for item in output.get("literal", []):
        check_literal(out, item["page"], placeholders(item["text"], head))
    if output.get("absent"):
        check_absent(out, root, output["absent"])
    if output.get("reproducible"):
        again = tmp_path / "again" / "site"
        assert run_qms("build", "--root", str(root), "--out", str(again), "--quiet", *args)[0] == 0
        assert tree_hashes(again) == tree_hashes(out), "two builds of the same input differ"


def test_b06_second_build_waits_for_the_lock(corpus_base, published, tmp_path):
    """B06: while another build holds the lock, a build waits before creating anything next to the published site."""
    out = tmp_path / "published" / "site"
    shutil.copytree(published, out, symlinks=True)
    before = tree_hashes(out)
    with open(out.parent / f".{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waiting = subprocess.Popen([sys.executable, "-m", "site_builder", "build", "--root", str(corpus_base), "--out", str(out),
                                    "--today", TODAY], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        try:
            lines = iter(waiting.stdout.readline, "")
            assert any("waiting for another build" in line for line in lines), "the second build did not wait"
            assert not list(out.parent.glob(f".{out.name}.partial-*")), "the waiting build already started writing"
            assert tree_hashes(out) == before
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
        waiting.communicate(timeout=600)
        assert waiting.returncode == 0
    assert (out / "index.html").is_file() and not list(out.parent.glob(f".{out.name}.partial-*"))
