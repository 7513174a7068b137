"""Issue 24: approvals nobody can forge.  Scripted repositories with keys made by ssh-keygen during the
test: `approve` commits the approval signed with the approver's key, and `check` verifies every
approval commit against the keys organisation.yaml registers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import two_versions  # noqa: E402

from site_builder.check.run import check  # noqa: E402
from site_builder.cli import main  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="signing needs ssh-keygen (openssh-client)")

PATH = "procedures/QP-90-survey.md"
APPROVED = "2025-06-02T10:00:00+08:00"


def keypair(folder: Path, name: str) -> tuple[Path, str]:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"test key {name}", "-f", str(key)], check=True)
    return key, key.with_name(name + ".pub").read_text(encoding="utf-8").strip()


def register(repo, keys: dict[str, list]) -> None:
    """Give the people of organisation.yaml these signing_keys (none for anyone else)."""
    text = (repo.path / "organisation.yaml").read_text(encoding="utf-8")
    text = re.sub(r", signing_keys: \[[^\]]*\]", "", text)
    for name, entries in keys.items():
        items = ", ".join(json.dumps(e, ensure_ascii=False) for e in entries)
        text = re.sub(rf"(  - \{{name: {name}, [^\n]*?)\}}\n", rf"\1, signing_keys: [{items}]}}\n", text, count=1)
    repo.write("organisation.yaml", text)


def setting(repo, mode: str, since: str = "2025-05-01") -> None:
    text = (repo.path / "qms.yaml").read_text(encoding="utf-8")
    text = re.sub(r"signed_approvals: \w+", f"signed_approvals: {mode}", text)
    text = re.sub(r"signed_approvals_from: [0-9-]+", f"signed_approvals_from: {since}", text)
    repo.write("qms.yaml", text)


@pytest.fixture
def scenario(tmp_path, monkeypatch):
    """QP-90 A1 in force; keys for 林秀琴 and 周启航; signing required from 2025-05-01; A2 drafted and committed."""
    repo = two_versions(tmp_path / "repo")
    keys = {name: keypair(tmp_path, name) for name in ("lin", "zhou", "stranger")}
    register(repo, {"林秀琴": [keys["lin"][1]], "周启航": [keys["zhou"][1]]})
    setting(repo, "require")
    repo.commit("keys and signing", "2025-04-01T10:00:00+08:00")
    assert main(["revise", "QP-90", "--change", "调整调查频次", "--root", str(repo.path), "--today", "2025-06-01"]) == 0
    repo.commit("QP-90 A2 draft", "2025-06-01T10:00:00+08:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", APPROVED)
    monkeypatch.setenv("GIT_COMMITTER_DATE", APPROVED)
    return repo, keys


def use_key(repo, key: Path | None) -> None:
    repo.git("config", "gpg.format", "ssh")
    if key is None:
        repo.git("config", "--unset", "user.signingkey")
    else:
        repo.git("config", "user.signingkey", str(key))


def approve(repo, *extra: str) -> int:
    return main(["approve", "QP-90", "--by", "林秀琴", *extra, "--root", str(repo.path), "--today", "2025-06-02"])


def commit_by_hand(repo, key: Path | None) -> None:
    signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "commit", "-q", "-S"] if key else ["commit", "-q"]
    repo.git("add", PATH)
    repo.git(*signing, "-m", "批准 QP-90 A2：林秀琴", when=APPROVED)


def status(repo, version: str = "A2") -> tuple[str, list]:
    result = check(repo.path, __import__("datetime").date(2025, 6, 3))
    found = [d for d in result.diagnostics if d.code == "SB422"]
    return result.history.signatures[("QP-90", version)].status, found


def test_approve_commits_the_approval_signed_and_check_verifies_it(scenario):
    repo, keys = scenario
    use_key(repo, keys["lin"][0])
    assert approve(repo) == 0
    assert repo.git("status", "--porcelain") == ""  # committed, that file alone
    assert repo.git("log", "-1", "--format=%s") == "批准 QP-90 A2：林秀琴"
    state, found = status(repo)
    assert (state, found) == ("verified", [])
    result = check(repo.path, __import__("datetime").date(2025, 6, 3)).history.signatures[("QP-90", "A2")]
    assert result.signer == "林秀琴" and result.key.startswith("SHA256:") and result.signed_at.startswith("2025-06-02")


def test_approve_refuses_a_key_that_is_not_the_approvers_and_explains_signing(scenario):
    repo, keys = scenario
    before = (repo.path / PATH).read_bytes()
    use_key(repo, keys["zhou"][0])
    assert approve(repo) == 1
    use_key(repo, None)
    assert approve(repo) == 1
    assert (repo.path / PATH).read_bytes() == before and repo.git("status", "--porcelain") == ""


@pytest.mark.parametrize(("signer", "expected"), [("zhou", "wrong_signer"), ("stranger", "invalid"), (None, "unsigned")])
def test_an_approval_not_signed_by_the_approver_fails_check_at_its_line(scenario, signer, expected):
    repo, keys = scenario
    assert approve(repo, "--no-commit") == 0
    commit_by_hand(repo, keys[signer][0] if signer else None)
    state, found = status(repo)
    assert state == expected
    assert len(found) == 1 and found[0].severity == "error" and found[0].path == PATH
    text = (repo.path / PATH).read_text(encoding="utf-8").split("\n")
    assert text[found[0].line - 1].startswith("approved_by:")


def test_a_rebase_that_drops_the_signature_is_caught(scenario):
    repo, keys = scenario
    use_key(repo, keys["lin"][0])
    assert approve(repo) == 0
    assert status(repo)[0] == "verified"
    repo.git("commit", "--amend", "--no-edit", "--no-gpg-sign", when=APPROVED)  # what a rebase without -S makes
    assert status(repo)[0] == "unsigned"


@pytest.mark.parametrize(("valid_to", "expected"), [("2025-12-31", "verified"), ("2025-05-15", "invalid")])
def test_a_retired_key_keeps_the_approvals_it_made_and_signs_no_later_one(scenario, valid_to, expected):
    repo, keys = scenario
    register(repo, {"林秀琴": [{"key": keys["lin"][1], "valid_from": "2025-01-01", "valid_to": valid_to}],
                    "周启航": [keys["zhou"][1]]})
    repo.commit("林秀琴's key retired", "2025-06-01T12:00:00+08:00")
    assert approve(repo, "--no-commit") == 0
    commit_by_hand(repo, keys["lin"][0])
    assert status(repo)[0] == expected


def test_warn_off_and_approvals_before_the_start_date(scenario):
    repo, keys = scenario
    assert approve(repo, "--no-commit") == 0
    commit_by_hand(repo, None)
    setting(repo, "warn")
    state, found = status(repo)
    assert state == "unsigned" and [d.severity for d in found] == ["warning"]
    setting(repo, "off")
    assert status(repo) == ("not_required", [])
    setting(repo, "require", since="2025-07-01")
    assert status(repo) == ("not_required", [])
    assert status(repo, "A1")[0] == "not_required"  # (released in 2025-02, long before)


def test_keys_are_checked(scenario):
    repo, keys = scenario
    register(repo, {"林秀琴": ["ssh-ed25519 not-base64!"], "周启航": [keys["lin"][1]], "唐振宇": [keys["lin"][1]]})
    codes = sorted(d.code for d in check(repo.path, __import__("datetime").date(2025, 6, 3)).diagnostics
                   if d.code in ("SB420", "SB421"))
    assert codes == ["SB420", "SB421"]


def test_the_auditor_history_page_shows_the_signature(scenario, tmp_path):
    repo, keys = scenario
    use_key(repo, keys["lin"][0])
    assert approve(repo) == 0
    assert main(["make-effective", "QP-90", "--root", str(repo.path), "--today", "2025-06-02"]) == 0
    repo.commit("QP-90 A2 effective", APPROVED)
    site = tmp_path / "auditor"
    env = {**os.environ, "QMS_TODAY": "2025-06-03"}
    done = subprocess.run([sys.executable, "-m", "site_builder", "build", "--audience", "auditor", "--out", str(site),
                           "--quiet", "--root", str(repo.path)], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stdout + done.stderr
    page = (site / "history" / "QP-90" / "index.html").read_text(encoding="utf-8")
    assert "签名已验证" in page and "林秀琴" in page and "SHA256:" in page
    history = json.loads((site / "api" / "history.json").read_text(encoding="utf-8"))
    a2 = next(v for v in history[0]["versions"] if v["version"] == "A2")
    assert a2["signature"]["status"] == "verified" and a2["signature"]["signer"] == "林秀琴"
