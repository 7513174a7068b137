"""What the repository's web-server configuration says about access control (21 CFR 11.10(d)).

`deploy-config nginx --out deploy/nginx.conf` (publish/nginx.py) marks each server block it writes
with `# qms-site server: staff|auditor`.  The checklist reads the configuration files under
`deploy/` and reports, as a live figure, whether the auditor server answers without
authentication: it does unless its block holds `auth_basic "…";` and `auth_basic_user_file`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FOLDER = "deploy"
MARKER = "# qms-site server:"
_AUTH = re.compile(r'^\s*auth_basic\s+"[^"]+"\s*;', re.M)
_USERS = re.compile(r"^\s*auth_basic_user_file\s+\S", re.M)


@dataclass(frozen=True, slots=True)
class Deployment:
    path: str  # repository-relative
    auditor_found: bool
    auditor_protected: bool


def read_deployment(root: Path | None) -> Deployment | None:
    """The first configuration under deploy/ that qms-site generated, or None."""
    if root is None:
        return None
    for path in sorted((root / FOLDER).glob("*.conf")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if MARKER not in text:
            continue
        block = _block(text, "auditor")
        protected = block is not None and bool(_AUTH.search(block)) and bool(_USERS.search(block))
        return Deployment(path.relative_to(root).as_posix(), block is not None, protected)
    return None


def _block(text: str, audience: str) -> str | None:
    parts = text.split(MARKER)
    for part in parts[1:]:
        if part.split("\n", 1)[0].strip() == audience:
            return part
    return None
