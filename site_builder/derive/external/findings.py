"""Findings from the register of external documents, for the findings page and api/findings.json.

The copies of a superseded or withdrawn edition not recalled in time are findings of the
distribution register already (`distribution-recall-overdue`, derive/distribution/findings.py):
they are recorded on the same form and recalled within the same period as internal copies.
"""

from __future__ import annotations

from site_builder.derive import findings as fd
from site_builder.derive.distribution.copies import distribution_forms
from site_builder.derive.external.register import REVIEW_LABELS, RegisterStatus, register_status
from site_builder.model.manual import Manual

REVIEW_OVERDUE = "external-review-overdue"
REVIEW_LATE = "external-review-late"
CURRENCY_OVERDUE = "external-currency-overdue"
NOT_IMPLEMENTED = "external-not-implemented"
CITES_SUPERSEDED = "external-cites-superseded"

RULE_LABELS = {
    REVIEW_OVERDUE: "客户文件逾期未评审",
    REVIEW_LATE: "客户文件评审超过期限",
    CURRENCY_OVERDUE: "外来标准法规逾期未查新",
    NOT_IMPLEMENTED: "已采用的客户文件未落实到本公司文件",
    CITES_SUPERSEDED: "本公司文件引用已被替代或废止的外来文件",
}

#: words of the document-control procedure's clauses that require each rule (QP-01 5.11 in the shipped manual)
_CLAUSE_TOKENS = {
    REVIEW_OVERDUE: (["客户提供的技术资料", "评审"], ["外来文件", "评审"]),
    REVIEW_LATE: (["客户提供的技术资料", "评审"], ["外来文件", "评审"]),
    CURRENCY_OVERDUE: (["查新", "每年一月"], ["外来文件", "查新"]),
    NOT_IMPLEMENTED: (["影响", "需要修订"], ["外来文件", "修订"]),
    CITES_SUPERSEDED: (["已被替代", "回收旧版本"], ["外来文件", "替代"]),
}


def external_finding_objects(manual: Manual, status: RegisterStatus | None = None) -> list[fd.Finding]:
    status = status or register_status(manual)
    clauses = _clauses(manual)
    found = []
    for item in status.entries:
        entry = item.entry
        if item.review_state == "overdue":
            found.append(fd.Finding(REVIEW_OVERDUE, f"{entry.id} {entry.citation}《{entry.title}》于 {entry.received.isoformat()} "
                                    f"收到，应在 {status.review_working_days} 个工作日内（最迟 {item.review_due.isoformat()}）评审，"
                                    f"至 {status.today.isoformat()} 仍未评审（逾期 {item.review_days_late} 个工作日）", "",
                                    item.review_due, document=entry.id, clause=clauses[REVIEW_OVERDUE]))
        elif item.review_state == "late":
            found.append(fd.Finding(REVIEW_LATE, f"{entry.id} {entry.citation}《{entry.title}》于 {entry.received.isoformat()} "
                                    f"收到，最迟应在 {item.review_due.isoformat()} 评审，{entry.review.date.isoformat()} 才评审"
                                    f"（{REVIEW_LABELS['late']}，晚 {item.review_days_late} 个工作日）", "",
                                    entry.review.date, document=entry.id, clause=clauses[REVIEW_LATE]))
        if item.currency_overdue:
            last = entry.currency_check.date.isoformat() if entry.currency_check else f"收到（{entry.received.isoformat()}）"
            found.append(fd.Finding(CURRENCY_OVERDUE, f"{entry.id} {entry.citation}《{entry.title}》上次查新 {last}，"
                                    f"应在 {item.currency_due.isoformat()} 前再次查新", "", item.currency_due,
                                    document=entry.id, clause=clauses[CURRENCY_OVERDUE]))
        if item.unrevised:
            found.append(fd.Finding(NOT_IMPLEMENTED, f"{entry.id} {entry.citation}《{entry.title}》于 "
                                    f"{entry.review.date.isoformat()} 评审采用，受影响的 {'、'.join(item.unrevised)} "
                                    "在评审之后没有修订", "", entry.review.date, document=entry.id,
                                    clause=clauses[NOT_IMPLEMENTED]))
    by_id = {s.entry.id: s.entry for s in status.entries}
    for citation in status.stale_citations:
        entry = by_id[citation.external]
        what = "已被替代" if entry.status == "superseded" else "已废止"
        found.append(fd.Finding(CITES_SUPERSEDED, f"{citation.document} 引用 {entry.id} {entry.citation}《{entry.title}》，"
                                f"该版本{what}（{entry.ended.isoformat() if entry.ended else '—'}）", "", entry.ended,
                                document=citation.document, clause=clauses[CITES_SUPERSEDED]))
    return found


def external_findings(manual: Manual, status: RegisterStatus | None = None) -> list[dict]:
    return [f.as_json() for f in external_finding_objects(manual, status)]


def _clauses(manual: Manual) -> dict[str, fd.Clause | None]:
    forms = distribution_forms(manual)
    form = manual.form(forms[0]) if forms else None
    procedure = manual.document(form.procedure) if form else None
    if procedure is None:
        return dict.fromkeys(_CLAUSE_TOKENS)
    sections = fd.clauses(procedure.body)
    return {rule: fd.locate_clause(procedure.id, procedure.body, tokens, labels, sections)
            for rule, (tokens, labels) in _CLAUSE_TOKENS.items()}
