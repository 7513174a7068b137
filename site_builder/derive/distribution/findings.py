"""Findings and check-time diagnostics from the distribution/recall register.

* `distribution_findings(manual)`: dicts for api/findings.json (same keys as the form findings,
  plus document, department, version, copy numbers and days);
* `distribution_finding_objects(manual)`: the same as `derive.findings.Finding` objects, ready to be
  appended to `Derived.findings` (findings page, CSV/XLSX exports); `RULE_LABELS` holds their labels;
* `distribution_rules(manual)`: SB314, a copy number issued twice for one document version (error,
  positioned at `copy_number` of every record after the first).
"""

from __future__ import annotations

from datetime import date

from site_builder import diagnostics as dg
from site_builder.derive import findings as fd
from site_builder.derive.distribution.copies import Copy, DistributionStatus, Duplicate, MissingIssue, distribution_status
from site_builder.model.manual import Manual

RECALL_OVERDUE = "distribution-recall-overdue"
ISSUE_MISSING = "distribution-issue-missing"
COPY_DUPLICATE = "distribution-copy-duplicate"

RULE_LABELS = {
    RECALL_OVERDUE: "旧版本受控副本逾期未回收",
    ISSUE_MISSING: "新版本受控副本未按期发放",
    COPY_DUPLICATE: "分发号重复发放",
}


def distribution_findings(manual: Manual, status: DistributionStatus | None = None) -> list[dict]:
    """Findings as JSON-ready dicts: {rule, document, message, form, date, clause, ...}."""
    status = status or distribution_status(manual)
    clauses = _clauses(manual, status)
    found: list[dict] = []
    for copy in status.overdue:
        issue = copy.issue
        item = _item(RECALL_OVERDUE, issue.document, _recall_message(copy, status), issue.form, copy.recall_due,
                     clauses["recall_obsolete" if copy.superseded_by is None else "recall"], record=issue.record)
        item.update(department=issue.department, version=issue.version, copy_numbers=[issue.copy_number],
                    due=copy.recall_due.isoformat(), days_overdue=copy.days_overdue)
        found.append(item)
    for (document, version, department), gaps in _group_missing(status.missing).items():
        first = gaps[0]
        item = _item(ISSUE_MISSING, document, _missing_message(gaps, status), status.forms[0], first.deadline,
                     clauses["issue"])
        item.update(department=department, version=version, copy_numbers=[g.copy_number for g in gaps],
                    due=first.deadline.isoformat(), days_overdue=max(g.days_late(status.today) for g in gaps))
        found.append(item)
    for duplicate in status.duplicates:
        later = duplicate.issues[1]
        item = _item(COPY_DUPLICATE, duplicate.document, _duplicate_message(duplicate), later.form, later.issued_on,
                     clauses["duplicate"], record=later.record)
        item.update(version=duplicate.version, copy_numbers=[duplicate.copy_number],
                    records=[i.record for i in duplicate.issues])
        found.append(item)
    return found


def distribution_finding_objects(manual: Manual, status: DistributionStatus | None = None) -> list[fd.Finding]:
    """The findings as `derive.findings.Finding` (record findings carry the record, the others the document)."""
    result = []
    for item in distribution_findings(manual, status):
        clause = fd.Clause(item["clause_document"], item["clause_section"], item.get("clause_title", "")) \
            if item["clause_document"] else None
        day = date.fromisoformat(item["date"]) if item["date"] else None
        result.append(fd.Finding(item["rule"], item["message"], item["form"], day, record=item.get("record"),
                                 document=item["document"], clause=clause))
    return result


def distribution_rules(manual: Manual) -> list[dg.Diagnostic]:
    """SB314: the same copy number of one document version issued in two records."""
    status = distribution_status(manual)
    found = []
    for duplicate in status.duplicates:
        first = duplicate.issues[0]
        for issue in duplicate.issues[1:]:
            found.append(dg.error(
                "SB314", issue.path,
                f"copy number {duplicate.copy_number} of {duplicate.document} {duplicate.version} is already issued in "
                f"{first.record} ({first.department}, {_day(first.issued_on)})", json_path=("copy_number",),
                hint="a copy number is issued once per document version; a replacement copy gets a new copy number "
                     "(add it to the document's distribution list), otherwise correct copy_number"))
    return found


# ---------------------------------------------------------------- messages

def _recall_message(copy: Copy, status: DistributionStatus) -> str:
    issue = copy.issue
    held = f"{issue.department}持有的 {issue.document} {issue.version} 版受控副本（分发号 {issue.copy_number}）"
    if copy.superseded_by:
        why = f"{copy.superseded_by} 版已于 {copy.superseded_on.isoformat()} 生效"
    else:
        why = f"文件已于 {copy.superseded_on.isoformat()} 作废"
    return (f"{held}未回收：{why}，应在 {status.recall_within_days} 天内即 {copy.recall_due.isoformat()} 前回收，"
            f"至 {status.today.isoformat()} 已逾期 {copy.days_overdue} 天")


def _missing_message(gaps: list[MissingIssue], status: DistributionStatus) -> str:
    first = gaps[0]
    start = (f"{first.department}于 {first.listed.isoformat()} 列入 {first.document} {first.version} 版的分发清单"
             if first.listed else f"{first.document} {first.version} 版于 {first.effective.isoformat()} 生效")
    head = (f"{start}，应在 {status.issue_within_days} 天内即 {first.deadline.isoformat()} 前发到{first.department}")
    parts = []
    never = [g.copy_number for g in gaps if g.issued_on is None]
    if never:
        parts.append(f"分发号 {'、'.join(never)} 至 {status.today.isoformat()} 未发放")
    for gap in (g for g in gaps if g.issued_on is not None):
        parts.append(f"分发号 {gap.copy_number} 于 {gap.issued_on.isoformat()} 发放（{gap.record}），晚 "
                     f"{gap.days_late(status.today)} 天")
    return head + "；" + "；".join(parts)


def _duplicate_message(duplicate: Duplicate) -> str:
    places = "、".join(f"{i.record}（{i.department}，{_day(i.issued_on)}）" for i in duplicate.issues)
    return (f"{duplicate.document} {duplicate.version} 版分发号 {duplicate.copy_number} 发放了 {len(duplicate.issues)} 次："
            f"{places}；同一分发号只能发放一次")


# ---------------------------------------------------------------- helpers

def _item(rule: str, document: str, message: str, form: str, day, clause: fd.Clause | None, record: str | None = None) -> dict:
    item: dict = {"rule": rule, "document": document}
    if record:
        item["record"] = record
    item.update({"form": form, "date": day.isoformat() if day else None, "message": message,
                 "clause": clause.label if clause else None,
                 "clause_document": clause.document if clause else None,
                 "clause_section": clause.section if clause else None})
    if clause and clause.title:
        item["clause_title"] = clause.title
    return item


def _group_missing(gaps: list[MissingIssue]) -> dict[tuple[str, str, str], list[MissingIssue]]:
    grouped: dict[tuple[str, str, str], list[MissingIssue]] = {}
    for gap in gaps:
        grouped.setdefault((gap.document, gap.version, gap.department), []).append(gap)
    return grouped


def _clauses(manual: Manual, status: DistributionStatus) -> dict[str, fd.Clause | None]:
    """The clauses of the distribution form's procedure that require each rule (QP-01 5.7.2, 5.8.4, ...)."""
    form = manual.form(status.forms[0]) if status.forms else None
    if form is None:
        return dict.fromkeys(("recall", "recall_obsolete", "issue", "duplicate"))
    procedure = manual.document(form.procedure)
    body = procedure.body if procedure else ""
    recall_label = form.field("recalled_on").label if form.field("recalled_on") else "回收"
    issue_label = form.field("issued_on").label if form.field("issued_on") else "发放"
    copy_label = form.field("copy_number").label
    return {
        "recall": fd.locate_clause(form.procedure, body, [status.recall_within_days, "新版本"], [recall_label]),
        "recall_obsolete": fd.locate_clause(form.procedure, body, [status.recall_within_days, "作废"], [recall_label]),
        "issue": fd.locate_clause(form.procedure, body, [status.issue_within_days, form.id], [issue_label]),
        "duplicate": fd.locate_clause(form.procedure, body, [copy_label, "不重复"], [copy_label]),
    }


def _day(value) -> str:
    return value.isoformat() if value else "—"
