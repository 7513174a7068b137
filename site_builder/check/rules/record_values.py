"""Check-time rules on record values that need the derive stage (issue 5), with the rules of the
form version in force on each record's date.

SB501: a hand-entered value that disagrees with the one computed from the form's rules;
today the survey total typed into `rules.score.score_field`, reported at that field's line.
SB503 (a warning): a record that the form's rules say needs something its author can still add,
so that `check` (and a pre-commit hook) shows what the build's findings page would: a score below
`capa_below` without the CAPA report, an item below `item_threshold.below` without the follow-up.
"""

from __future__ import annotations

from site_builder import diagnostics as dg
from site_builder.derive import scoring, thresholds
from site_builder.model.manual import Manual


def record_value_rules(manual: Manual) -> list:
    """Diagnostics SB501 and SB503 of every record."""
    forms = {f.id: f for f in manual.forms if f.rules.get("score") or f.rules.get("item_threshold")
             or f.id in manual.form_versions}
    found = []
    for record in manual.records:
        form = forms.get(record.form)
        if form is None:
            continue
        version = manual.form_on(form, record.date)  # the rules in force on its date
        rule = version.rules.get("score")
        if rule:
            found += _score(record, rule, version)
        rule = version.rules.get("item_threshold")
        if rule:
            result = thresholds.evaluate(record, rule)
            if result.followup_missing:
                field = rule["followup_field"]
                found.append(dg.warning(
                    "SB503", record.path, f"{'、'.join(result.low_items)} below {_num(rule['below'])}, but "
                    f"{field} ({_label(version, field)}) is empty", json_path=(rule["field"],),
                    hint=f"record the follow-up in {field}; until then it is a finding of the build"))
    return found


def _label(form, key: str) -> str:
    spec = form.field(key)
    return spec.label if spec else key


def _score(record, rule: dict, form) -> list:
    result = scoring.evaluate(record, rule)
    found = []
    if rule.get("score_field") and scoring.typed_disagrees(result):
        field = rule["score_field"]
        found.append(dg.error(
            "SB501", record.path, f"{field}: entered {_num(result.typed_score)}, but the ratings give "
            f"{_num(result.score)} (grade {result.grade})", json_path=(field,),
            hint=f"correct {field} to {_num(result.score)}, or check the answers under {rule['field']}"))
    if result.capa_missing:
        field = rule["capa_field"]
        found.append(dg.warning(
            "SB503", record.path, f"score {_num(result.score)} (grade {result.grade}) is below {_num(rule['capa_below'])}, "
            f"but {field} ({_label(form, field)}) is empty", json_path=(rule["field"],),
            hint=f"open the corrective action and enter its report number in {field}; until then it is a finding "
            "of the build"))
    return found


def _num(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
