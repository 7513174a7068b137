"""The content model: frozen dataclasses built from validated data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

STATUS_LABELS = {"draft": "草稿", "in_review": "审核中", "approved": "已批准", "effective": "生效", "obsolete": "作废"}
LEVEL_LABELS = {1: "一级 质量手册", 2: "二级 程序文件", 3: "三级 作业指导书/管理制度"}
DEFAULT_EXTERNAL_PATTERN = "^EXT-[0-9]{4}-[0-9]{3}$"


@dataclass(frozen=True, slots=True, kw_only=True)
class Signature:
    name: str
    date: date


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    """A periodic review: who found what on which day (`last_reviewed`; an old plain date has no `by`)."""

    date: date
    by: str | None = None
    result: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Revision:
    version: str
    date: date
    sections: str
    change: str
    #: who approved the version (None: the open draft's entry, which `approve` signs)
    approved_by: str | None = None
    effective: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    department: str
    copies: int
    copy_numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Objective:
    id: str
    text: str
    target: float
    comparison: str
    unit: str
    period: str
    metric: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A controlled document (quality manual chapter, procedure, work instruction)."""

    id: str
    title: str
    level: int
    version: str
    status: str
    owner: str
    summary: str
    prepared_by: Signature
    reviewed_by: Signature | None
    approved_by: Signature | None
    effective: date | None
    review_period_months: int
    last_reviewed: date | None
    obsoleted: date | None
    supersedes: tuple[str, ...]
    distribution: tuple[Distribution, ...]
    revisions: tuple[Revision, ...]
    related_documents: tuple[str, ...]
    related_forms: tuple[str, ...]
    quality_policy: str
    objectives: tuple[Objective, ...]
    body: str
    path: str
    body_line: int
    #: the last periodic review as recorded (`last_reviewed` is its date)
    review: Review | None = None

    @property
    def next_review(self) -> date | None:
        """None for an obsolete document (withdrawn documents are not reviewed)."""
        if self.status == "obsolete":
            return None
        start = max(d for d in (self.effective, self.last_reviewed) if d) if (self.effective or self.last_reviewed) else None
        return add_months(start, self.review_period_months) if start else None


@dataclass(frozen=True, slots=True, kw_only=True)
class FormField:
    key: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    form: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    personal_data: bool = False
    mask: str = "omit"
    max_length: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Form:
    id: str
    title: str
    version: str
    status: str
    procedure: str
    owner: str
    #: None while the version is prepared (draft, in review) or approved without a date yet
    effective: date | None
    retention_years: int
    retention_note: str
    description: str
    record_prefix: str
    revisions: tuple[Revision, ...]
    fields: tuple[FormField, ...]
    rules: dict = field(hash=False, compare=False)
    path: str = ""
    prepared_by: Signature | None = None
    approved_by: Signature | None = None

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    id: str
    form: str
    date: date
    form_version: str | None
    values: dict = field(hash=False, compare=False)
    path: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Department:
    name: str
    code: str
    parent: str | None
    head: str | None
    responsibilities: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningKey:
    """An SSH public key a person signs approvals with, and the days it may sign (inclusive)."""

    key: str  # "ssh-ed25519 AAAA…" (type and data, without the comment)
    comment: str = ""
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    name: str
    department: str
    title: str
    approves_levels: tuple[int, ...]
    git_names: tuple[str, ...]
    signing_keys: tuple[SigningKey, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation:
    departments: tuple[Department, ...]
    people: tuple[Person, ...]

    def department(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name == name), None)

    def person(self, name: str) -> Person | None:
        return next((p for p in self.people if p.name == name or name in p.git_names), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalReview:
    """The review of an external document's applicability (IATF 16949 7.5.3.2.2, QP-01 5.11.2)."""

    by: str
    date: date
    #: adopted | adopted_with_changes | not_applicable
    decision: str
    affected_documents: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalDocument:
    """One edition of a document of external origin: an entry of the 外来文件清单 (external/<id>.yaml)."""

    id: str
    title: str
    #: standard | regulation | customer | supplier | other
    origin: str
    issuer: str
    #: the issuer's number without the edition (GB 5749), and the edition as the issuer writes it (2022)
    number: str
    edition: str
    issued: date | None
    received: date
    received_by: str
    review: ExternalReview | None
    #: current | superseded | withdrawn
    status: str
    superseded_by: str | None
    superseded_on: date | None
    withdrawn_on: date | None
    distribution: tuple[Distribution, ...]
    #: the last check that the edition is still the valid one (查新): who found what on which day
    currency_check: Review | None
    file: str | None
    note: str
    path: str

    @property
    def citation(self) -> str:
        """How the edition is cited: GB 5749-2022 for a standard's year, else number and edition."""
        if self.edition.isdigit() and len(self.edition) == 4:
            return f"{self.number}-{self.edition}"
        return f"{self.number} {self.edition}"

    @property
    def ended(self) -> date | None:
        """The day the edition stopped being valid (superseded or withdrawn), None while current."""
        return self.superseded_on if self.status == "superseded" else self.withdrawn_on if self.status == "withdrawn" else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    company: str
    site_name: str
    version_pattern: str
    document_patterns: dict
    form_pattern: str
    record_pattern: str
    due_soon_days: int = 60
    default_review_months: int = 24  # qms.yaml review.default_period_months: what `new` writes
    issue_within_days: int = 7
    recall_within_days: int = 14
    max_file_bytes: int = 1_048_576
    max_depth: int = 32
    backdating_days: int = 30  # qms.yaml change_control.backdating_days (SB414)
    signed_approvals: str = "warn"  # change_control.signed_approvals: off | warn | require (SB422)
    signed_approvals_from: date | None = None  # change_control.signed_approvals_from
    site_url: str | None = None  # qms.yaml site_url; the build falls back to the preview address
    external_id_pattern: str = DEFAULT_EXTERNAL_PATTERN  # qms.yaml external.id_pattern
    review_working_days: int = 10  # external.review_working_days: customer documents reviewed within
    currency_check_months: int = 12  # external.currency_check_months: standards checked for currency
    external_max_file_bytes: int = 20_971_520  # external.max_file_bytes: a file kept under external/files/
    #: qms.yaml calendar: days off on weekdays and make-up working days on weekends (调休)
    holidays: frozenset = frozenset()
    workdays: frozenset = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Manual:
    """Everything loaded and valid, ready for the derive and render stages."""

    config: Config
    organisation: Organisation
    documents: tuple[Document, ...]
    forms: tuple[Form, ...]
    records: tuple[Record, ...]
    today: date
    #: number -> the newer version being prepared (draft, in review, approved for a later date) of a
    #: document or form whose version in force is in `documents`/`forms` (history/in_force.py)
    in_progress: dict = field(default_factory=dict, hash=False)
    #: form number -> ((in force from, Form), ...) oldest first, for forms with more than one version
    #: whose text is known: records are evaluated with the version in force on their date
    form_versions: dict = field(default_factory=dict, hash=False)
    #: document number -> {(department, copy number): the day it was put on the distribution list}
    listed_since: dict = field(default_factory=dict, hash=False)
    #: the register of external documents (external/*.yaml), sorted by register number
    external: tuple[ExternalDocument, ...] = ()

    def external_document(self, external_id: str) -> ExternalDocument | None:
        return next((e for e in self.external if e.id == external_id), None)

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def form_on(self, form: Form, day: date) -> Form:
        """The version of `form` in force on `day` (the earliest known before its first version)."""
        versions = self.form_versions.get(form.id)
        if not versions:
            return form
        found = versions[0][1]
        for start, version in versions:
            if start <= day:
                found = version
        return found


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError("unreachable")
