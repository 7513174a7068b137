"""Masking of personal data in the data layer, before anything is rendered.

Classification lives in the form definitions: a field with `personal_data: true` is
personal data and its `mask:` says how the staff build shows it (the derived record
schema carries the same facts as `x-personal-data: true` and `x-mask`).

Mask styles (the staff build never shows more than this):

* ``name``    first character + ``**`` (``张**``); a 2-character name keeps 1 (``张*``); a
  1-character name becomes ``*``.  Lists of names (``张三、李四``) are masked one by one.
* ``phone``   only the digits are kept (after NFKC, so fullwidth digits count), every other
  character is dropped: mobile and other numbers of 11+ digits show the first 3 and the last
  4 digits (``138****5678``; ``+86`` is dropped); landlines starting with ``0`` show the area
  code and the last 4 digits (``0571-****1234``); 7 to 10 digits show the last 4
  (``****5678``); shorter numbers are hidden completely (``****``).
* ``email``   first character of the local part + ``***@`` + the domain
  (``c***@example.invalid``).
* ``address`` the first 6 characters + ``****``; an address of 12 characters or fewer keeps
  only its first half (so a short address is never shown whole).
* ``omit``    the value is removed (also the default, and what an unknown style does).

Narrative rule: a free-text field (``type: text``) of a form that has ANY personal-data field
is removed from the staff build even when it is not itself marked, because names, phone
numbers and addresses inside prose cannot be found and masked reliably.
"""

from __future__ import annotations

import re
import unicodedata

MASK_STYLES = ("name", "phone", "email", "address", "omit")
NAME_STARS = "**"
HIDDEN = "****"
_LIST_SEPARATORS = re.compile(r"\s*[、,，;；/／\n]+\s*")
_PHONE_LISTS = re.compile(r"\s*[、,，;；/／\n]+\s*|\s{2,}")
_DIGIT = re.compile(r"\d")
_ADDRESS_KEEP = 6


def mask_value(value, style: str):
    """The masked form of `value` for the staff build, or None when it must be left out."""
    if value is None or style not in MASK_STYLES or style == "omit":
        return None
    if isinstance(value, (bool, dict)):
        return None  # nothing sensible to mask in a structured value: leave it out
    if isinstance(value, (list, tuple)):
        masked = [mask_value(item, style) for item in value]
        return [m for m in masked if m is not None]
    text = str(value)
    return {"name": mask_name, "phone": mask_phone, "email": mask_email, "address": mask_address}[style](text)


def mask_name(value: str) -> str:
    parts = [p for p in _LIST_SEPARATORS.split(_clean(value)) if p]
    separator = "、" if _has_cjk(value) else ", "
    return separator.join(_mask_one_name(p) for p in parts)


def _mask_one_name(name: str) -> str:
    characters = list(name)
    if len(characters) <= 1:
        return "*" if characters else ""
    if len(characters) == 2:
        return characters[0] + "*"
    return characters[0] + NAME_STARS


def mask_phone(value: str) -> str:
    parts = [p for p in _PHONE_LISTS.split(_clean(value)) if p]
    return " / ".join(_mask_one_phone(p) for p in parts)


def _mask_one_phone(number: str) -> str:
    digits = phone_digits(number)
    if digits.startswith("0") and not digits.startswith("00") and len(digits) >= 8:
        area = 3 if digits[1] in "12" else 4
        local = digits[area:]
        return f"{digits[:area]}-{HIDDEN}{local[-4:] if len(local) > 4 else ''}"
    if len(digits) >= 11:
        return f"{digits[:3]}{HIDDEN}{digits[-4:]}"
    if len(digits) >= 7:
        return f"{HIDDEN}{digits[-4:]}"
    return HIDDEN


def phone_digits(number: str) -> str:
    """The digits of a phone number, without a +86 / 0086 country code (other country codes stay)."""
    text = unicodedata.normalize("NFKC", number).strip()
    digits = "".join(str(unicodedata.decimal(c)) for c in text if _DIGIT.match(c))
    if text.startswith("+86") or (text.startswith("0086") and len(digits) > 12):
        digits = digits[2:] if text.startswith("+") else digits[4:]
    return digits


def mask_email(value: str) -> str:
    text = _clean(value)
    local, at, domain = text.rpartition("@")
    if not at:
        return _mask_one_name(text) if len(text) <= 2 else text[0] + "***"
    return (local[:1] + "***@" + domain) if local else "***@" + domain


def mask_address(value: str) -> str:
    characters = list(_clean(value))
    keep = _ADDRESS_KEEP if len(characters) > 2 * _ADDRESS_KEEP else len(characters) // 2
    return "".join(characters[:keep]) + HIDDEN


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


# --- records ------------------------------------------------------------------------------

def has_personal_data(form) -> bool:
    return any(f.personal_data for f in form.fields)


def is_personal(field, form) -> bool:
    """True for a personal-data field, and for a narrative field of a form holding personal data."""
    return bool(field.personal_data) or (field.type == "text" and has_personal_data(form))


def masked_values(record, form, plan: MaskPlan | None = None) -> dict:
    """The record's values as the staff build may show them.

    Personal-data fields are masked with their `mask:` style (or removed for `omit`);
    narrative (`text`) fields of a form with any personal-data field are removed; keys the
    form does not define are removed too (fail closed).  Other values are returned as they are.
    `plan`: the form's MaskPlan, when the caller masks many records of one form.
    """
    plan = plan or MaskPlan(form)
    result: dict = {}
    for key, value in record.values.items():
        how = plan.fields.get(key, _DROP)
        if how is _KEEP:
            result[key] = value
        elif how is not _DROP:
            masked = plan.mask_text(value, how) if type(value) is str else mask_value(value, how)
            if masked is not None:
                result[key] = masked
    return result


_KEEP, _DROP = object(), object()


class MaskPlan:
    """How pages for staff show each field of one form: field key -> _KEEP, _DROP or the mask
    style; and the masks of the texts seen so far (names and phone numbers repeat across records)."""

    def __init__(self, form) -> None:
        self.fields: dict = {}
        for field in form.fields if form is not None else ():
            if field.personal_data:
                self.fields[field.key] = field.mask
            elif field.type == "text" and has_personal_data(form):
                self.fields[field.key] = _DROP
            else:
                self.fields[field.key] = _KEEP
        self._masked: dict[tuple[str, str], object] = {}

    def mask_text(self, text: str, style: str):
        """mask_value of a string, once per distinct (text, style)."""
        key = (text, style)
        if key not in self._masked:
            self._masked[key] = mask_value(text, style)
        return self._masked[key]


def personal_value_sources(manual) -> dict[str, list[str]]:
    """Every personal value of the input -> where it comes from (``path: field``), unfiltered."""
    forms = {f.id: f for f in manual.forms}
    sources: dict[str, list[str]] = {}
    for record in manual.records:
        form = forms.get(record.form)
        if form is None:
            continue
        for key, value in record.values.items():
            field = form.field(key)
            if field is None or not is_personal(field, form):
                continue
            for text in _strings(value):
                text = text.strip()
                if text:
                    sources.setdefault(text, []).append(f"{record.path or record.id}: {key}")
    return sources


def public_values(manual) -> set[str]:
    """Strings that are public anyway: names of the company, the site, departments and staff,
    form titles, field labels and fixed choices.  A personal value equal to one of them (a
    visitor who is also an employee, a department entered as a contact) is not a leak."""
    public = {manual.config.company, manual.config.site_name}
    organisation = manual.organisation
    for department in organisation.departments:
        public.update({department.name, department.code})
    for person in organisation.people:
        public.update({person.name, person.department, person.title, *person.git_names})
    for form in manual.forms:
        public.update({form.id, form.title})
        for field in form.fields:
            public.update({field.label, *field.choices, *field.items, *field.levels})
    return {unicodedata.normalize("NFKC", p).strip().casefold() for p in public if p}


def personal_values(manual, *, min_length: int = 2, exclude_public: bool = True) -> set[str]:
    """Every personal-data value of the input, for the staff build's refusal check.

    Includes the values of personal-data fields and of narrative fields of forms that hold
    personal data.  Leaves out values shorter than `min_length` characters, values equal to a
    public name (see `public_values`), and values without a letter that have fewer than 7
    digits (``12``, ``2025-01``): such values cannot be told apart from ordinary numbers.
    """
    public = public_values(manual) if exclude_public else set()
    result = set()
    for value in personal_value_sources(manual):
        normal = unicodedata.normalize("NFKC", value).strip()
        if len(normal) < min_length or normal.casefold() in public:
            continue
        if not any(c.isalpha() for c in normal) and len(_DIGIT.findall(normal)) < 7:
            continue
        result.add(value)
    return result


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield str(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
