"""`serve` rebuilds take over the previous build's results where their inputs are unchanged
(reuse.py).  After every kind of edit an author makes, the rebuilt site and diagnostics must be
exactly those of a build from scratch, and the untouched parts must really have been reused."""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from site_builder.build import Build, Options, generate
from site_builder.fast import check_cache as cache
from site_builder.render import links

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 6)
SHIPPED = ("procedures", "forms", "records", "external", "schemas", "qms.yaml", "organisation.yaml", "mkdocs.yml")


@pytest.fixture(scope="module")
def manual(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reuse") / "manual"
    root.mkdir()
    for name in SHIPPED:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    # a file changed within the last RACY_NS is never reused: let the copy age past that
    time.sleep(cache.RACY_NS / 1e9 + 0.2)
    return root


@pytest.fixture(autouse=True)
def _fixed_build_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # (no git here: the stamp would otherwise say "now")


def site_of(generated) -> dict:
    site = generated.site
    return {"pages": site.pages, "files": site.files, "nav": site.nav, "not_in_nav": site.not_in_nav}


def serving(root: Path, audience: str = "staff") -> Build:
    """The Build of a serve session: its rebuilds take over the previous one's results (Build.reuse)."""
    return Build(Options(root, TODAY, audience, serve=True))


def rebuild(root: Path, serve: Build, audience: str = "staff"):
    """A serve rebuild and a build from scratch of the same state: (rebuilt, fresh, what was reused)."""
    rebuilt, reuse = serve.generate(), serve.reuse
    hits = dict(reuse.hits)
    reuse.finish() if rebuilt.site is not None else reuse.abandon()
    fresh = generate(root, TODAY, audience, use_cache=False, serve=True)  # (serve's preview, from scratch)
    return rebuilt, fresh, hits


def assert_same(rebuilt, fresh) -> None:
    assert rebuilt.check.diagnostics == fresh.check.diagnostics
    assert (rebuilt.site is None) == (fresh.site is None)
    if fresh.site is not None:
        rebuilt_site, fresh_site = site_of(rebuilt), site_of(fresh)
        for part in ("pages", "files"):
            differ = sorted(k for k in rebuilt_site[part].keys() | fresh_site[part].keys()
                            if rebuilt_site[part].get(k) != fresh_site[part].get(k))
            assert not differ, f"{part} differ from a build from scratch: {differ[:20]}"
        assert rebuilt_site == fresh_site


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("audience", ["staff", "auditor"])
def test_every_rebuild_equals_a_build_from_scratch_and_reuses_what_is_unchanged(manual, tmp_path, audience):
    root = tmp_path / "manual"
    shutil.copytree(manual, root, copy_function=shutil.copy2)
    time.sleep(cache.RACY_NS / 1e9 + 0.2)
    reuse = serving(root, audience)
    first, fresh, hits = rebuild(root, reuse, audience)
    assert_same(first, fresh)
    assert hits.get("file", 0) == 0 and hits.get("records", 0) == 0  # nothing to take over yet
    manual_model = fresh.check.manual
    owners = {form.procedure for form in manual_model.forms}
    # (a document setting objectives is read by the record pages too: findings cite its clauses)
    plain = next(d for d in manual_model.documents if d.id not in owners and not d.objectives and d.status == "effective")
    owner = next(d for d in manual_model.documents if d.id in owners and d.status == "effective")
    files = len(fresh.check.manual.records) + len(manual_model.documents) + len(manual_model.forms)

    # the body of a procedure owning no form and setting no objective: every other file check and all record
    # pages are reused
    append(root / plain.path, "\n补充说明：本段为预览时的修改。\n")
    rebuilt, fresh, hits = rebuild(root, reuse, audience)
    assert_same(rebuilt, fresh)
    assert hits["file"] == files - 1 and hits["records"] == 1
    visible = [d for d in manual_model.documents if audience == "auditor" or d.status == "effective"]
    assert hits["document pages"] == len(visible) - 1
    assert "本段为预览时的修改" in rebuilt.site.pages[links.document_page(plain.id)]

    # the body of the procedure owning the complaint form: findings cite its clauses, so the record pages are rebuilt
    complaint = root / "records" / "QR-05-01" / "CMP-2025-001.yaml"
    owner = manual_model.document(manual_model.form("QR-05-01").procedure)
    before = rebuilt.site.pages["api/findings.json"]
    text = (root / owner.path).read_text(encoding="utf-8")
    (root / owner.path).write_text(text[:owner_body_start(text)] + "\n## 1 目的\n\n预览时删去了其余条款。\n", encoding="utf-8")
    rebuilt, fresh, hits = rebuild(root, reuse, audience)
    assert_same(rebuilt, fresh)
    assert hits.get("records", 0) == 0 and hits["file"] >= files - 2  # (the first edit may still be too recent)
    assert rebuilt.site.pages["api/findings.json"] != before

    # one record's value, then a record removed and a new one added
    before = rebuilt.site.pages["api/records.json"]
    text = complaint.read_text(encoding="utf-8")
    rebuilt, _, hits = edit_and_rebuild(root, reuse, audience, lambda: replace_once(
        complaint, "replied: 2025-01-15\n", "replied: 2025-02-15\n"))
    assert hits["record"] == len(manual_model.records) - 1
    assert rebuilt.site.pages["api/records.json"] != before
    copy = complaint.with_name("CMP-2025-901.yaml")
    edit_and_rebuild(root, reuse, audience, lambda: (complaint.unlink(), copy.write_text(
        text.replace("id: CMP-2025-001", "id: CMP-2025-901"), encoding="utf-8")))
    edit_and_rebuild(root, reuse, audience, lambda: (copy.unlink(), complaint.write_text(text, encoding="utf-8")))

    # a rule of a form (a follow-up window): rules are data the record pages and record checks read
    before = rebuilt.site.pages["api/records.json"]
    rebuilt, _, _ = edit_and_rebuild(root, reuse, audience, lambda: replace_once(
        root / "forms" / "QR-21-01.yaml", "有偿维修: 10,", "有偿维修: 1,"))
    assert rebuilt.site.pages["api/records.json"] != before

    # the title of a document that other documents link to: their pages show it
    linked = next(d for d in manual_model.documents if any(d.id in o.related_documents for o in manual_model.documents))
    edit_and_rebuild(root, reuse, audience, lambda: replace_once(root / linked.path, f"title: {linked.title}",
                                                                 f"title: {linked.title}（修订稿）"))

    # the configuration, the organisation, and the date all records are judged against
    edit_and_rebuild(root, reuse, audience, lambda: append(root / "qms.yaml", "\n# 预览时修改\n"))
    edit_and_rebuild(root, reuse, audience, lambda: append(root / "organisation.yaml", "\n# 预览时修改\n"))

    # an error stops the rebuild; fixing it again gives the site from scratch
    broken = (root / plain.path).read_text(encoding="utf-8")
    rebuilt, _, _ = edit_and_rebuild(root, reuse, audience,
                                     lambda: (root / plain.path).write_text("---\nid: [\n---\n", encoding="utf-8"))
    assert rebuilt.site is None
    edit_and_rebuild(root, reuse, audience, lambda: (root / plain.path).write_text(broken, encoding="utf-8"))


def owner_body_start(text: str) -> int:
    """Where the body starts: after the closing `---` of the front matter."""
    return text.index("\n---\n", 4) + len("\n---\n")


def edit_and_rebuild(root: Path, reuse: Build, audience: str, edit):
    edit()
    rebuilt, fresh, hits = rebuild(root, reuse, audience)
    assert_same(rebuilt, fresh)
    return rebuilt, fresh, hits


def test_a_file_rewritten_with_the_same_size_and_time_is_checked_again(manual, tmp_path):
    """A file rewritten to the same size with its old modification time put back: its change time
    is new (and too recent to trust), so its result is not taken over."""
    root = tmp_path / "manual"
    shutil.copytree(manual, root, copy_function=shutil.copy2)
    time.sleep(cache.RACY_NS / 1e9 + 0.2)
    reuse = serving(root)
    rebuild(root, reuse)
    path = next((root / "procedures").glob("*.md"))
    stat = os.stat(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("。", "；", 1), encoding="utf-8")  # same size in bytes
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    rebuilt, fresh, hits = rebuild(root, reuse)
    assert_same(rebuilt, fresh)
    assert hits["file"] < len(fresh.check.manual.records) + len(fresh.check.manual.documents) + len(fresh.check.manual.forms)
