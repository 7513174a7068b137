"""`approve` signs (issue 24): the approval is a git commit of that one file, signed with the
approver's SSH key (git's `gpg.format ssh` and `user.signingkey`), which must be one of the keys
organisation.yaml registers for the approver, valid that day.

Whether an approval must be signed follows qms.yaml `change_control.signed_approvals` (off, warn,
require) and `signed_approvals_from`; `check` verifies the commits (history/signatures.py).
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

from site_builder.history.gitlog import GitError, git
from site_builder.model.manual import Manual

HOW_TO = ("configure signing with your SSH key: `git config gpg.format ssh` and `git config user.signingkey "
          "~/.ssh/id_ed25519.pub`, and register that public key under your signing_keys in organisation.yaml")


class SigningRefused(Exception):
    """The approval cannot be signed as required; nothing was written."""


def signing_required(manual: Manual, day: date) -> bool:
    config = manual.config
    return config.signed_approvals != "off" and (config.signed_approvals_from is None or day >= config.signed_approvals_from)


def check_signer(root: Path, manual: Manual, approver: str, day: date) -> str:
    """The approver's public key that git is configured to sign with; refuses when there is none or
    it is not one of the approver's registered keys valid on `day`."""
    key = configured_key(root)
    if key is None:
        raise SigningRefused(f"approvals are signed (change_control.signed_approvals in qms.yaml), but git has no SSH "
                             f"signing key configured: {HOW_TO}; or use --no-commit and commit it signed yourself")
    person = manual.organisation.person(approver)
    registered = [k for k in person.signing_keys if k.key == key]
    if not registered:
        raise SigningRefused(f"the key git signs with ({key[:40]}…) is not one of {approver}'s signing_keys in "
                             "organisation.yaml: the approval must be signed by the approver's own key")
    if not any(k.valid_on(day) for k in registered):
        raise SigningRefused(f"{approver}'s key {key[:40]}… is not valid on {day} (valid_from/valid_to in organisation.yaml)")
    return key


def configured_key(root: Path) -> str | None:
    """`type data` of the public key of git's `user.signingkey` when `gpg.format` is ssh, else None."""
    if _config(root, "gpg.format") != "ssh":
        return None
    value = _config(root, "user.signingkey")
    if not value:
        return None
    if value.startswith("key::"):
        line = value[5:]
    elif value.startswith(("ssh-", "ecdsa-", "sk-")):
        line = value
    else:
        path = Path(os.path.expanduser(value))
        public = path if path.suffix == ".pub" else path.with_name(path.name + ".pub")
        try:
            line = public.read_text(encoding="utf-8") if public.is_file() else subprocess.run(
                ["ssh-keygen", "-y", "-f", str(path)], capture_output=True, text=True, timeout=30, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            return None
    parts = line.split()
    return " ".join(parts[:2]) if len(parts) >= 2 else None


def commit_signed(root: Path, path: Path, message: str) -> None:
    """Commit `path` alone, signed (raises GitError when git cannot)."""
    relative = path.relative_to(root).as_posix()
    git(root, "add", "--", relative)
    git(root, "commit", "-q", "-S", "-m", message, "--", relative)


def _config(root: Path, key: str) -> str:
    try:
        return git(root, "config", "--get", key).decode("utf-8", "replace").strip()
    except GitError:
        return ""
