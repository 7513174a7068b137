"""Live figures for the compliance checklist, computed from the content at build time.  Pure.

Each measure is a function `Facts -> Figure`; its status follows from the figure: `ok` when
nothing needs doing, `attention` when something does (the text says what), `not covered` for
a requirement qms-site does not meet (measure `none`).  The requirements map names measures
by the keys of `MEASURES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from site_builder.compliance.deployment import Deployment
from site_builder.derive import RULE_LABELS as FINDING_NAMES
from site_builder.derive.distribution.copies import DistributionStatus
from site_builder.derive.external.register import RegisterStatus, register_status
from site_builder.history import ManualHistory
from site_builder.history.rules import timeline_rules
from site_builder.model.manual import Document, Manual, add_months

OK = "ok"
ATTENTION = "attention"
NOT_COVERED = "not covered"
STATUSES = (OK, ATTENTION, NOT_COVERED)
RELEASED = ("approved", "effective")


@dataclass(frozen=True, slots=True)
class Figure:
    value: int | str | None
    text: str
    status: str


@dataclass
class Facts:
    """Everything a measure may look at (all computed by the build already)."""

    manual: Manual
    history: ManualHistory
    distribution: DistributionStatus
    findings: list[dict] = field(default_factory=list)
    build_info: dict = field(default_factory=dict)
    #: the repository's generated web-server configuration (compliance/deployment.py)
    deployment: Deployment | None = None

    @property
    def today(self) -> date:
        return self.manual.today

    @cached_property
    def external(self) -> RegisterStatus:
        """The register of external documents as of today (derive/external), computed once."""
        return register_status(self.manual, self.distribution)

    @property
    def released(self) -> list[Document]:
        return [d for d in self.manual.documents if d.status in RELEASED]


def _count(items: list[str], text: str, zero_text: str) -> Figure:
    """A counted figure: `attention` when there is anything to list; `text` takes {n} and {ids}."""
    if not items:
        return Figure(0, zero_text, OK)
    ids = "、".join(items[:20]) + ("……" if len(items) > 20 else "")
    return Figure(len(items), text.replace("{n}", str(len(items))).replace("{ids}", ids), ATTENTION)


# ---------------------------------------------------------------- documents

def documents_incompletely_identified(facts: Facts) -> Figure:
    missing = [d.id for d in facts.manual.documents if not (d.id and d.title and d.version and d.owner and d.prepared_by)
               or (d.status in RELEASED and not (d.approved_by and d.effective))]
    return _count(missing, "缺少编号、标题、版本、归口部门、编制人、批准人或生效日期的文件：{n} 份（{ids}）",
                  f"全部 {len(facts.manual.documents)} 份文件都有编号、标题、版本、归口部门、编制人；已发布的文件都有批准人和生效日期")


def documents_published(facts: Facts) -> Figure:
    effective = [d for d in facts.manual.documents if d.status == "effective"]
    if not effective:
        return Figure(0, "没有生效的文件", ATTENTION)
    return Figure(len(effective), f"{len(effective)} 份生效文件以网页发布，每页带文件头（编号、版本、生效日期）和核对码，"
                  "可用 print 命令打印为受控或非受控副本", OK)


def effective_without_approver(facts: Facts) -> Figure:
    missing = [d.id for d in facts.released if d.approved_by is None or d.effective is None
               or any(not r.approved_by for r in d.revisions)]
    return _count(missing, "已发布但缺少批准人或生效日期的文件：{n} 份（{ids}）",
                  f"已发布的 {len(facts.released)} 份文件均有批准人和生效日期，每个修订条目均有批准人")


def approver_is_preparer(facts: Facts) -> Figure:
    same = [d.id for d in facts.released if d.approved_by and d.approved_by.name == d.prepared_by.name]
    return _count(same, "批准人与编制人为同一人的文件：{n} 份（{ids}）", "没有文件由编制人自己批准")


def approvers_without_authority(facts: Facts) -> Figure:
    people = facts.manual.organisation
    bad = []
    for document in facts.released:
        names = ([document.approved_by.name] if document.approved_by else []) + [r.approved_by for r in document.revisions]
        if any((p := people.person(n)) is None or document.level not in p.approves_levels for n in names if n):
            bad.append(document.id)
    return _count(bad, "批准人（含修订条目）无该层级批准权限的文件：{n} 份（{ids}）",
                  "每份已发布文件的批准人和修订条目批准人都有该层级文件的批准权限（organisation.yaml）")


def date_sequence_violations(facts: Facts) -> Figure:
    bad = []
    for d in facts.released:
        steps = [d.prepared_by.date, d.reviewed_by.date if d.reviewed_by else None,
                 d.approved_by.date if d.approved_by else None, d.effective]
        steps = [s for s in steps if s]
        if steps != sorted(steps) or any(s > facts.today for s in steps[:-1]):
            bad.append(d.id)
    return _count(bad, "编制、审核、批准、生效日期顺序不对或批准日期在未来的文件：{n} 份（{ids}）",
                  "全部已发布文件按编制 → 审核 → 批准 → 生效的顺序签署，没有未来日期的批准")


def review_overdue(facts: Facts) -> Figure:
    late = [f"{d.id}（{d.next_review.isoformat()} 到期）" for d in facts.manual.documents
            if d.status == "effective" and d.next_review and d.next_review < facts.today]
    return _count(late, "超过定期评审日期的生效文件：{n} 份：{ids}",
                  f"没有超过定期评审日期的生效文件（截至 {facts.today.isoformat()}）")


def revision_status_mismatch(facts: Facts) -> Figure:
    bad = [d.id for d in facts.manual.documents if not d.revisions or d.revisions[-1].version != d.version]
    return _count(bad, "当前版本与修订记录最后一条不一致的文件：{n} 份（{ids}）",
                  f"全部 {len(facts.manual.documents)} 份文件的当前版本与修订记录一致，修订记录表随文件页面发布")


def obsolete_documents(facts: Facts) -> Figure:
    obsolete = [d.id for d in facts.manual.documents if d.status == "obsolete"]
    superseded = sum(1 for t in facts.history.of_kind("document") for v in t.versions
                     if not v.current and v.effective_from is not None)
    return Figure(len(obsolete), f"作废文件 {len(obsolete)} 份（{'、'.join(obsolete) or '无'}），被取代的旧版本 {superseded} 个："
                  "员工站点不发布，审核员站点带“作废”横幅和水印；旧版本受控副本的回收见“文件发放与回收”", OK)


# ---------------------------------------------------------------- history

def revisions_unbacked(facts: Facts) -> Figure:
    start = facts.history.repo_start
    counts = {"verified": 0, "pre": 0, "unbacked": 0, "pending": 0}
    for timeline in facts.history.of_kind("document"):
        for version in timeline.versions:
            if version.basis == "verified":
                counts["verified"] += 1
            elif version.basis == "pending":
                counts["pending"] += 1
            elif version.basis == "declared" and start and version.entry and version.entry.date and version.entry.date < start:
                counts["pre"] += 1
            else:
                counts["unbacked"] += 1
    total = counts["pre"] + counts["unbacked"] + counts["pending"]
    text = (f"没有 git 提交印证的修订：{total} 个（入库前声明 {counts['pre']} 个，入库后无提交印证 {counts['unbacked']} 个，"
            f"待发布 {counts['pending']} 个）；已由提交核实 {counts['verified']} 个")
    if start is None:
        text += "；本次构建没有 git 历史"
    return Figure(total, text, ATTENTION if counts["unbacked"] or start is None else OK)


def changed_without_revision(facts: Facts) -> Figure:
    current = {d.id for d in facts.manual.documents} | {f.id for f in facts.manual.forms}
    found = [f"{d.path}（{d.code}）" for t in facts.history.timelines.values() if t.id in current
             for d in timeline_rules(t)]
    if facts.history.log.problem:
        return Figure(None, f"无法核对：git 历史不可用（{facts.history.log.problem}）", ATTENTION)
    return _count(found, "未经修订就改动、或修订记录与提交不符的文件：{n} 处：{ids}",
                  "没有未经修订而改动的生效文件或表单；每个提交发布的版本都有修订条目")


def versions_retrievable(facts: Facts) -> Figure:
    total = text_in_git = declared_only = 0
    lost = []
    for timeline in facts.history.of_kind("document"):
        for version in timeline.versions:
            total += 1
            if version.has_text:
                text_in_git += 1
            elif version.basis == "declared":
                declared_only += 1
            else:
                lost.append(f"{timeline.id} {version.version}")
    text = (f"文件版本 {total} 个：{text_in_git} 个的全文可从 git 历史取回（审核员站点显示全文和差异），"
            f"{declared_only} 个只有修订记录（入库前的纸质版本）")
    if lost:
        return Figure(len(lost), text + f"；取不回全文的已提交版本：{'、'.join(lost)}", ATTENTION)
    return Figure(text_in_git, text, OK)


def history_commits(facts: Facts) -> Figure:
    log = facts.history.log
    if log.problem or not log.commits:
        return Figure(0, f"没有可用的 git 历史（{log.problem or '没有提交'}）：审计追踪无法核对", ATTENTION)
    if log.shallow:
        return Figure(len(log.commits), "浅克隆：git 历史不完整，审计追踪无法完整核对", ATTENTION)
    first, last = log.commits[0].day, log.commits[-1].day
    return Figure(len(log.commits), f"受控内容的 git 提交 {len(log.commits)} 个（{first.isoformat()} 至 {last.isoformat()}），"
                  "每个版本的提交、作者、日期和修订原因显示在版本历史页", OK)


def build_stamp(facts: Facts) -> Figure:
    info = facts.build_info
    commit = info.get("commit")
    if not commit:
        return Figure(None, "构建不在 git 提交上：构建标记无法追溯到受控的源文件", ATTENTION)
    text = f"构建自提交 {commit[:12]}，qms-site {info.get('tool_version', '?')}，构建时间 {info.get('built_at', '?')} (UTC)"
    if info.get("dirty"):
        return Figure(commit[:12], text + "；工作区有未提交的修改，本站点不等于任何受控版本", ATTENTION)
    return Figure(commit[:12], text + "；工作区无未提交的修改", OK)


def signatures_shown(facts: Facts) -> Figure:
    entries = [(d.id, r) for d in facts.manual.documents for r in d.revisions]
    unsigned = [f"{i} {r.version}" for i, r in entries if not (r.approved_by and r.date)]
    return _count(unsigned, "修订条目缺少批准人姓名或日期：{n} 个（{ids}）",
                  f"{len(entries)} 个修订条目都显示批准人姓名、日期和更改内容（显示签署，不是电子签名）")


# ---------------------------------------------------------------- distribution

def recall_outstanding(facts: Facts) -> Figure:
    status = facts.distribution
    if not status.forms:
        return Figure(None, "没有文件发放与回收记录表单，无法统计旧版本受控副本", ATTENTION)
    awaiting, overdue = status.awaiting, status.overdue
    copies = [f"{c.issue.department} {c.issue.document} {c.issue.version} 版 {c.issue.copy_number} 号" for c in overdue[:10]]
    text = f"尚未回收的旧版本受控副本：{len(awaiting)} 份，其中逾期 {len(overdue)} 份"
    return Figure(len(awaiting), text + (f"（{'、'.join(copies)}）" if copies else ""), ATTENTION if overdue else OK)


def issue_missing(facts: Facts) -> Figure:
    status = facts.distribution
    if not status.forms:
        return Figure(None, "没有文件发放与回收记录表单，无法核对现行版本是否发到使用场所", ATTENTION)
    gaps = [f"{g.department} {g.document} {g.version} 版 {g.copy_number} 号" for g in status.missing]
    return _count(gaps, "现行版本未按期发到分发范围内部门的受控副本：{n} 份（{ids}）",
                  f"分发范围内的部门均按期领到现行版本（在用受控副本 {len(status.current)} 份）")


def duplicate_copy_numbers(facts: Facts) -> Figure:
    dups = [f"{d.document} {d.version} 版 {d.copy_number} 号" for d in facts.distribution.duplicates]
    return _count(dups, "重复发放的分发号：{n} 个（{ids}）", "没有重复发放的分发号")


# ---------------------------------------------------------------- records

def records_validated(facts: Facts) -> Figure:
    records, forms = facts.manual.records, facts.manual.forms
    return Figure(len(records), f"{len(records)} 条记录按其表单（{len(forms)} 张）的模式校验通过，有编号、日期和表单版本，"
                  "可在审核员站点按表单和月份检索；不通过校验的内容不会发布", OK)


def records_past_retention(facts: Facts) -> Figure:
    forms = {f.id: f for f in facts.manual.forms}
    due = [r.id for r in facts.manual.records if r.form in forms
           and add_months(r.date, 12 * forms[r.form].retention_years) < facts.today]
    periods = sorted({f.retention_years for f in forms.values()})
    span = f"{periods[0]}～{periods[-1]} 年" if periods else "—"
    return _count(due, "超过保存期限、待处置的记录：{n} 条（{ids}）",
                  f"没有超过保存期限的记录；{len(forms)} 张表单均规定了保存期限（{span}）")


def findings_open(facts: Facts) -> Figure:
    by_rule: dict[str, int] = {}
    for finding in facts.findings:
        rule = str(finding.get("rule"))
        by_rule[rule] = by_rule.get(rule, 0) + 1
    if not by_rule:
        return Figure(0, "没有未关闭的不符合项", OK)
    parts = "、".join(f"{FINDING_NAMES.get(rule, rule)} {n} 项" for rule, n in sorted(by_rule.items()))
    return Figure(len(facts.findings), f"未关闭的不符合项：{len(facts.findings)} 项（{parts}）", ATTENTION)


def personal_data_masked(facts: Facts) -> Figure:
    fields = [(f.id, x.key) for f in facts.manual.forms for x in f.fields if x.personal_data]
    forms = sorted({form for form, _ in fields})
    if not fields:
        return Figure(0, "表单没有标为个人信息的字段", OK)
    return Figure(len(fields), f"{len(forms)} 张表单的 {len(fields)} 个个人信息字段：员工站点中遮蔽或不显示，"
                  "每次员工站点构建后由泄漏扫描核对；完整内容只在审核员站点", OK)


def approvals_not_verified(facts: Facts) -> Figure:
    """21 CFR 11.50/11.70: approvals that signing requires but git cannot verify as the approver's."""
    config = facts.manual.config
    signatures = facts.history.signatures if facts.history is not None else {}
    if config.signed_approvals != "require":
        return Figure(None, f"批准签名未强制（qms.yaml change_control.signed_approvals: {config.signed_approvals}）",
                      ATTENTION)
    since = config.signed_approvals_from.isoformat() if config.signed_approvals_from else "仓库建立"
    checked = [key for key, s in signatures.items() if s.status != "not_required"]
    bad = sorted(f"{item} {version}" for (item, version), s in signatures.items()
                 if s.status not in ("verified", "not_required"))
    if bad:
        return _count(bad, f"自 {since} 起未验证的批准 {{n}} 个：{{ids}}", "")
    return Figure(0, f"自 {since} 起未验证的批准 0 个（已验证签名 {len(checked)} 个）", OK)


def auditor_site_protected(facts: Facts) -> Figure:
    """21 CFR 11.10(d): read from the web-server configuration `deploy-config` generated (deploy/*.conf)."""
    deployment = facts.deployment
    if deployment is None:
        return Figure(None, "仓库 deploy/ 下没有由 deploy-config 生成的 Web 服务器配置，无法核对审核员站点的访问控制",
                      ATTENTION)
    if not deployment.auditor_found:
        return Figure(None, f"{deployment.path} 中没有审核员站点的服务器配置", ATTENTION)
    if deployment.auditor_protected:
        return Figure("否", f"审核员站点未经认证即可访问：否（{deployment.path}：HTTP 基本认证，密码文件在站点目录之外）", OK)
    return Figure("是", f"审核员站点未经认证即可访问：是（{deployment.path} 的审核员服务器没有 auth_basic）", ATTENTION)


# ---------------------------------------------------------------- external documents

def external_documents_registered(facts: Facts) -> Figure:
    """Q-11: the register exists, its current standards are checked for currency, no document cites an old edition."""
    register = facts.external
    if not register.entries:
        return Figure(0, "外来文件清单（external/）中没有登记任何外来文件", ATTENTION)
    current = [s for s in register.entries if s.entry.status == "current"]
    stale_checks = [s.entry.id for s in register.entries if s.currency_overdue]
    stale_citations = list(dict.fromkeys(f"{c.document}→{c.external}" for c in register.stale_citations))
    head = f"外来文件清单登记 {len(register.entries)} 个版本（现行 {len(current)} 个）"
    if stale_checks or stale_citations:
        return Figure(len(stale_checks) + len(stale_citations),
                      f"{head}；逾期未查新的标准法规：{len(stale_checks)}（{'、'.join(stale_checks) or '无'}）；"
                      f"引用已被替代或废止版本的本公司文件：{len(stale_citations)}（{'、'.join(stale_citations) or '无'}）",
                      ATTENTION)
    return Figure(0, f"{head}；标准和法规均按期查新，本公司文件没有引用已被替代或废止的版本", OK)


def external_superseded_held(facts: Facts) -> Figure:
    """M-06: superseded or withdrawn external editions whose controlled copies are held past the recall period."""
    register = facts.external
    held = [f"{s.entry.id} {s.entry.citation}" for s in register.superseded_held]
    ended = [s for s in register.entries if s.entry.status != "current"]
    return _count(held, "仍被持有的已作废外来文件版本：{n}（{ids}）",
                  f"仍被持有的已作废外来文件版本：0（已被替代或废止的 {len(ended)} 个版本的受控副本均已按期收回）")


def external_customer_review(facts: Facts) -> Figure:
    """I-01: customer documents reviewed within the working days of qms.yaml after receipt."""
    register = facts.external
    days = register.review_working_days
    customer = [s for s in register.entries if s.review_due is not None]
    late = [f"{s.entry.id}（{'逾期未评审' if s.review_state == 'overdue' else '逾期评审'} {s.review_days_late} 个工作日）"
            for s in register.reviews_not_in_time]
    return _count(late, f"客户文件未在 {days} 个工作日内评审：{{n}}（{{ids}}）",
                  f"客户文件未在 {days} 个工作日内评审：0（共 {len(customer)} 份客户文件）")


def not_covered(facts: Facts) -> Figure:
    return Figure(None, "qms-site 未覆盖（见说明）", NOT_COVERED)


MEASURES: dict[str, Callable[[Facts], Figure]] = {
    "documents_incompletely_identified": documents_incompletely_identified,
    "documents_published": documents_published,
    "effective_without_approver": effective_without_approver,
    "approver_is_preparer": approver_is_preparer,
    "approvers_without_authority": approvers_without_authority,
    "date_sequence_violations": date_sequence_violations,
    "review_overdue": review_overdue,
    "revision_status_mismatch": revision_status_mismatch,
    "obsolete_documents": obsolete_documents,
    "revisions_unbacked": revisions_unbacked,
    "changed_without_revision": changed_without_revision,
    "versions_retrievable": versions_retrievable,
    "history_commits": history_commits,
    "build_stamp": build_stamp,
    "signatures_shown": signatures_shown,
    "recall_outstanding": recall_outstanding,
    "issue_missing": issue_missing,
    "duplicate_copy_numbers": duplicate_copy_numbers,
    "records_validated": records_validated,
    "records_past_retention": records_past_retention,
    "findings_open": findings_open,
    "personal_data_masked": personal_data_masked,
    "auditor_site_protected": auditor_site_protected,
    "approvals_not_verified": approvals_not_verified,
    "external_documents_registered": external_documents_registered,
    "external_superseded_held": external_superseded_held,
    "external_customer_review": external_customer_review,
    "none": not_covered,
}


def measure(name: str, facts: Facts) -> Figure:
    function = MEASURES.get(name)
    if function is None:
        return Figure(None, f"未知指标 {name}", ATTENTION)
    return function(facts)
