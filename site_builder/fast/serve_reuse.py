"""What a `serve` rebuild takes over from the build before it (in memory, never on disk).

`serve` checks and renders the whole manual again after every save, although an author
usually changed one file.  A `Reuse` lives as long as the preview and hands back a result of
the previous build when the inputs it was computed from are unchanged:

* `file`: a per-file check result, when the file's stat signature (the one the on-disk cache
  trusts, never one too recent to vouch for the content) and the check context are the same;
* `each`: a result computed from one object, when the build passes the very same object
  again (because its own inputs were reused) and the `token` of everything else it reads
  is the same;
* `by_equal`: one result per stage, when its complete inputs are the `same` (every field equal).

A stage that reads anything not in its key must not use this.  Only results used by the
latest build are kept, so memory does not grow from one rebuild to the next.

Replaces: checking and rendering everything again at every rebuild (what `serve --plain` does:
Build.reuse is None).  Proved equal by tests/e2e/test_serve_reuse.py (every rebuild against a
build from scratch) and tests/unit/test_reuse.py.
"""

from __future__ import annotations

import dataclasses
from collections import Counter


class Reuse:
    def __init__(self) -> None:
        # namespace -> {key: entry}: one dict per stage, so that a hit stores the entry it found
        # (allocating nothing: 100,000 new objects per rebuild would wake the cyclic collector)
        self._previous: dict[str, dict] = {}
        self._current: dict[str, dict] = {}
        self.hits: Counter = Counter()
        self.misses: Counter = Counter()

    def _space(self, name: str) -> tuple[dict, dict]:
        return self._previous.get(name, {}), self._current.setdefault(name, {})

    def token(self, stage: str, value) -> object:
        """An object that stays the same from one build to the next while `value` compares equal:
        the cheap stand-in for `value` in the keys of `each`."""
        previous, current = self._space("token")
        entry = previous.get(stage)
        if entry is None or not same(entry[0], value):
            entry = (value, object())
        current[stage] = entry
        return entry[1]

    def each(self, stage: str, objects, compute, token: object = None) -> list:
        """[compute(obj) for obj in objects], taking over the previous result for every same `obj`
        (the very object, because its own inputs were reused) when `token` is the same too."""
        previous, current = self._space("each:" + stage)
        results, hits = [], 0
        for obj in objects:
            entry = previous.get(id(obj))
            if entry is not None and entry[0] is obj and entry[1] is token:
                hits += 1
            else:
                entry = (obj, token, compute(obj))
            current[id(obj)] = entry
            results.append(entry[2])
        self.hits[stage] += hits
        self.misses[stage] += len(results) - hits
        return results

    def by_equal(self, stage: str, inputs, compute):
        """`compute()`, or the previous result of this stage if its `inputs` compare equal."""
        previous, current = self._space("equal")
        entry = previous.get(stage)
        if entry is not None and same(entry[0], inputs):
            self.hits[stage] += 1
        else:
            self.misses[stage] += 1
            entry = (inputs, compute())
        current[stage] = entry
        return entry[1]

    def file(self, path: str, signature: str | None, context: str):
        """The previous per-file result of `path` if its signature and context are unchanged, else None."""
        entry = self._previous.get("file", {}).get(path)
        if signature is None or entry is None or entry[0] != signature or entry[1] != context:
            self.misses["file"] += 1
            return None
        self.hits["file"] += 1
        return entry[2]

    def remember_file(self, path: str, signature: str | None, context: str, result) -> None:
        """`result` is the one this build used for `path`."""
        previous, current = self._space("file")
        entry = previous.get(path)
        if entry is None or entry[2] is not result or entry[0] != signature or entry[1] != context:
            entry = (signature, context, result)
        if signature is not None:
            current[path] = entry

    def report(self) -> str:
        """What this build took over, e.g. `reused 99,999 of 100,000 file checks, record pages`."""
        files = f"{self.hits['file']:,} of {self.hits['file'] + self.misses['file']:,} file checks"
        pages = "record pages" if self.hits["records"] else "no record pages"
        return f"reused {files}, {pages} from the previous build"

    def finish(self) -> None:
        """The build is complete: its results are the ones the next build may take over."""
        self._previous, self._current = self._current, {}
        self.hits.clear()
        self.misses.clear()

    def abandon(self) -> None:
        """Forget what the current build recorded (it failed, or a new one starts): the next build
        takes over the last complete build's results."""
        self._current = {}
        self.hits.clear()
        self.misses.clear()


def same(a, b) -> bool:
    """Equal in every field, in order: unlike ==, also the fields the model leaves out of
    comparisons (a form's rules, a record's values) and the order of a mapping's keys.
    The very same object is the same without a look inside (which keeps 100,000 reused records cheap)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    return a == b


class NoReuse(Reuse):
    """Every result computed afresh and nothing kept: the builds outside `serve`."""

    def token(self, stage: str, value) -> object:
        return None

    def each(self, stage: str, objects, compute, token: object = None) -> list:
        return [compute(obj) for obj in objects]

    def by_equal(self, stage: str, inputs, compute):
        return compute()

    def file(self, path: str, signature: str | None, context: str):
        return None

    def remember_file(self, path: str, signature: str | None, context: str, result) -> None:
        pass
