"""Signed approvals (issue 24): is each approval a git commit signed with a key of its approver?

The commit that released a version (the first to carry it approved) is the approval.  Git checks
its signature against an allowed-signers list made from the `signing_keys` of organisation.yaml
(each key valid from `valid_from` to `valid_to`, checked at the commit's date), and the signer it
names must be the version's approver.  Each approval gets one status:

* `verified`: a good signature by a key of the approver, valid on that day;
* `unsigned`: no signature (also a commit re-made by a rebase that dropped it);
* `invalid`: a bad signature, or a key that is not registered or not valid on that day;
* `wrong_signer`: a good signature by a registered key of someone else;
* `not_required`: signing is `off`, the approval was committed before `signed_approvals_from`, or
  the version is history brought over from before the repository.

Only the approval commits are verified, with one `git log --no-walk` per run for the commits not
verified before; results are kept per commit and per allowed-signers list (in memory for serve,
and in `.qms-cache/signatures.json`), so a long history is not verified again on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.fast.check_cache import own_folder
from site_builder.history.timeline import Timeline, Version
from site_builder.model.manual import Manual, Organisation

STATUS_LABELS = {"verified": "签名已验证", "unsigned": "未签名", "invalid": "签名无效", "wrong_signer": "签名人不符",
                 "not_required": "无需签名"}
CACHE_FILE = "signatures.json"
_BATCH = 400


@dataclass(frozen=True, slots=True)
class ApprovalSignature:
    status: str
    approver: str = ""
    signer: str | None = None
    key: str | None = None  # SHA256 fingerprint of the signing key
    signed_at: str | None = None  # the commit's date and time, ISO 8601
    commit: str | None = None

    def as_json(self) -> dict:
        return {"status": self.status, "signer": self.signer, "key": self.key, "signed_at": self.signed_at}


class SignatureMemo:
    """Verified commits: (allowed-signers digest, commit) -> (git's %G?, principal, key fingerprint)."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, str], tuple[str, str, str]] = {}


def allowed_signers(organisation: Organisation) -> tuple[str, dict[str, str]]:
    """The allowed-signers text for git (principals qms-1, qms-2, ...) and principal -> person name."""
    lines, names = [], {}
    for index, person in enumerate(organisation.people, 1):
        principal = f"qms-{index}"
        for signing in person.signing_keys:
            options = ['namespaces="git"']
            if signing.valid_from:
                options.append(f'valid-after="{signing.valid_from:%Y%m%d}"')
            if signing.valid_to:  # (valid_to is the last valid day; valid-before is exclusive)
                options.append(f'valid-before="{signing.valid_to + timedelta(days=1):%Y%m%d}"')
            lines.append(f"{principal} {','.join(options)} {signing.key}")
            names[principal] = person.name
    return "".join(line + "\n" for line in lines), names


def approval_signatures(root: Path | None, timelines: dict[str, Timeline], manual: Manual, memo: SignatureMemo,
                        use_disk: bool) -> dict[tuple[str, str], ApprovalSignature]:
    """(item number, version) -> the status of its approval, for every version released in git."""
    config = manual.config
    wanted: list[tuple[str, Version, str]] = []
    found: dict[tuple[str, str], ApprovalSignature] = {}
    for timeline in timelines.values():
        for version in timeline.versions:
            commit = version.released
            if commit is None:
                continue
            approver = _approver(manual, version)
            required = (root is not None and config.signed_approvals != "off" and version.basis == "verified"
                        and (config.signed_approvals_from is None or commit.day >= config.signed_approvals_from))
            if required:
                wanted.append((timeline.id, version, approver))
            else:
                found[(timeline.id, version.version)] = ApprovalSignature("not_required", approver, commit=commit.sha,
                                                                          signed_at=commit.authored.isoformat())
    if not wanted:
        return found
    text, names = allowed_signers(manual.organisation)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
    _verify(root, {v.released.sha for _, v, _ in wanted}, text, digest, memo, use_disk)
    for item_id, version, approver in wanted:
        code, principal, key = memo.results.get((digest, version.released.sha), ("E", "", ""))
        signer = names.get(principal)
        if code == "N":
            status = "unsigned"
        elif code == "G" and signer is not None:
            status = "verified" if signer == approver else "wrong_signer"
        else:
            status = "invalid"
        found[(item_id, version.version)] = ApprovalSignature(status, approver, signer, key or None,
                                                              version.released.authored.isoformat(), version.released.sha)
    return found


def signature_rules(timelines: dict[str, Timeline], signatures: dict, manual: Manual, current: set[str]) -> list:
    """SB422 for each approval that signing requires but that is not verified: a warning under `warn`,
    an error under `require`, at the approver's line of the current file."""
    mode = manual.config.signed_approvals
    if mode == "off":
        return []
    found = []
    for timeline in timelines.values():
        if timeline.id not in current:
            continue
        item = timeline.item
        for version in timeline.versions:
            result = signatures.get((timeline.id, version.version))
            if result is None or result.status in ("verified", "not_required"):
                continue
            make = dg.error if mode == "require" else dg.warning
            found.append(make("SB422", item.path, _message(timeline.id, version.version, result),
                              json_path=_where(timeline, version), hint=_hint(result)))
    return found


def _approver(manual: Manual, version: Version) -> str:
    name = version.entry.approved_by if version.entry else ""
    person = manual.organisation.person(name) if name else None
    return person.name if person else name


def _message(item_id: str, label: str, result: ApprovalSignature) -> str:
    commit = (result.commit or "")[:10]
    what = {"unsigned": "is not signed", "invalid": "has no valid signature by a registered key on that day",
            "wrong_signer": f"is signed by {result.signer}, not by the approver"}[result.status]
    return f"the approval of {item_id} {label} by {result.approver or '?'} (commit {commit}) {what}"


def _hint(result: ApprovalSignature) -> str:
    if result.status == "invalid" and shutil.which("ssh-keygen") is None:
        return "git verifies SSH signatures with ssh-keygen, which is not installed here: apt-get install openssh-client"
    if result.status == "wrong_signer":
        return "the approver approves with their own key: `python -m site_builder approve` as them, with their git signing key"
    return ("approve with `python -m site_builder approve ... --by NAME`, which commits the approval signed with the "
            "approver's key (git config gpg.format ssh; git config user.signingkey ~/.ssh/id_ed25519.pub), and "
            "register that key under signing_keys in organisation.yaml")


def _where(timeline: Timeline, version: Version) -> tuple:
    if version.current and timeline.item.parsed is not None and "approved_by" in timeline.item.parsed.data:
        return ("approved_by",)
    labels = [e.version for e in timeline.item.entries]
    return ("revisions", labels.index(version.version), "approved_by") if version.version in labels else ("revisions",)


def _verify(root: Path, shas: set[str], text: str, digest: str, memo: SignatureMemo, use_disk: bool) -> None:
    stored = _read_disk(root, digest) if use_disk else {}
    for sha in shas:
        if (digest, sha) not in memo.results and sha in stored:
            memo.results[(digest, sha)] = tuple(stored[sha])
    todo = sorted(sha for sha in shas if (digest, sha) not in memo.results)
    if not todo:
        return
    handle, allowed = tempfile.mkstemp(prefix="qms-allowed-signers-", text=True)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        for start in range(0, len(todo), _BATCH):
            for sha, code, principal, key in _git_signatures(root, allowed, todo[start:start + _BATCH]):
                memo.results[(digest, sha)] = (code, principal, key)
    finally:
        os.unlink(allowed)
    if use_disk:
        _write_disk(root, digest, {sha: list(memo.results[(digest, sha)]) for sha in shas if (digest, sha) in memo.results})


def _git_signatures(root: Path, allowed: str, shas: list[str]):
    done = subprocess.run(["git", "-C", str(root), "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log",
                           "--no-walk=unsorted", "--format=%H%x1f%G?%x1f%GS%x1f%GK%x1e", *shas],
                          capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=600)
    for record in done.stdout.decode("utf-8", "replace").split("\x1e"):
        fields = record.strip("\n").split("\x1f")
        if len(fields) == 4 and fields[0]:
            yield fields[0], fields[1], fields[2], fields[3]


def _read_disk(root: Path, digest: str) -> dict:
    try:
        data = json.loads((root / ".qms-cache" / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = data.get(digest) if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else {}


def _write_disk(root: Path, digest: str, results: dict) -> None:
    """Keep the results of this allowed-signers list (a changed list verifies again)."""
    try:
        folder = own_folder(root)
        temporary = folder / f".{CACHE_FILE}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({digest: {**_read_disk(root, digest), **results}}), encoding="utf-8")
        os.replace(temporary, folder / CACHE_FILE)
    except OSError:
        pass
