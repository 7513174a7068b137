"""Post-build verification of a new site, independent of MkDocs' exit code (bad-inputs B05).

`verify_site` runs every verifier on the new site before it is published and returns all
problems (an empty list means publishable):

* files: no source files (.md/.yaml/.yml) and no symbolic links; index.html present;
* audience: the staff site holds no history page and no page of a document that is not
  effective (verify_index.staff_forbidden), neither as a file nor in sitemap or search index;
* HTML (verify_html): only the theme's and our scripts, no event handlers, no javascript:/data:
  URLs, every internal link resolves;
* sitemap.xml(.gz) and search/search_index.json list only existing, allowed pages (verify_index);
* staff site: no personal value of the input anywhere (privacy scanner).
"""

from __future__ import annotations

import copy
import os
import posixpath
from functools import partial
from pathlib import Path

from site_builder.fast.forked import Children
from site_builder.verify.html import HtmlVerifier, SiteAddress, site_files
from site_builder.verify.index import forbidden_file_problems, search_index_problems, sitemap_problems, staff_forbidden

SOURCE_SUFFIXES = (".md", ".yaml", ".yml")
MAX_LEAKS_LISTED = 20
COMPRESSED_RATIO = 8


def verify_site(site_dir: Path, generated, site_url: str | None = None, streamed=None, prechecked=(), *,
                children: Children, verifier: HtmlVerifier) -> list[str]:
    """All problems of the new site in `site_dir`; `site_url` is the address MkDocs was given (None: none).

    `streamed`: the pages already verified while they were written (verify_stream.StreamedPages);
    `prechecked`: more pages verified as they were written (verify_html.CheckedPage: archive.py).
    Only the rest of the site is read here, in parts shared out over the build's `children` (on the
    plain path, one part in this process); `verifier`: the build's HTML verifier."""
    address = SiteAddress.from_url(site_url)
    forbidden = audience_filter(generated)
    files = site_files(site_dir)

    checked_pages = [*(streamed.checked if streamed is not None else ()), *prechecked]
    count = children.processes + 1 if children.parallel() else 1

    def structure() -> tuple[list[str], list[str]]:
        """(problems before the pages', problems after them)"""
        return ([*file_problems(site_dir), *forbidden_file_problems(site_dir, forbidden, files)],
                [*sitemap_problems(site_dir, address, forbidden, files), *search_index_problems(site_dir, forbidden, files)])

    def links(pages) -> list[str]:
        known: dict = {}  # (pages of one folder share most of their links)
        return [problem for page in pages
                for problem in page.problems + page.link_problems(files, verifier.script_paths, known)]

    # the links of the pages already checked, the rest of the pages and the leak scan, in parts of about
    # equal size, beside the structure checks
    link_parts = [partial(links, part) for part in _by_folder(checked_pages, count)]
    checked = (streamed.checked_pages if streamed is not None else frozenset()) | {page.page for page in prechecked}
    html_shares = _shares(site_dir, {f for f in files if f.endswith(".html")} - checked, count)
    scanner = streamed.scanner if streamed is not None else leak_scanner(generated)
    scanned = streamed.scanned_pages if streamed is not None else frozenset()
    scan_shares = _shares(site_dir, files - scanned, count) if scanner is not None else [[] for _ in range(count)]
    parts = [partial(_part, verifier, scanner, site_dir, files, address, html, scan, names=index == 0)
             for index, (html, scan) in enumerate(zip(html_shares, scan_shares)) if html or scan or index == 0]
    (before, after), *results = children.run_all([structure, *link_parts, *parts])
    linked, done = results[:len(link_parts)], results[len(link_parts):]
    streamed_pages = [problem for part in linked for problem in part]
    pages = sorted(streamed_pages + [problem for html_problems, _ in done for problem in html_problems], key=_page_of)
    scans = [scan for _, scan in done] if scanner is not None else None
    return before + pages + after + personal_data_problems(site_dir, generated, streamed, scans)


def _part(verifier: HtmlVerifier, scanner, site_dir: Path, files: frozenset[str], address: SiteAddress, html: list[str],
          scan: list[str], names: bool) -> tuple[list[str], tuple[list, list[str]] | None]:
    """(problems of the `html` pages, leak scan of the `scan` files (and of every name, with `names`))."""
    problems = verifier.pages_problems(site_dir, html, files, address)
    if scanner is None:
        return problems, None
    return problems, scan_part(scanner, site_dir, files - frozenset(scan), names)


def scan_part(scanner, site_dir: Path, skip_content: frozenset[str], names: bool = True) -> tuple[list, list[str]]:
    """(hits, files that could not be checked) of the leak scan of `site_dir` without `skip_content`."""
    part = copy.copy(scanner)
    part.skipped = []
    return part.scan_site(site_dir, skip_content, names), part.skipped


def _shares(site_dir: Path, todo, count: int) -> list[list[str]]:
    """`todo` (site paths) in `count` lists of about the same number of bytes (a compressed file
    counts as what it expands to, roughly)."""
    sizes = {}
    for relative in todo:
        expands = COMPRESSED_RATIO if relative.endswith((".gz", ".xlsx", ".zip")) else 1
        try:
            sizes[relative] = (site_dir / relative).stat().st_size * expands
        except OSError:
            sizes[relative] = 0  # (still listed: reading it will say what is wrong)
    totals, members = [0] * max(1, count), [[] for _ in range(max(1, count))]
    for relative in sorted(sizes, key=sizes.get, reverse=True):  # largest first, each to the lightest part
        lightest = totals.index(min(totals))
        totals[lightest] += sizes[relative]
        members[lightest].append(relative)
    return [sorted(part) for part in members]


def _by_folder(pages: list, count: int) -> list[list]:
    """`pages` in at most `count` parts of about the same size, the pages of a folder together, in order."""
    size = -(-len(pages) // max(1, count))
    parts: list[list] = [[]]
    for page in sorted(pages, key=lambda p: p.page):
        if len(parts[-1]) >= size and posixpath.dirname(page.page) != posixpath.dirname(parts[-1][-1].page):
            parts.append([])
        parts[-1].append(page)
    return [part for part in parts if part]


def _page_of(problem: str) -> str:
    return problem.split(":", 1)[0]


def file_problems(site_dir: Path) -> list[str]:
    problems: list[str] = []
    if not (site_dir / "index.html").is_file():
        problems.append("index.html is missing")
    root = os.fspath(site_dir)
    for directory, dirnames, files in os.walk(root):
        folder = os.path.relpath(directory, root).replace(os.sep, "/")
        for name in dirnames + files:
            relative = name if folder == "." else f"{folder}/{name}"
            if os.path.islink(os.path.join(directory, name)):
                problems.append(f"{relative}: symbolic link in the output")
            elif name.endswith(SOURCE_SUFFIXES):
                problems.append(f"{relative}: source file copied into the output")
    return problems


def audience_filter(generated):
    """Predicate: is a site path forbidden for the build's audience?  The auditor may see everything."""
    info = getattr(generated, "info", None) or {}
    if info.get("audience", "staff") != "staff" or getattr(generated, "preview", False):
        return lambda path: False  # (serve's preview shows the versions in progress, marked as such)
    from site_builder.render import links

    manual = getattr(getattr(generated, "check", None), "manual", None)
    documents = manual.documents if manual is not None else ()
    forms = manual.forms if manual is not None else ()
    hidden = {links.page_url(links.document_page(d.id)) for d in documents if d.status != "effective"}
    hidden |= {links.page_url(links.form_page(f.id)) for f in forms if f.status != "effective"}
    return staff_forbidden(hidden)


def leak_scanner(generated):
    """The leak scanner for the build's personal values; None when the audience may see them (or there are none)."""
    info = getattr(generated, "info", None) or {}
    manual = getattr(getattr(generated, "check", None), "manual", None)
    if info.get("audience", "staff") != "staff" or manual is None:
        return None
    from site_builder.derive.privacy import personal_values
    from site_builder.verify.leaks import LeakScanner

    values = personal_values(manual)
    return LeakScanner(values) if values else None


def personal_data_problems(site_dir: Path, generated, streamed=None, scans=None) -> list[str]:
    """Staff build: refuse when the leak scanner finds any personal value of the input in the site.

    The values are `privacy.personal_values(manual)`: every value of a personal-data field and of
    a narrative field of a form holding personal data, 2 characters or longer, not equal to a
    public name (company, site, departments, staff, form vocabulary).  The message names the
    source record and field and shows the value masked, so the build log holds no personal data.
    """
    scanner = streamed.scanner if streamed is not None else leak_scanner(generated)
    if scanner is None:
        return []
    from site_builder.derive.privacy import personal_value_sources

    manual, values = generated.check.manual, set(scanner.values)
    places: dict[tuple, list[str]] = {}
    if scans is None:
        scans = [scan_part(scanner, site_dir, streamed.scanned_pages if streamed is not None else frozenset())]
    found = [hit for hits, _ in scans for hit in hits]
    for hit in [*(streamed.hits if streamed is not None else ()), *found]:
        places.setdefault((hit.file, hit.in_name, hit.before, hit.found, hit.after), []).append(hit.value)
    problems = []
    sources = personal_value_sources(manual) if places else {}  # which record holds a value: only to explain a hit
    for (file, in_name, before, found, after), found_values in list(places.items())[:MAX_LEAKS_LISTED]:
        origin = sorted({sources.get(v, ["?"])[0] for v in found_values})
        also = f" and {len(origin) - 1} more" if len(origin) > 1 else ""
        problems.append(f"{file}: personal data in {'the file name' if in_name else 'the content'}: "
                        f"…{_hide(before, values)}«{_mask_found(found)}»{_hide(after, values)}… "
                        f"(value of {origin[0]}{also})")
    if len(places) > MAX_LEAKS_LISTED:
        problems.append(f"... and {len(places) - MAX_LEAKS_LISTED} more places with personal data")
    skipped = [*(streamed.skipped if streamed is not None else ()), *(problem for _, part in scans for problem in part)]
    problems += [f"{problem}: cannot be checked for personal data" for problem in skipped]
    return problems


def _mask_found(text: str) -> str:
    from site_builder.derive.privacy.mask import mask_email, mask_name, mask_phone
    from site_builder.verify.leaks import phone_needles

    if "@" in text:
        return mask_email(text)
    if phone_needles(text) and sum(c.isdigit() for c in text) * 2 >= len(text):
        return mask_phone(text)
    return mask_name(text[:40])


def _hide(text: str, values: set[str]) -> str:
    """Context around a hit, with other personal values and anything phone-like blanked out."""
    import re
    import unicodedata

    for value in values:
        value = unicodedata.normalize("NFKC", value).strip()
        if len(value) >= 2 and value.casefold() in text.casefold():
            text = re.sub(re.escape(value), "*" * len(value), text, flags=re.IGNORECASE)
    return re.sub(r"\d(?:[\s\-.()/+]{0,3}\d){6,}", lambda m: "*" * len(m.group(0)), text)
