"""Every speed-up of qms-site, in one place.  `--plain` (Options.plain) turns them all off.

Each module replaces a straightforward path, says which in its docstring, and names the test
that proves the two give the same result; tests/e2e/test_plain_builds.py builds whole sites
both ways and requires them byte-identical.  forked.py (work in forked children), check_cache.py
(.qms-cache/), serve_reuse.py (serve's rebuilds), compiled_schema.py (instead of jsonschema),
yaml_pieces.py (old front matters read per entry), segments.py (archive paragraphs converted
once), raw_blocks.py and quick_inline.py (Markdown shortcuts), html_chunks.py (the verifier
reads only the tags that can hold a problem), collector.py (garbage-collector thresholds).
The speed-ups that reach into MkDocs live in the adapter, site_builder/site.
"""
