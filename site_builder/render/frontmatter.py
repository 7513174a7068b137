"""Front matter of generated pages, written with yaml.safe_dump (never by concatenation)."""

from __future__ import annotations

import yaml

from site_builder.render.escape import plain_title


def page_header(title: str, **meta) -> str:
    return front_matter(page_meta(title, **meta))


def page_meta(title: str, **meta) -> dict:
    """The front matter of a page as data (archive pages keep it so: they are never read back from text)."""
    return {"title": plain_title(title), **{k: v for k, v in meta.items() if v is not None}}


def front_matter(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000) + "---\n\n"
