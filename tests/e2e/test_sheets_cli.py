"""`template`, `import` and `export` on a clone of the shipped manual (issue 22).

* Round trip per shipped form: `export --audience auditor`, then `import --update` of the file
  unchanged: every row unchanged, no file changed (git status stays clean).
* "Done when", as a new user would: the template of 客户满意度调查表, five rows filled in, a row whose
  性能 is 还行 stopping the import at its cell with nothing written, then the import, `check`, the
  staff site's survey summary and api/records.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import shipped_clone  # noqa: E402
from sheets_support import ITEMS, column_of  # noqa: E402

from site_builder import cli  # noqa: E402

TODAY = date(2026, 12, 6)
FORMS = sorted(p.stem for p in (shipped_clone.ROOT / "forms").glob("*.yaml"))


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return shipped_clone.clone_shipped(tmp_path_factory.mktemp("sheets") / "manual", "何雨桐", TODAY)


def _main(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(list(args))
    return code, out.getvalue()


def _status(repo: Path) -> str:
    return shipped_clone.run(repo, "git", "status", "--porcelain", "--untracked-files=all", day=TODAY).stdout


@pytest.mark.parametrize("form", FORMS)
def test_auditor_export_imported_unchanged_changes_no_file(repo, tmp_path, form):
    out = tmp_path / f"{form}.xlsx"
    code, text = _main("export", form, "--audience", "auditor", "--out", str(out), "--root", str(repo),
                       "--today", TODAY.isoformat())
    assert code == 0, text
    count = len(list((repo / "records" / form).glob("*.yaml")))
    assert f"{count} record(s) of {form}" in text
    for extra in ((), ("--update",)):
        code, text = _main("import", form, str(out), *extra, "--root", str(repo), "--today", TODAY.isoformat())
        assert code == 0, text
        assert f"{form}: 0 new, {count} unchanged, 0 updated" in text
    assert _status(repo) == ""


def _fill(template: Path, target: Path, bad_row: bool) -> None:
    import openpyxl
    book = openpyxl.load_workbook(template)
    sheet = book["记录"]
    levels = ["非常满意", "满意", "无所谓", "不满意", "反对"]
    for index in range(5):
        row = {"date": f"2026/10/{8 + index}", "customer": f"CUS-2025-00{index + 1}", "contact": f"客户甲{index}",
               "phone": f"1380013800{index}", "survey_round": "十月集中调查", "surveyed_by": "赵振东"}
        row |= {f"ratings.{item}": levels[0 if index < 3 else 1] for item in ITEMS}
        if index == 4:
            row |= {f"ratings.{item}": levels[3] for item in ITEMS} | {"capa": "CAR-2025-001"}
        if bad_row and index == 2:
            row["ratings.性能"] = "还行"
        for key, value in row.items():
            sheet.cell(row=3 + index, column=column_of(book, key), value=value)
    book.save(target)


def test_done_when_survey_rows_from_the_template_reach_check_site_and_api(repo, tmp_path):
    run = shipped_clone.qms
    made = shipped_clone.run(tmp_path, sys.executable, "-m", "site_builder", "template", "QR-06-01", "--root", str(repo),
                             "--today", TODAY.isoformat(), day=TODAY)  # (in tmp_path: the default file lands there)
    version = re.search(r"^version: *(\S+)", (repo / "forms" / "QR-06-01.yaml").read_text(encoding="utf-8"), re.M).group(1)
    template = tmp_path / f"QR-06-01-{version}-模板.xlsx"
    assert f"QR-06-01-{version}-模板.xlsx: template of QR-06-01 {version} 客户满意度调查表" in made.stdout
    _fill(template, tmp_path / "bad.xlsx", bad_row=True)
    _fill(template, tmp_path / "good.xlsx", bad_row=False)
    refused = run(repo, "import", "QR-06-01", str(tmp_path / "bad.xlsx"), today=TODAY, check=False)
    assert refused.returncode == 1
    assert f"{tmp_path / 'bad.xlsx'}:记录!J5: error SB200 满意度评价/性能 (ratings.性能): '还行' is not one of" in refused.stdout
    assert "nothing was written" in refused.stderr and _status(repo) == ""
    count = int(re.search(r"(\d+) records", run(repo, "check", today=TODAY).stderr).group(1))
    done = run(repo, "import", "QR-06-01", str(tmp_path / "good.xlsx"), today=TODAY)
    new = [f"CSS-2026-{n:03d}" for n in range(31, 36)]
    assert "QR-06-01: 5 new, 0 unchanged, 0 updated" in done.stdout
    assert "客户甲" not in done.stdout + done.stderr and "13800138" not in done.stdout + done.stderr
    assert sorted(_status(repo).split()) == sorted(["??"] * 5 + [f"records/QR-06-01/{n}.yaml" for n in new])
    again = run(repo, "import", "QR-06-01", str(tmp_path / "good.xlsx"), today=TODAY)
    assert "QR-06-01: 0 new, 5 unchanged, 0 updated" in again.stdout
    checked = run(repo, "check", today=TODAY)
    assert "0 error(s)" in checked.stderr and f"{count + 5} records" in checked.stderr
    shipped_clone.commit(repo, "five surveys from the sheet", TODAY)
    run(repo, "build", "--out", str(tmp_path / "site"), "--quiet", today=TODAY)
    api = {r["id"]: r for r in json.loads((tmp_path / "site" / "api" / "records.json").read_text(encoding="utf-8"))}
    assert [(api[n]["score"], api[n]["grade"]) for n in new] == [(100, "A")] * 3 + [(88, "B"), (42, "D")]
    page = (tmp_path / "site" / "records" / "QR-06-01" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for number in new:  # the staff summary's records table: number, date, score, grade, names masked
        assert re.search(rf"{number} 2026-10-\d\d {api[number]['score']} {api[number]['grade']} ", text), number
    assert "客户甲" not in page and "客**" in text


def test_exit_codes_as_for_check(repo, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    common = ("--root", str(repo), "--today", TODAY.isoformat())
    code, text = _main("import", "QR-06-01", str(broken), *common)
    assert code == 1 and "Traceback" not in text
    assert [line for line in text.splitlines() if "SB700" in line] == \
        [f"{broken}:1:1: error SB700 the workbook is damaged and cannot be read (BadZipFile); open it in Excel, WPS or "
         "LibreOffice and save it again as .xlsx"]
    assert _main("import", "QR-06-01", str(tmp_path / "missing.xlsx"), *common)[0] == 2
    assert _main("import", "QR-99-99", str(broken), *common)[0] == 2
    assert _main("export", "QR-06-01", "--from", "2025-13-01", *common)[0] == 2
    csv = tmp_path / "rows.csv"
    csv.write_text("记录编号\nid\n", encoding="utf-8")
    assert _main("import", "QR-06-01", str(csv), "--encoding", "klingon", *common)[0] == 2
    assert _status(repo) == ""
