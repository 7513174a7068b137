"""Documents and forms as the history needs them, from the model or from a committed file."""

from __future__ import annotations

from pathlib import Path

from site_builder.history.fingerprint import Parsed, Parser
from site_builder.history.timeline import Entry, ItemView, entry_from, parse_date
from site_builder.model.manual import Manual


def current_views(root: Path, manual: Manual, parser: Parser) -> list[ItemView]:
    """Every document and form of the working tree, with its file read again for the fingerprint."""
    views = [_from_model(d, "document", root, parser) for d in manual.documents]
    return views + [_from_model(f, "form", root, parser) for f in manual.forms]


def committed_view(parsed: Parsed, kind: str, path: str) -> ItemView:
    """An item known only from git (its file was removed, or is not valid in the working tree)."""
    data = parsed.data
    entries = tuple(e for e in (entry_from(r) for r in _list(data.get("revisions"))) if e)
    return ItemView(id=parsed.id or "", kind=kind, title=parsed.field("title") or "", path=path,
                    version=parsed.field("version") or "", status=parsed.field("status") or "",
                    effective=parse_date(parsed.field("effective")), obsoleted=parse_date(parsed.field("obsoleted")),
                    entries=entries, parsed=parsed,
                    supersedes=tuple(s for s in _list(data.get("supersedes")) if isinstance(s, str)))


def _from_model(item, kind: str, root: Path | None, parser: Parser | None = None) -> ItemView:
    entries = tuple(Entry(r.version, r.date, r.sections, r.change, r.approved_by or "", r.effective) for r in item.revisions)
    return ItemView(id=item.id, kind=kind, title=item.title, path=item.path, version=item.version, status=item.status,
                    effective=item.effective, obsoleted=getattr(item, "obsoleted", None), entries=entries,
                    parsed=_read(root, item.path, kind, parser), supersedes=tuple(getattr(item, "supersedes", ())))


def model_views(manual: Manual) -> list[ItemView]:
    """Views without the files (no fingerprints): used when no repository root is known."""
    return [_from_model(d, "document", None) for d in manual.documents] + [
        _from_model(f, "form", None) for f in manual.forms]


def _read(root: Path | None, path: str, kind: str, parser: Parser | None) -> Parsed | None:
    if root is None or parser is None:
        return None
    try:
        return parser.parse(kind, (root / path).read_bytes())
    except OSError:
        return None


def _list(value) -> list:
    return value if isinstance(value, list) else []
