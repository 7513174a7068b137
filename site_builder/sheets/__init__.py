"""Records from the spreadsheets staff already use: XLSX templates, validated import, export.

Takes a form of the manual and, for `import`, a filled XLSX workbook or CSV file; gives

* `template`: a workbook for entering records of the form version in force (template.py, in the
  layout of layout.py);
* `import`: the rows read (reader.py), their cells normalised (cells.py), turned into record files
  checked exactly as `check` checks them (plan.py, check/incoming.py), and written all together or
  not at all (yaml_out.py lays each file out like the hand-written records, write.py writes them);
* `export`: the records in the template's layout, every value for auditors, personal data masked
  for staff (export.py).

Only the command line imports this package (an import contract): it writes content files.
"""
