"""Post-build checks of what lists pages (bad-inputs P02, P11, X09): sitemap and search index.

MkDocs puts every built page into sitemap.xml(.gz) and search/search_index.json, whatever the
nav says; so both must list only pages that exist in the new site and that the audience may
see.  For the staff site, `staff_forbidden` names what it must not contain at all (history
pages, pages of documents that are not effective); the check is independent of the renderer's
own filtering.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import xml.etree.ElementTree as ET  # noqa: S405 (our own MkDocs output, not untrusted XML)
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_builder.verify.html import SiteAddress, site_files

SITEMAP = "sitemap.xml"
SEARCH_INDEX = "search/search_index.json"
_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: Staff site: git-derived history pages (P10) and the machine-readable history never appear.
STAFF_FORBIDDEN_PREFIXES = ("history/",)
STAFF_FORBIDDEN_FILES = ("api/history.json",)


def staff_forbidden(hidden_pages: set[str]) -> Callable[[str], bool]:
    """Predicate on a site path (e.g. documents/QP-08/index.html): may the staff site not contain it?

    `hidden_pages` are site folders of pages the staff must not see (documents not effective)."""
    hidden = tuple(page.strip("/") + "/" for page in hidden_pages if page.strip("/"))

    def forbidden(path: str) -> bool:
        return path.startswith(STAFF_FORBIDDEN_PREFIXES + hidden) or path in STAFF_FORBIDDEN_FILES

    return forbidden


def forbidden_file_problems(site_dir: Path, forbidden: Callable[[str], bool], files: frozenset[str] | None = None) -> list[str]:
    """`files`: the site's files (verify_html.site_files), when already listed."""
    files = site_files(site_dir) if files is None else files
    return [f"{path}: not allowed in this audience's site" for path in sorted(files) if forbidden(path)]


def sitemap_problems(site_dir: Path, address: SiteAddress, forbidden: Callable[[str], bool],
                     files: frozenset[str] | None = None) -> list[str]:
    path = site_dir / SITEMAP
    if not path.is_file():  # MkDocs always writes both; without them nothing lists pages
        return [f"{SITEMAP}.gz without {SITEMAP}"] if (site_dir / (SITEMAP + ".gz")).exists() else []
    files = site_files(site_dir) if files is None else files
    raw = path.read_bytes()
    problems = []
    try:
        locations = [(loc.text or "").strip() for loc in ET.fromstring(raw).iter(f"{_NS}loc")]  # noqa: S314
    except ET.ParseError as exc:
        return [f"{SITEMAP}: not valid XML ({exc})"]
    if not locations and address.origin and any(f.endswith(".html") for f in files):
        problems.append(f"{SITEMAP} lists no pages (set site_url in qms.yaml)")
    for loc in locations:
        where = _sitemap_page(loc, address)
        if where is None:
            problems.append(f"{SITEMAP}: {loc} is not on the site's address {address.origin}{address.prefix}")
        else:
            problems += _listed_page_problems(files, SITEMAP, loc, where, forbidden)
    gz = site_dir / (SITEMAP + ".gz")
    if gz.is_file():
        try:
            if gzip.decompress(gz.read_bytes()) != raw:
                problems.append(f"{SITEMAP}.gz differs from {SITEMAP}")
        except (OSError, EOFError) as exc:
            problems.append(f"{SITEMAP}.gz cannot be read ({exc})")
    return problems


def search_index_problems(site_dir: Path, forbidden: Callable[[str], bool], files: frozenset[str] | None = None) -> list[str]:
    path = site_dir / SEARCH_INDEX
    if not path.is_file():
        return []  # search plugin off: nothing to check
    try:
        docs = json.loads(path.read_text(encoding="utf-8"))["docs"]
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{SEARCH_INDEX}: not a search index ({exc})"]
    files = site_files(site_dir) if files is None else files
    problems: list[str] = []
    for entry in docs:
        location = entry.get("location", "") if isinstance(entry, dict) else None
        if not isinstance(location, str):
            problems.append(f"{SEARCH_INDEX}: entry without a location")
            continue
        page = unquote(urlsplit(location).path)
        problems += _listed_page_problems(files, SEARCH_INDEX, location, page, forbidden)
    return sorted(set(problems), key=problems.index)


def _sitemap_page(loc: str, address: SiteAddress) -> str | None:
    parts = urlsplit(loc)
    if f"{parts.scheme}://{parts.netloc}".lower() != address.origin or not parts.path.startswith(address.prefix):
        return None
    return unquote(parts.path[len(address.prefix):])


def _listed_page_problems(files: frozenset[str], listing: str, shown: str, page: str, forbidden) -> list[str]:
    normal = posixpath.normpath(page) if page else ""
    if normal.startswith(".."):
        return [f"{listing}: {shown} leaves the site"]
    normal = "" if normal == "." else normal
    target = normal if normal.endswith(".html") else posixpath.join(normal, "index.html")
    if target not in files:
        return [f"{listing}: {shown} is not a page of the site"]
    if forbidden(target):
        return [f"{listing}: {shown} is not allowed for this audience"]
    return []
