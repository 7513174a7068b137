"""Machine-readable output under site/api/ (a contract: keys are fixed)."""

from __future__ import annotations

import json

from site_builder.render.context import AUDITOR, RenderContext


def documents_json(ctx: RenderContext) -> str:
    """Each document as of its version in force; in the auditor build also `in_progress`: the version
    being prepared ({version, status, prepared_by, approved_by, effective}) or null."""
    items = [{
        "id": d.id, "title": d.title, "level": d.level, "version": d.version, "status": d.status,
        "effective": d.effective.isoformat() if d.effective else None, "owner": d.owner,
        "next_review": d.next_review.isoformat() if d.next_review else None,
        "distribution": [{"department": e.department, "copies": e.copies, "copy_numbers": list(e.copy_numbers)}
                         for e in d.distribution],
    } for d in ctx.documents]
    if ctx.audience == AUDITOR:
        for item in items:
            item["in_progress"] = _in_progress(ctx.manual.in_progress.get(item["id"]))
    return dump(items)


def _in_progress(item) -> dict | None:
    if item is None:
        return None
    return {"version": item.version, "status": item.status, "prepared_by": _signature(item.prepared_by),
            "approved_by": _signature(item.approved_by), "effective": item.effective.isoformat() if item.effective else None}


def _signature(signature) -> dict | None:
    return {"name": signature.name, "date": signature.date.isoformat()} if signature else None


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
