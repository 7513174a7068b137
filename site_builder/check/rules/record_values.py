"""Check-time rules on record values that need the derive stage (issue 5).

SB501: a hand-entered value that disagrees with the one computed from the form's rules;
today the survey total typed into `rules.score.score_field`, reported at that field's line.
"""

from __future__ import annotations

from site_builder import diagnostics as dg
from site_builder.derive import scoring
from site_builder.model.manual import Manual


def record_value_rules(manual: Manual) -> list:
    """Diagnostics such as SB501 (hand-typed value disagrees with the computed one)."""
    forms = {f.id: f for f in manual.forms if f.rules.get("score") or f.id in manual.form_versions}
    found = []
    for record in manual.records:
        form = forms.get(record.form)
        if form is None:
            continue
        rule = manual.form_on(form, record.date).rules.get("score") or {}  # the rules in force on its date
        if not rule.get("score_field"):
            continue
        result = scoring.evaluate(record, rule)
        if scoring.typed_disagrees(result):
            field = rule["score_field"]
            found.append(dg.error(
                "SB501", record.path, f"{field}: entered {_num(result.typed_score)}, but the ratings give "
                f"{_num(result.score)} (grade {result.grade})", json_path=(field,),
                hint=f"correct {field} to {_num(result.score)}, or check the answers under {rule['field']}"))
    return found


def _num(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
