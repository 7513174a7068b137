"""The build stamp: commit, working-tree state and build time (SOURCE_DATE_EPOCH honoured)."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from site_builder import __version__


def build_info(root: Path, audience: str) -> dict:
    commit, dirty, shallow = _git_state(root)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return {
        "commit": commit, "dirty": dirty, "shallow": shallow, "audience": audience,
        "built_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "tool_version": __version__,
    }


def stamp_text(info: dict) -> str:
    commit = (info.get("commit") or "无 git 提交")[:12]
    state = "，工作区有未提交的修改" if info.get("dirty") else ""
    return f"构建自提交 {commit}{state} · 构建时间 {info.get('built_at')} (UTC) · qms-site {info.get('tool_version')}"


def _git_state(root: Path) -> tuple[str | None, bool, bool]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30,
                                  env={**os.environ, "LC_ALL": "C"})
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None, False, False
    status = git("status", "--porcelain", "--", "procedures", "forms", "records", "schemas", "organisation.yaml",
                 "qms.yaml")
    shallow = git("rev-parse", "--is-shallow-repository") == "true"
    return commit, bool(status), shallow
