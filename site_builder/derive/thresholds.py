"""Per-item thresholds on a scores field (form rule `item_threshold`, branch surveys).

Any item scored under `below` requires a follow-up recorded in `followup_field`.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.model.manual import Record


@dataclass(frozen=True, slots=True)
class ThresholdResult:
    low_items: tuple[str, ...]
    followup_recorded: bool

    @property
    def followup_required(self) -> bool:
        return bool(self.low_items)

    @property
    def followup_missing(self) -> bool:
        return self.followup_required and not self.followup_recorded


def low_items(scores, below: float) -> tuple[str, ...]:
    """Items whose score is strictly under the threshold, in the order they were recorded."""
    if not isinstance(scores, dict):
        return ()
    return tuple(item for item, value in scores.items()
                 if isinstance(value, int | float) and not isinstance(value, bool) and value < below)


def minimum(scores) -> float | None:
    values = [v for v in scores.values() if isinstance(v, int | float) and not isinstance(v, bool)] if isinstance(scores, dict) else []
    return min(values) if values else None


def evaluate(record: Record, rule: dict) -> ThresholdResult:
    followup = record.values.get(rule["followup_field"])
    return ThresholdResult(low_items=low_items(record.values.get(rule["field"]), rule["below"]),
                           followup_recorded=followup not in (None, "", [], {}))
