"""The model: frozen dataclasses of the manual and how they are built from loaded data.

Takes schema-valid data (from load); gives `Manual` with its documents, forms, records,
organisation and settings (manual.py, built by build.py), version labels that sort (versions.py),
and document bodies made safe to render, with their links (body.py).
"""
