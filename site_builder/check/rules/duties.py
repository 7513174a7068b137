"""Distribution against duties (issue 26): a department that a document gives duties to must hold it.

The duties section is the body's level-2 heading whose title contains 职责 (the house structure's
"3 职责"), up to the next level-2 heading.  Every department of organisation.yaml named there but
missing from the document's distribution list is SB318, a warning at the first line naming it.
"""

from __future__ import annotations

import re

from site_builder import diagnostics as dg
from site_builder.model.manual import Document, Organisation

_HEADING = re.compile(r"^##(?!#)\s*(.*)$")


def duty_rules(document: Document, organisation: Organisation):
    if document.status == "obsolete":
        return
    listed = {entry.department for entry in document.distribution}
    named: dict[str, tuple[int, int]] = {}
    inside = False
    for index, line in enumerate(document.body.split("\n")):
        heading = _HEADING.match(line)
        if heading:
            inside = "职责" in heading.group(1)
            continue
        if not inside:
            continue
        for department in organisation.departments:
            at = line.find(department.name)
            if at >= 0 and department.name not in named:
                named[department.name] = (document.body_line + index, at + 1)
    for name, (line, col) in named.items():
        if name not in listed:
            yield dg.warning("SB318", document.path, f"{name} has duties in this document but is not on its "
                             "distribution list", line=line, col=col,
                             hint=f"add {name} to distribution (with its copy numbers), or move the duty to a department "
                             "that holds the document")
