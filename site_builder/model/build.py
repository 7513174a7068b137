"""Validated data -> model objects.  Only called on data that passed its schema."""

from __future__ import annotations

from datetime import date

from site_builder.model.manual import (
    DEFAULT_EXTERNAL_PATTERN,
    Config,
    Department,
    Distribution,
    Document,
    ExternalDocument,
    ExternalReview,
    Form,
    FormField,
    Objective,
    Organisation,
    Person,
    Record,
    Review,
    Revision,
    Signature,
    SigningKey,
)


def to_date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def config_from(data: dict) -> Config:
    numbering = data["numbering"]
    limits, review, distribution = data.get("limits", {}), data.get("review", {}), data.get("distribution", {})
    change_control = data.get("change_control", {})
    external, calendar = data.get("external", {}), data.get("calendar", {})
    return Config(
        company=data["company"], site_name=data["site_name"], version_pattern=numbering["version"],
        document_patterns={int(k): v for k, v in numbering["documents"].items() if k.isdigit()},
        form_pattern=numbering["form"], record_pattern=numbering["record"],
        due_soon_days=review.get("due_soon_days", 60), default_review_months=review.get("default_period_months", 24),
        issue_within_days=distribution.get("issue_within_days", 7),
        recall_within_days=distribution.get("recall_within_days", 14),
        max_file_bytes=limits.get("max_file_bytes", 1_048_576), max_depth=limits.get("max_depth", 32),
        backdating_days=change_control.get("backdating_days", 30),
        signed_approvals=change_control.get("signed_approvals", "warn"),
        signed_approvals_from=to_date(change_control.get("signed_approvals_from")),
        site_url=data.get("site_url"),
        external_id_pattern=external.get("id_pattern", DEFAULT_EXTERNAL_PATTERN),
        review_working_days=external.get("review_working_days", 10),
        currency_check_months=external.get("currency_check_months", 12),
        external_max_file_bytes=external.get("max_file_bytes", 20_971_520),
        holidays=frozenset(to_date(d) for d in calendar.get("holidays", ())),
        workdays=frozenset(to_date(d) for d in calendar.get("workdays", ())),
    )


def organisation_from(data: dict) -> Organisation:
    return Organisation(
        departments=tuple(Department(name=d["name"], code=d["code"], parent=d.get("parent"), head=d.get("head"),
                                     responsibilities=tuple(d.get("responsibilities", ()))) for d in data["departments"]),
        people=tuple(Person(name=p["name"], department=p["department"], title=p["title"],
                            approves_levels=tuple(p.get("approves_levels", ())), git_names=tuple(p.get("git_names", ())),
                            signing_keys=tuple(signing_key_from(k) for k in p.get("signing_keys", ())))
                     for p in data["people"]),
    )


def signing_key_from(value) -> SigningKey:
    """`ssh-ed25519 AAAA… comment`, or {key, valid_from, valid_to}; the key as type and data."""
    line, since, until = (value, None, None) if isinstance(value, str) else (
        value["key"], to_date(value.get("valid_from")), to_date(value.get("valid_to")))
    parts = line.split(None, 2)
    return SigningKey(key=" ".join(parts[:2]), comment=parts[2] if len(parts) > 2 else "", valid_from=since,
                      valid_to=until)


def signature_from(data: dict | None) -> Signature | None:
    return Signature(name=data["name"], date=to_date(data["date"])) if data else None


def revision_from(data: dict) -> Revision:
    return Revision(version=data["version"], date=to_date(data["date"]), sections=data["sections"],
                    change=data["change"], approved_by=data.get("approved_by"), effective=to_date(data.get("effective")))


def review_from(value) -> Review | None:
    """`last_reviewed`: {by, date, result}, or (older files) just the date."""
    if isinstance(value, dict):
        return Review(date=to_date(value["date"]), by=value["by"], result=value["result"])
    return Review(date=to_date(value)) if value else None


def document_from(data: dict, body: str, path: str, body_line: int) -> Document:
    review = review_from(data.get("last_reviewed"))
    return Document(
        id=data["id"], title=data["title"], level=data["level"], version=data["version"], status=data["status"],
        owner=data["owner"], summary=data.get("summary", ""),
        prepared_by=signature_from(data["prepared_by"]), reviewed_by=signature_from(data.get("reviewed_by")),
        approved_by=signature_from(data.get("approved_by")), effective=to_date(data.get("effective")),
        review_period_months=data["review_period_months"], last_reviewed=review.date if review else None,
        review=review,
        obsoleted=to_date(data.get("obsoleted")), supersedes=tuple(data.get("supersedes", ())),
        distribution=distribution_from(data["distribution"]),
        revisions=tuple(revision_from(r) for r in data["revisions"]),
        related_documents=tuple(data["related_documents"]), related_forms=tuple(data["related_forms"]),
        quality_policy=data.get("quality_policy", ""),
        objectives=tuple(Objective(id=o["id"], text=o["text"], target=o["target"], comparison=o["comparison"],
                                   unit=o.get("unit", ""), period=o["period"], metric=o.get("metric"))
                         for o in data.get("objectives", ())),
        body=body, path=path, body_line=body_line,
    )


def distribution_from(entries: list) -> tuple[Distribution, ...]:
    return tuple(Distribution(department=d["department"], copies=d["copies"], copy_numbers=tuple(d["copy_numbers"]))
                 for d in entries)


def external_from(data: dict, path: str) -> ExternalDocument:
    review, check = data.get("review"), data.get("currency_check")
    return ExternalDocument(
        id=data["id"], title=data["title"], origin=data["origin"], issuer=data["issuer"], number=data["number"],
        edition=data["edition"], issued=to_date(data.get("issued")), received=to_date(data["received"]),
        received_by=data["received_by"],
        review=ExternalReview(by=review["by"], date=to_date(review["date"]), decision=review["decision"],
                              affected_documents=tuple(review.get("affected_documents", ())),
                              note=review.get("note", "")) if review else None,
        status=data.get("status", "current"), superseded_by=data.get("superseded_by"),
        superseded_on=to_date(data.get("superseded_on")), withdrawn_on=to_date(data.get("withdrawn_on")),
        distribution=distribution_from(data.get("distribution", ())),
        currency_check=Review(date=to_date(check["date"]), by=check.get("by"), result=check.get("result", ""))
        if check else None,
        file=data.get("file"), note=data.get("note", ""), path=path,
    )


def form_from(data: dict, path: str) -> Form:
    retention = data["retention"]
    return Form(
        id=data["id"], title=data["title"], version=data["version"], status=data["status"],
        procedure=data["procedure"], owner=data["owner"], effective=to_date(data.get("effective")),
        retention_years=retention["years"], retention_note=retention.get("note", ""),
        description=data.get("description", ""), record_prefix=data["record_prefix"],
        revisions=tuple(revision_from(r) for r in data["revisions"]),
        fields=tuple(_field(key, spec) for key, spec in data["fields"].items()),
        rules=data.get("rules", {}), path=path, prepared_by=signature_from(data.get("prepared_by")),
        approved_by=signature_from(data.get("approved_by")),
    )


def _field(key: str, spec: dict) -> FormField:
    return FormField(
        key=key, label=spec["label"], type=spec["type"], required=spec.get("required", False),
        help=spec.get("help", ""), choices=tuple(spec.get("choices", ())), items=tuple(spec.get("items", ())),
        levels=tuple(spec.get("levels", ())), form=spec.get("form"), minimum=spec.get("minimum"),
        maximum=spec.get("maximum"), personal_data=spec.get("personal_data", False), mask=spec.get("mask", "omit"),
        max_length=spec.get("max_length"),
    )


def record_from(data: dict, path: str) -> Record:
    values = {k: v for k, v in data.items() if k not in ("id", "form", "date", "form_version")}
    return Record(id=data["id"], form=data["form"], date=to_date(data["date"]),
                  form_version=data.get("form_version"), values=values, path=path)
