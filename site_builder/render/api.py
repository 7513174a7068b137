"""Machine-readable output under site/api/ (a contract: keys are fixed)."""

from __future__ import annotations

import json

from site_builder.render.context import RenderContext


def documents_json(ctx: RenderContext) -> str:
    items = [{
        "id": d.id, "title": d.title, "level": d.level, "version": d.version, "status": d.status,
        "effective": d.effective.isoformat() if d.effective else None, "owner": d.owner,
        "next_review": d.next_review.isoformat() if d.next_review else None,
        "distribution": [{"department": e.department, "copies": e.copies, "copy_numbers": list(e.copy_numbers)}
                         for e in d.distribution],
    } for d in ctx.documents]
    return dump(items)


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
