"""The verification code (核对码) printed on every paper copy and shown on every document page."""

from __future__ import annotations

import hashlib

from site_builder.model.manual import Document


def verification_code(document: Document) -> str:
    """`QP-01-B0-3fa2c1`: number, version and the first 6 hex digits of the SHA-256 of the body.

    Someone holding a paper copy types the code into the site's search: the page of the current
    version shows the same code; a different code (or no page) means the copy is outdated.
    """
    digest = hashlib.sha256(document.body.encode("utf-8")).hexdigest()
    return f"{document.id}-{document.version}-{digest[:6]}"
