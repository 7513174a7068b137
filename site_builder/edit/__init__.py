"""The edit package: the only code that writes content files.

Takes a document number and the controller's step (`revise`, `approve`, `make-effective`) with
its options; checks the manual first and refuses what the rules forbid; gives the front matter
rewritten in place, only the lines of that step, comments, key order and quoting kept
(frontmatter.py).  Only the command line imports it (an import contract).
"""
