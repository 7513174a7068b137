"""The publish stage: what happens before and after a site is built, outside MkDocs.

Git preflight before a build (preflight.py: uncommitted content, commit dates, rewritten
history), the atomic swap of the output folder (swap.py: the old site stays until the new one
is complete), the auditor's archive (audit_bundle.py), controlled copies printed to PDF
through Chromium (printing.py, the `print` extra), and the web-server configuration serving the
published sites (nginx.py, `deploy-config`).
"""
