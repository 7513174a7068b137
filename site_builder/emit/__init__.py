"""The emit stage: the rendered site written to disk for MkDocs.

Takes a rendered `Site`; gives the generated docs folder (docs.py: pages, downloads, our assets,
never outside the folder) and the XLSX downloads encoded (workbooks.py, in a forked child while
MkDocs renders unless `--plain`).
"""
