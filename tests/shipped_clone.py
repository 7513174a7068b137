"""A clone of this repository with the working tree's content committed, for end-to-end tests that
take the document controller's steps on the shipped manual (issues 10, 27, 28).

The commands run from this checkout (`cwd=ROOT`), so they exercise the code under test, not the
clone's committed copy; git dates are fixed to the scenario's day.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ("procedures", "forms", "records", "external", "schemas", "qms.yaml", "organisation.yaml", "mkdocs.yml")


def env(day: date) -> dict[str, str]:
    stamp = f"{day.isoformat()}T09:00:00+08:00"
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "QMS_"))}, "NO_MKDOCS_2_WARNING": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "LC_ALL": "C.UTF-8"}


def run(where: Path, *args: str, day: date, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(list(args), cwd=where, capture_output=True, text=True, env=env(day), timeout=900)
    if check:
        assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done


def qms(repo: Path, *args: str, today: date, check: bool = True) -> subprocess.CompletedProcess:
    return run(ROOT, sys.executable, "-m", "site_builder", *args, "--root", str(repo), "--today", today.isoformat(),
               day=today, check=check)


def commit(repo: Path, message: str, day: date) -> None:
    run(repo, "git", "add", "-A", day=day)
    run(repo, "git", "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", message, day=day)


def clone_shipped(target: Path, user: str, day: date) -> Path:
    """`target`: a clone of this repository (full history) with the working tree's content committed
    by `user` (a person of organisation.yaml) on `day`."""
    shallow = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"], capture_output=True, text=True)
    if shallow.returncode != 0 or shallow.stdout.strip() != "false":
        pytest.skip("needs the repository with its full git history (change control reads it)")
    run(ROOT, "git", "clone", "-q", "--no-hardlinks", str(ROOT), str(target), day=day)
    for name in CONTENT:
        path = target / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, path)
    run(target, "git", "config", "user.name", user, day=day)
    run(target, "git", "config", "user.email", "dcc@example.invalid", day=day)
    commit(target, "content of the working tree", day)
    return target


KEYS = {"周启航": "zhou-qihang", "林秀琴": "lin-xiuqin", "郑嘉怡": "zheng-jiayi", "赵振东": "zhao-zhendong",
        "黄志强": "huang-zhiqiang"}


def sign_as(repo: Path, name: str, day: date) -> Path:
    """Make git in `repo` commit as `name`, signing with the test key organisation.yaml registers for them
    (tests/fixtures/signing; copied with mode 600, which ssh-keygen insists on)."""
    source = ROOT / "tests" / "fixtures" / "signing" / f"{KEYS[name]}.test-key"
    key = repo.parent / f".{KEYS[name]}.key"
    shutil.copy(source, key)
    key.chmod(0o600)
    shutil.copy(source.with_name(source.name + ".pub"), key.with_name(key.name + ".pub"))
    for setting, value in (("user.name", name), ("gpg.format", "ssh"), ("user.signingkey", str(key))):
        run(repo, "git", "config", setting, value, day=day)
    return key
