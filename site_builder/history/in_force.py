"""The manual in force on a day: each document and form as of its version in force, with the
newer version being prepared kept beside it.

Takes the manual of the working tree (every file as it is now), its history and the day; gives the
same manual with

* `documents` and `forms` as of their **version in force** on the day: the last version whose
  effective date has come (an approved version with an effective date is in force from that date,
  without a commit changing its status).  Its text is the working tree's when the working tree
  holds that version, else the last commit that held it (the release, plus the later edits of
  distribution and review that change control allows).  An item with no version in force (a new
  draft, an obsolete document) stays as the working tree has it;
* `in_progress`: number -> the working tree's newer version (draft, in review, approved for a
  later date) of every item that has a version in force;
* `form_versions`: the known versions of each form with when they came into force, so that a
  record is evaluated with the rules of the form version in force on its date;
* `listed_since`: when each copy on a distribution list was put there (the commit that added
  it; today for an addition not yet committed), so that the duty to issue it counts from then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from site_builder.history.asof import version_on
from site_builder.history.fingerprint import Parsed
from site_builder.history.timeline import Timeline
from site_builder.model.manual import Document, Form, Manual
from site_builder.model.versions import sort_key

#: (kind, committed text, path in the working tree) -> the model object, or None if it is not valid
Materialise = Callable[[str, Parsed, str], "Document | Form | None"]


def in_force(manual: Manual, timelines: dict[str, Timeline], today: date, materialise: Materialise) -> Manual:
    """The manual in force on `today` (see the module docstring)."""
    in_progress: dict = {}
    documents = [_resolve(d, "document", timelines.get(d.id), today, materialise, in_progress) for d in manual.documents]
    forms = [_resolve(f, "form", timelines.get(f.id), today, materialise, in_progress) for f in manual.forms]
    form_versions = {}
    for form in forms:
        versions = _form_versions(form, timelines.get(form.id), materialise, in_progress.get(form.id))
        if len(versions) > 1:
            form_versions[form.id] = versions
    listed_since = {d.id: since for d in documents
                    if (since := _listed_since(d, timelines.get(d.id), today)) is not None}
    return dataclasses.replace(manual, documents=tuple(documents), forms=tuple(forms), in_progress=in_progress,
                               form_versions=form_versions, listed_since=listed_since)


def _resolve(item, kind: str, timeline: Timeline | None, today: date, materialise: Materialise, in_progress: dict):
    version = version_on(timeline, today)
    if version is None or version.version == item.version:
        return _as_in_force(item, today)
    if sort_key(version.version) > sort_key(item.version):
        return item  # (the working tree went back to an older version: change control reports it)
    committed = _committed(timeline, version.version, kind, item.path, materialise)
    if committed is None:
        return item  # its text is not in git (declared only): nothing can be published in its place
    in_progress[item.id] = item
    return _as_in_force(committed, today)


def _as_in_force(item, today: date):
    """An approved version whose effective date has come is in force: shown as effective."""
    if item.status == "approved" and item.effective is not None and item.effective <= today:
        return dataclasses.replace(item, status="effective")
    return item


def _committed(timeline: Timeline, label: str, kind: str, path: str, materialise: Materialise):
    """The last committed text of version `label` whose content is the released one (a commit that
    changed it after the release is SB410, and never published)."""
    states = [s for s in timeline.states if s.version == label and s.parsed is not None]
    version = timeline.version(label)
    released = next((s for s in states if version is not None and s.commit is version.released), None)
    if released is not None:
        states = [s for s in states if s.parsed.fingerprint == released.parsed.fingerprint]
    return materialise(kind, states[-1].parsed, path) if states else None


def _form_versions(form: Form, timeline: Timeline | None, materialise: Materialise,
                   newer: Form | None) -> tuple[tuple[date, Form], ...]:
    """(in force from, the form as of that version) for every version with a known text and date."""
    if timeline is None:
        return ()
    found = []
    for version in timeline.versions:
        if version.effective_from is None:
            continue
        if version.version == form.version:
            found.append((version.effective_from, form))
        elif newer is not None and version.version == newer.version:
            found.append((version.effective_from, newer))  # approved for a later date
        elif (older := _committed(timeline, version.version, "form", form.path, materialise)) is not None:
            found.append((version.effective_from, older))
    return tuple(sorted(found, key=lambda pair: pair[0]))


def _listed_since(document: Document, timeline: Timeline | None, today: date) -> dict | None:
    """(department, copy number) -> the day of the commit from which it has been on the list without a
    break; today when no commit has it yet.  None without a history (the list is as old as the version)."""
    if timeline is None or not timeline.states:
        return None
    since: dict[tuple[str, str], date | None] = {}
    wanted = [(entry.department, number) for entry in document.distribution for number in entry.copy_numbers]
    for index, state in enumerate(timeline.states):
        raw = state.file.raw if state.file is not None else b""
        for pair in wanted:
            # A copy number and its department in the committed bytes: a cheap test that needs no YAML parse
            # of every version (a number is issued once per document, so it does not move between lines).
            if pair[1].encode() in raw and pair[0].encode() in raw:
                # on the list in the first commit: as old as the list brought into the repository
                since.setdefault(pair, state.commit.day if index else None)
            else:
                since.pop(pair, None)
    listed = {pair: since.get(pair, today) for pair in wanted}
    return {pair: day for pair, day in listed.items() if day is not None}
