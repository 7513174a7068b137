"""Front matter of generated pages, written with yaml.safe_dump (never by concatenation)."""

from __future__ import annotations

import yaml

from site_builder.render.escape import plain_title


def page_header(title: str, **meta) -> str:
    data = {"title": plain_title(title), **{k: v for k, v in meta.items() if v is not None}}
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000) + "---\n\n"
