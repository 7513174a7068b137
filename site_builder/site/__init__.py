"""The adapter to MkDocs and Material for MkDocs: the only package that imports them.

Takes a `Build` (site_builder/build.py); gives the built site: the qms MkDocs plugin
(plugin.py), the driver of `build` (driver.py: emit, MkDocs, verify, publish), `serve` with
live reload (serve.py), and the speed-ups that reach into MkDocs and Material: obsolete-version
and diff pages written in the theme's shell outside MkDocs (archive.py), Material's search index
built in a child (search_offload.py), pages verified while MkDocs writes them
(verify_stream.py).  tests/unit/test_adapter_internals.py names every internal relied on.
"""
