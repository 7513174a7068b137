"""Identity: numbering patterns, invisible or look-alike characters, duplicates, file names."""

from __future__ import annotations

import re
import unicodedata

from site_builder import diagnostics as dg
from site_builder.fast.serve_reuse import NoReuse, Reuse
from site_builder.load.files import LoadedFile
from site_builder.model.manual import Config

_KIND_LABEL = {"document": "document number", "form": "form number", "record": "record number",
               "external": "external document register number"}


def identity_rules(files: list[LoadedFile], config: Config | None, reuse: Reuse | None = None):
    numbered = [(loaded, loaded.data["id"]) for loaded in files if loaded.source.kind in _KIND_LABEL
                and isinstance(loaded.data, dict) and isinstance(loaded.data.get("id"), str)]
    reuse = reuse or NoReuse()
    for problems in reuse.each("identity", [loaded for loaded, _ in numbered],
                               lambda f: _one_file(f, f.data["id"], config), reuse.token("identity", config)):
        yield from problems
    seen: dict[str, LoadedFile] = {}
    for loaded, identifier in numbered:
        key = unicodedata.normalize("NFKC", identifier).strip()
        if key in seen:
            first = seen[key]
            yield dg.error("SB302", loaded.path, f"{_KIND_LABEL[loaded.source.kind]} {identifier!r} is also used by "
                           f"{first.path}", json_path=("id",), hint="give each document, form and record its own number")
            yield dg.error("SB302", first.path, f"{_KIND_LABEL[first.source.kind]} {identifier!r} is also used by "
                           f"{loaded.path}", json_path=("id",), hint="give each document, form and record its own number")
        else:
            seen[key] = loaded


def _one_file(loaded: LoadedFile, identifier: str, config: Config | None) -> list[dg.Diagnostic]:
    """What one file's number alone can get wrong (its characters, pattern, file name and folder)."""
    found = list(_characters(loaded, identifier))
    if config is not None and identifier.isascii() and identifier.isprintable():
        found += _pattern(loaded, identifier, config)
    found += _file_name(loaded, identifier)
    if loaded.source.kind == "record":
        found += _record_folder(loaded)
    return found


def _characters(loaded: LoadedFile, identifier: str):
    if identifier.isascii() and identifier.isprintable() and " " not in identifier:
        return
    bad = [c for c in identifier if not (c.isascii() and c.isprintable()) or c == " "]
    if bad:
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in dict.fromkeys(bad))
        yield dg.error("SB301", loaded.path, f"identifier {identifier!r} contains invisible, space or non-ASCII "
                       f"characters: {names}", json_path=("id",),
                       hint="retype the number with plain ASCII letters, digits and hyphens")


def _pattern(loaded: LoadedFile, identifier: str, config: Config):
    kind = loaded.source.kind
    if kind == "document":
        level = loaded.data.get("level")
        pattern = config.document_patterns.get(level) if isinstance(level, int) else None
    else:
        pattern = {"form": config.form_pattern, "external": config.external_id_pattern}.get(kind, config.record_pattern)
    if pattern and re.fullmatch(pattern, identifier) is None:
        where = f" for level {loaded.data.get('level')}" if kind == "document" else ""
        yield dg.error("SB300", loaded.path, f"{_KIND_LABEL[kind]} {identifier!r} does not match the numbering "
                       f"pattern {pattern}{where}", json_path=("id",), hint="see numbering in qms.yaml")


def _file_name(loaded: LoadedFile, identifier: str):
    stem = _stem(loaded.path)
    ok = stem == identifier if loaded.source.kind != "document" else (stem == identifier or stem.startswith(identifier + "-"))
    if not ok:
        expected = f"{identifier}.yaml" if loaded.source.kind != "document" else f"{identifier}-<name>.md"
        yield dg.error("SB309", loaded.path, f"file name does not match the identifier {identifier!r}",
                       json_path=("id",), hint=f"rename the file to {expected}")


def _record_folder(loaded: LoadedFile):
    """README layout records/<FORM>/<RECORD>.yaml: the folder names the form, so a misfiled record
    would be listed, counted and retained under the wrong form by anyone browsing the repository."""
    form = loaded.data.get("form")
    if not isinstance(form, str):
        return
    parts = loaded.path.split("/")  # (discovery gives normalised relative POSIX paths)
    folder = parts[1] if len(parts) > 2 else None
    if folder != form:
        where = f"under records/{folder}/" if folder else "directly in records/"
        yield dg.error("SB309", loaded.path, f"record of form {form} is filed {where}", json_path=("form",),
                       hint=f"move it to records/{form}/{parts[-1]}, or correct form:")


def _stem(path: str) -> str:
    """PurePosixPath(path).stem without building a path object (this runs for every record)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name
