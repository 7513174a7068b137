"""Cyclic garbage-collector thresholds while millions of long-lived objects are in memory.

Loading 100,000 files builds millions of long-lived objects and almost no reference cycles; at
the default thresholds the collector keeps rescanning them (about 15 % of a large check, 8 % of
an auditor build's CPU under perf).  The check and the MkDocs build collect less often (cycles
are still collected).

Replaces: the interpreter's default thresholds (what `--plain` keeps).  Output is unaffected by
construction (collection timing changes no value); tests/e2e/test_plain_builds.py compares the
sites built both ways.
"""

LONG_LIVED_GC_THRESHOLDS = (50_000, 20, 100)
