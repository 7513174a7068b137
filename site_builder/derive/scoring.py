"""Customer-satisfaction survey scoring (form rule `score`).

score = sum over the items of the points table of the points of the chosen answer level;
grade = the first grade (listed highest first) whose `min` the score reaches;
a corrective action is required when the score is under `capa_below`, and the report
number belongs in `capa_field`.  Every number comes from the form's rule data.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.model.manual import Record


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: float | None
    grade: str | None
    capa_required: bool | None
    capa_record: str | None
    typed_score: float | None = None

    @property
    def capa_missing(self) -> bool:
        return bool(self.capa_required) and not self.capa_record


def survey_score(answers, points: dict) -> float | None:
    """Sum of the points of the chosen level per item; None when an item is unanswered or its level unknown."""
    if not isinstance(answers, dict):
        return None
    total = 0
    for item, levels in points.items():
        level = answers.get(item)
        if level is None or level not in levels:
            return None
        total += levels[level]
    return total


def grade_for(score: float | None, grades: list[dict]) -> str | None:
    """The first grade whose minimum the score reaches (grades are listed highest first)."""
    if score is None:
        return None
    for grade in grades:
        if score >= grade["min"]:
            return grade["grade"]
    return None


def capa_required(score: float | None, capa_below: float) -> bool | None:
    return None if score is None else score < capa_below


def evaluate(record: Record, rule: dict) -> ScoreResult:
    score = survey_score(record.values.get(rule["field"]), rule["points"])
    capa = record.values.get(rule["capa_field"])
    typed = record.values.get(rule["score_field"]) if rule.get("score_field") else None
    return ScoreResult(
        score=score,
        grade=grade_for(score, rule["grades"]),
        capa_required=capa_required(score, rule["capa_below"]),
        capa_record=capa if isinstance(capa, str) and capa else None,
        typed_score=typed if isinstance(typed, int | float) and not isinstance(typed, bool) else None,
    )


def typed_disagrees(result: ScoreResult) -> bool:
    """A hand-entered total that differs from the computed score (SB501)."""
    return result.typed_score is not None and result.score is not None and abs(result.typed_score - result.score) > 1e-9
