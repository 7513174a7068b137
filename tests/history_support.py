"""Scripted git repositories with fixed dates for the history tests (issue 6)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("schemas", "mkdocs.yml", "qms.yaml", "organisation.yaml")

BODY_A0 = """## 1 目的

本程序规定客户满意度调查的方法和频次。

## 2 适用范围

本程序适用于本公司的全部客户。

## 3 职责

质量部负责每季度组织一次电话调查。
"""
BODY_A1 = BODY_A0.replace("全部客户", "新、老客户及代理商").replace("每季度", "每半年")


def document(doc_id: str = "QP-90", version: str = "A0", status: str = "effective", effective: str | None = "2024-01-01",
             revisions: list[str] | None = None, body: str = BODY_A0, approved: str | None = "2023-12-20",
             prepared: str = "2023-12-01", preparer: str = "唐振宇", title: str = "客户满意度调查程序",
             extra: str = "") -> str:
    """A controlled document; `revisions` are the flow-style entry lines (without the leading dash)."""
    revisions = revisions or [entry("A0", "2023-12-20", "首次发布")]
    lines = ["---", f"id: {doc_id}", f"title: {title}", "level: 2", f"version: {version}", f"status: {status}",
             "owner: 质量部", "summary: 测试用程序文件。", f"prepared_by: {{name: {preparer}, date: {prepared}}}"]
    if approved:
        lines.append(f"approved_by: {{name: 林秀琴, date: {approved}}}")
    if effective:
        lines.append(f"effective: {effective}")
    lines += ["review_period_months: 60", "distribution:", '  - {department: 质量部, copies: 1, copy_numbers: ["01"]}',
              "revisions:", *[f"  - {r}" for r in revisions], "related_documents: []", "related_forms: []"]
    return "\n".join(lines) + "\n" + extra + "---\n" + body


def entry(version: str, day: str, change: str, approver: str = "林秀琴", sections: str = "全文") -> str:
    return f"{{version: {version}, date: {day}, sections: {sections}, change: {change}, approved_by: {approver}}}"


class Repo:
    def __init__(self, path: Path, user: str = "qms-dev") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, path / name, dirs_exist_ok=True)
            else:
                shutil.copy(source, path / name)
        (path / "procedures").mkdir(exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", user)
        self.git("config", "user.email", "qms@example.invalid")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, when: str | None = None) -> str:
        env = {**os.environ, "LC_ALL": "C"}
        if when:
            env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        done = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, text=True, env=env, check=True)
        return done.stdout.strip()

    def write(self, relative: str, text: str) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        return target

    def commit(self, message: str, when: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, when=when)
        return self.git("rev-parse", "HEAD")

    def qms(self, *args: str, today: str = "2025-06-01") -> subprocess.CompletedProcess:
        env = {**os.environ, "QMS_TODAY": today, "PYTHONPATH": str(ROOT)}
        return subprocess.run([sys.executable, "-m", "site_builder", *args, "--root", str(self.path)],
                              capture_output=True, text=True, env=env, cwd=self.path)


def two_versions(path: Path) -> Repo:
    """The issue's scenario: QP-90 A0 effective 2024-01-01, A1 effective 2025-03-01."""
    repo = Repo(path)
    repo.write("procedures/QP-90-survey.md", document())
    repo.commit("QP-90 A0 首次发布", "2023-12-20T10:00:00+08:00")
    repo.write("procedures/QP-90-survey.md", a1_document())
    repo.commit("QP-90 A1 扩大适用范围", "2025-02-20T10:00:00+08:00")
    return repo


def a1_document(body: str = BODY_A1) -> str:
    return document(version="A1", effective="2025-03-01", approved="2025-02-15", prepared="2025-02-01", body=body,
                    revisions=[entry("A0", "2023-12-20", "首次发布"), entry("A1", "2025-02-15", "扩大适用范围")])
