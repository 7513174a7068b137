"""Records that are not in the repository yet, checked exactly as `check` would check their files.

Takes the result of a check of the repository (its manual in force, its working tree and record
schemas) and the texts of record files about to be written (a spreadsheet `import`); gives, for
each text, its data as the loader reads it (None when it does not load or is not valid) and every
diagnostic `check` would report for that file once it is written: the per-file stage (strict YAML,
the record schema of the form in force today, free text), the record schema of the form version in
force on the record's date, identity (numbering, duplicates among the new files), the record rules
(form version periods, references), the rules on record values and the distribution rules.  No
writes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from site_builder import diagnostics as dg
from site_builder.check import rules
from site_builder.check.files import FileChecker, check_files
from site_builder.check.rules.record_values import record_value_rules
from site_builder.derive.distribution import distribution_rules
from site_builder.fast.forked import Children
from site_builder.load.files import LoadedFile
from site_builder.load.schema_errors import schema_diagnostics
from site_builder.load.schemas import load_schemas, record_schema
from site_builder.load.sources import SourceFile
from site_builder.model import build as build_model
from site_builder.model.manual import Form, Manual


@dataclass
class Incoming:
    path: str  # records/<FORM>/<ID>.yaml
    text: str
    #: filled in by check_incoming
    data: dict | None = None
    diagnostics: list[dg.Diagnostic] = dataclasses.field(default_factory=list)


def check_incoming(root: Path, result, incoming: list[Incoming], replaced: frozenset[str] = frozenset(),
                   children: Children | None = None) -> None:
    """Check `incoming` as the record files they will be, beside the records of `result` (a CheckResult
    with its manual); `replaced`: paths of existing records that incoming texts replace; `children`: the
    build's worker processes for the per-file stage.  Fills in `data` and `diagnostics` of each."""
    manual: Manual = result.manual
    worktree: Manual = result.worktree or manual
    schemas, _ = load_schemas(Path(root) / "schemas")
    checker = FileChecker(schemas, manual.config.max_file_bytes, manual.config.max_depth)
    checker.use_forms(result.record_schemas or {})
    loaded: list[LoadedFile] = []
    by_path = {item.path: item for item in incoming}
    checker.pending = {item.path: item.text.encode("utf-8") for item in incoming}
    results, _ = check_files(checker, [SourceFile("record", item.path, "") for item in incoming], children or Children(1))
    for item, checked in zip(incoming, results):
        item.diagnostics += checked.loaded.diagnostics
        if checked.valid:
            item.data = checked.loaded.data
            loaded.append(checked.loaded)
    new_records = [build_model.record_from(f.data, f.path) for f in loaded]
    forms_now = {f.id: f for f in manual.forms}
    for record, file in zip(new_records, loaded):
        form = forms_now.get(record.form)
        version = manual.form_on(form, record.date) if form is not None else None
        if version is not None and version is not form:  # the version in force on the record's date
            validator = schemas.validator(record_schema(form_data(version)))
            seen = {(d.code, d.message) for d in by_path[file.path].diagnostics}
            by_path[file.path].diagnostics += [d for d in schema_diagnostics(file.path, file.data, validator)
                                               if (d.code, d.message) not in seen]
    found: list[dg.Diagnostic] = list(rules.identity_rules(loaded, manual.config))
    kept = tuple(r for r in manual.records if r.path not in replaced)
    record_forms = {r.id: r.form for r in kept} | {r.id: r.form for r in new_records}
    known = ({d.id for d in worktree.documents} | {f.id for f in worktree.forms} | set(record_forms)
             | {d.id for d in manual.documents})
    forms = {f.id: f for f in worktree.forms}
    periods = {f.id: rules.form_periods(f) for f in worktree.forms}
    for record in new_records:
        found += rules.record_rules(record, forms, record_forms, known, manual.today, periods)
    found += record_value_rules(dataclasses.replace(manual, records=tuple(new_records)))
    found += distribution_rules(dataclasses.replace(manual, records=kept + tuple(new_records)))
    for diagnostic in found:
        if diagnostic.path in by_path:
            by_path[diagnostic.path].diagnostics.append(diagnostic)
    for item in incoming:
        if dg.count_errors(item.diagnostics):
            item.data = None


def form_data(form: Form) -> dict:
    """A form model as the data record_schema derives a schema from."""
    fields = {}
    for spec in form.fields:
        entry = {"label": spec.label, "type": spec.type, "required": spec.required}
        for key in ("choices", "items", "levels"):
            if getattr(spec, key):
                entry[key] = list(getattr(spec, key))
        for key in ("minimum", "maximum", "max_length"):
            if getattr(spec, key) is not None:
                entry[key] = getattr(spec, key)
        if spec.personal_data:
            entry |= {"personal_data": True, "mask": spec.mask}
        fields[spec.key] = entry
    return {"id": form.id, "title": form.title, "fields": fields}
