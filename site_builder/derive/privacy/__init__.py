"""Personal data: classification and masking in the data layer.

The staff build must never contain personal data.  Renderers never read `record.values`
directly for output: they call `visible_values(record, form, audience)`, which masks
personal-data fields (and drops narrative fields of forms that hold personal data) for the
staff audience and returns everything for auditors.  After every staff build,
`site_builder.verify.site` runs the leak scanner (site_builder/verify/leaks.py) over the new site with every
personal value of the input and refuses to publish when it finds one.
"""

from __future__ import annotations

from site_builder.derive.privacy.mask import (
    MASK_STYLES,
    MaskPlan,
    has_personal_data,
    is_personal,
    mask_value,
    masked_values,
    personal_value_sources,
    personal_values,
    public_values,
)

AUDITOR = "auditor"

__all__ = ["AUDITOR", "MASK_STYLES", "MaskPlan", "has_personal_data", "is_personal", "mask_value", "masked_values",
           "personal_value_sources", "personal_values", "public_values", "visible_fields", "visible_values"]


def visible_values(record, form, audience: str, plan: MaskPlan | None = None) -> dict:
    """The values of `record` that pages for `audience` may show.

    Auditor: a copy of all values, unmasked.  Any other audience (staff, and anything
    unknown: fail closed): `masked_values(record, form, plan)`.
    """
    if audience == AUDITOR:
        return dict(record.values)
    return masked_values(record, form, plan)


def visible_fields(form, audience: str) -> list:
    """The form's fields that can appear in pages for `audience` (for table columns and
    filters): all of them for auditors; for staff, all but `mask: omit` personal fields and the
    narrative fields of a form that holds personal data."""
    if audience == AUDITOR:
        return list(form.fields)
    return [f for f in form.fields
            if not (f.personal_data and f.mask == "omit") and not (f.type == "text" and has_personal_data(form))]
