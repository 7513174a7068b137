"""The signing keys of organisation.yaml (signed approvals, issue 24): each a well-formed SSH public
key, and no key registered for two people (a signature must name one approver)."""

from __future__ import annotations

import base64
import binascii
import struct

from site_builder import diagnostics as dg
from site_builder.model.manual import Organisation

PATH = "organisation.yaml"
KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
             "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")


def key_problem(key: str) -> str | None:
    """Why `key` ("type base64") is not an SSH public key, or None."""
    parts = key.split()
    if len(parts) != 2:
        return "expected the key type and its data, as ssh-keygen prints the .pub file (ssh-ed25519 AAAA... comment)"
    kind, data = parts
    if kind not in KEY_TYPES:
        return f"unknown key type {kind!r} (use one of {', '.join(KEY_TYPES)})"
    try:
        blob = base64.b64decode(data, validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        embedded = blob[4:4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError, ValueError):
        return "the key data is not valid base64 of an SSH public key"
    if embedded != kind:
        return f"the key data is a {embedded!r} key, not {kind!r}"
    return None


def key_rules(organisation: Organisation) -> list[dg.Diagnostic]:
    """SB420 (not an SSH public key, or valid_to before valid_from) and SB421 (one key, two people)."""
    found = []
    owners: dict[str, str] = {}
    for index, person in enumerate(organisation.people):
        for number, signing in enumerate(person.signing_keys):
            where = ("people", index, "signing_keys", number)
            problem = key_problem(signing.key)
            if problem:
                found.append(dg.error("SB420", PATH, f"signing key {number + 1} of {person.name}: {problem}",
                                      json_path=where, hint="paste the whole line of the .pub file (cat ~/.ssh/id_ed25519.pub)"))
                continue
            if signing.valid_from and signing.valid_to and signing.valid_to < signing.valid_from:
                found.append(dg.error("SB420", PATH, f"signing key {number + 1} of {person.name}: valid_to "
                                      f"{signing.valid_to} is before valid_from {signing.valid_from}", json_path=where))
            owner = owners.setdefault(signing.key, person.name)
            if owner != person.name:
                found.append(dg.error("SB421", PATH, f"the signing key {number + 1} of {person.name} is also registered "
                                      f"for {owner}", json_path=where,
                                      hint="a key belongs to one person: a signature made with it must name one approver"))
    return found
