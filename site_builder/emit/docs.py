"""Write a rendered site (pages + our static assets) into a folder for MkDocs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from site_builder.derive.exports import Workbook
from site_builder.render import Site

ASSETS = ("qms.css", "qms.js")


def copied_as_they_are(site: Site) -> list[str]:
    """The files write_docs writes that MkDocs copies into the site unchanged (all but the Markdown pages)."""
    written = [*site.pages.items(), *site.files.items()]
    return sorted([path for path, content in written if not path.endswith(".md") and not isinstance(content, Workbook)]
                  + [f"assets/{name}" for name in ASSETS])


def write_docs(site: Site, docs_dir: Path) -> None:
    """Pending workbooks are left out: the caller writes them into the site (emit/workbooks.py)."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    for relative, content in [*site.pages.items(), *site.files.items()]:
        if isinstance(content, Workbook):
            continue
        target = (docs_dir / relative).resolve()
        if docs_dir.resolve() not in target.parents:
            raise ValueError(f"refusing to write outside the generated folder: {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    asset_dir = docs_dir / "assets"
    asset_dir.mkdir(exist_ok=True)
    for name in ASSETS:
        (asset_dir / name).write_bytes(resources.files("site_builder").joinpath("assets", name).read_bytes())
