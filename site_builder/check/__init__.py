"""The check stage: every document-control rule, every problem reported in one run.

Takes the repository root and the date; gives a `CheckResult` (run.py): the manual, every
diagnostic positioned at file:line:col and sorted, the record schemas derived from the forms,
the history and the compliance requirements map.  Per-file checks (files.py: strict load and
schema validation), free-text checks (invisible.py) and the rules across files (rules/) live here.
"""
