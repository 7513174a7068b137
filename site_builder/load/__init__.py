"""The load stage: files on disk to data, every scalar a string until a schema types it.

Takes the repository root; gives the source files found (sources.py, with stray files and
symlinks reported), their data from the strict YAML loader (yamlio.py: no tags, aliases or
duplicate keys; positions for every diagnostic), the JSON Schemas with the scalar coercion they
ask for (schemas.py), and schema errors turned into positioned diagnostics (schema_errors.py).
"""
