"""Fixture repository and helpers for the end-to-end build tests (issue 3).

Not a pytest conftest: imported explicitly by tests/e2e/test_build_*.py.  A small manual is
written into a temporary folder: the shipped schemas and settings, three effective documents,
a draft, a document in review, an approved (not yet effective) and an obsolete document, one
form and one record.  Injection payloads (script tags, event handlers, javascript: links,
template and Markdown syntax) sit in titles, bodies, revision entries, the form and the record
wherever the schemas allow them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
TODAY = "2026-11-23"
#: a day on or after the newest step in the shipped manual's own history (its tests check it as of then)
SHIPPED_TODAY = "2026-12-06"
COPIED = ("schemas", "mkdocs.yml", "qms.yaml", "organisation.yaml")

# Payloads (bad-inputs.md X01-X07).
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}"
RAW = "{% raw %}"
MARKDOWN = "**x** | a | b"
JS_LINK = "[x](javascript:alert(1))"
ALL_PAYLOADS = f"{SCRIPT} {IMG} {TEMPLATE} {RAW} {MARKDOWN} {JS_LINK}"

# Choice values of the form: they reach the record summary page as the values of record fields.
CHOICE_A = f"甲类 {SCRIPT} {IMG}"
CHOICE_B = f"乙类 {TEMPLATE} {RAW} {MARKDOWN} {JS_LINK}"

EFFECTIVE = ("QP-11", "QP-12", "WI-11")
# Documents that must not reach the staff build: id -> (status, unique marker in title and body).
HIDDEN = {
    "QP-71": ("draft", "draftmarker7q1"),
    "QP-72": ("in_review", "reviewmarker7q2"),
    "QP-73": ("obsolete", "obsoletemarker7q3"),
    "QP-74": ("approved", "approvedmarker7q4"),
}
FORM = "QR-12-01"
RECORD = "TST-2026-001"
RECORD_MARKER = "recordmarker5k8"
DEPARTMENTS = ("dcc", "qa", "cs")


def _quote(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


def document(doc_id: str, title: str, body: str, *, status: str = "effective", owner: str = "文控中心",
             level: int | None = None, preparer: str = "何雨桐", reviewer: str = "唐振宇", approver: str = "林秀琴",
             related_documents: str = "[]", related_forms: str = "[]", copy_numbers: tuple[str, ...] = ("01", "02"),
             change: str = "首次发布") -> str:
    level = level or {"QM": 1, "QP": 2, "WI": 3}[doc_id.split("-")[0]]
    lines = [
        "---",
        f"id: {doc_id}",
        f"title: {_quote(title)}",
        f"level: {level}",
        "version: A0",
        f"status: {status}",
        f"owner: {owner}",
        f"summary: {_quote(title + '。')}",
        f"prepared_by: {{name: {preparer}, date: 2024-12-01}}",
    ]
    if status != "draft":
        lines.append(f"reviewed_by: {{name: {reviewer}, date: 2024-12-10}}")
    if status in ("approved", "effective", "obsolete"):
        lines.append(f"approved_by: {{name: {approver}, date: 2024-12-20}}")
    if status in ("effective", "obsolete"):
        lines.append("effective: 2025-01-01")
    if status == "approved":
        lines.append("effective: 2027-01-01")
    if status == "obsolete":
        lines.append("obsoleted: 2026-06-01")
    copies = ", ".join(f'"{n}"' for n in copy_numbers)
    lines += [
        "review_period_months: 36",
        "distribution:",
        f"  - {{department: {owner}, copies: {len(copy_numbers)}, copy_numbers: [{copies}]}}",
        "revisions:",
        f"  - {{version: A0, date: 2024-12-20, sections: 全文, change: {_quote(change)}, approved_by: {approver}}}",
        f"related_documents: {related_documents}",
        f"related_forms: {related_forms}",
        "---",
    ]
    return "\n".join(lines) + "\n" + body


BODY_INJECTION = f"""## 1 目的

规定受控文件的编制、审核、批准和发放。

## 2 注入测试

脚本：{SCRIPT}

图片：{IMG}

模板：{TEMPLATE} 以及 {RAW} 和 {{% endraw %}}

表格语法：{MARKDOWN}

## 3 职责

文控中心负责文件的登记和分发。
"""

BODY_PLAIN = """## 1 目的

规定{what}。

## 2 适用范围

适用于本公司全部{what}。
"""

FORM_YAML = f"""# yaml-language-server: $schema=../schemas/form.schema.json
id: {FORM}
title: {_quote("测试记录表 " + SCRIPT)}
version: A0
status: effective
procedure: QP-12
owner: 质量部
effective: 2025-01-01
retention: {{years: 3, note: {_quote("质量部归档保存 " + TEMPLATE)}}}
description: {_quote("用于端到端测试的表单。" + IMG)}
record_prefix: TST
revisions:
  - {{version: A0, date: 2024-12-20, sections: 全文, change: 首次发布, approved_by: 林秀琴}}
fields:
  subject: {{label: 主题, type: string, required: true}}
  category: {{label: 类别, type: choice, choices: [{_quote(CHOICE_A)}, {_quote(CHOICE_B)}, 丙类], required: true}}
  narrative: {{label: 情况说明, type: text}}
  remarks: {{label: 备注, type: string, help: {_quote("例如 " + MARKDOWN)}}}
  checked_on: {{label: 检查日期, type: date}}
"""

RECORD_YAML = f"""# yaml-language-server: $schema=../../schemas/records/{FORM}.schema.json
id: {RECORD}
form: {FORM}
date: 2026-03-01
subject: {_quote(RECORD_MARKER + " " + SCRIPT)}
category: {_quote(CHOICE_B)}
narrative: {_quote(ALL_PAYLOADS)}
remarks: {_quote(MARKDOWN + " " + JS_LINK + " " + TEMPLATE)}
checked_on: 2026-03-02
"""


def make_repo(path: Path) -> Path:
    """Write the fixture manual into `path` (which must not exist yet)."""
    path.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, path / name, ignore=shutil.ignore_patterns("records"))
        else:
            shutil.copy(source, path / name)
    procedures = path / "procedures"
    procedures.mkdir()
    files = {
        "QP-11-document-control.md": document(
            "QP-11", f"文件控制程序 {SCRIPT} {TEMPLATE} {MARKDOWN} {RAW}", BODY_INJECTION,
            related_documents="[QP-12]", related_forms=f"[{FORM}]", change=f"首次发布 {SCRIPT} {TEMPLATE} {MARKDOWN}"),
        "QP-12-record-control.md": document(
            "QP-12", "记录控制程序", BODY_PLAIN.format(what="记录的填写、标识和保存"), owner="质量部",
            related_forms=f"[{FORM}]", copy_numbers=("01",)),
        "WI-11-hotline.md": document(
            "WI-11", "服务热线作业指导书", BODY_PLAIN.format(what="服务热线的受理"), owner="客户服务部",
            approver="郑嘉怡", reviewer="吴昊", preparer="孙悦", copy_numbers=("01", "02", "03")),
    }
    for doc_id, (status, marker) in HIDDEN.items():
        files[f"{doc_id}-{status}.md"] = document(
            doc_id, f"{marker} 不应发布的程序", f"## 1 目的\n\n{marker} 正文不应出现在员工站点中。\n", status=status,
            owner="质量部")
    for name, text in files.items():
        (procedures / name).write_text(text, encoding="utf-8")
    (path / "forms").mkdir()
    (path / "forms" / f"{FORM}.yaml").write_text(FORM_YAML, encoding="utf-8")
    (path / "records" / FORM).mkdir(parents=True)
    (path / "records" / FORM / f"{RECORD}.yaml").write_text(RECORD_YAML, encoding="utf-8")
    # Record schemas are derived from the forms: regenerate them for our form only.
    shutil.rmtree(path / "schemas" / "records", ignore_errors=True)
    done = qms(path, "schemas")
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "QMS_TODAY": TODAY, "PYTHONDONTWRITEBYTECODE": "1"}


def qms(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `python -m site_builder <args> --root <root> --today TODAY` like a user would."""
    command, rest = args[0], args[1:]
    return subprocess.run([PYTHON, "-m", "site_builder", command, "--root", str(root), "--today", TODAY, *rest],
                          capture_output=True, text=True, cwd=root, env=env(), timeout=timeout)


def build(root: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return qms(root, "build", "--out", str(out), *extra)


def build_command(root: Path, out: Path) -> list[str]:
    return [PYTHON, "-m", "site_builder", "build", "--root", str(root), "--today", TODAY, "--out", str(out), "--quiet"]


def tree_hashes(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file (and 'dir' for every folder, 'link' for symlinks) under `folder`."""
    found: dict[str, str] = {}
    for directory, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            found[os.path.relpath(os.path.join(directory, name), folder)] = "dir"
        for name in filenames:
            full = os.path.join(directory, name)
            relative = os.path.relpath(full, folder)
            if os.path.islink(full):
                found[relative] = "link:" + os.readlink(full)
            else:
                with open(full, "rb") as handle:
                    found[relative] = hashlib.sha256(handle.read()).hexdigest()
    return found


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
