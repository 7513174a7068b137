"""LibreOffice (Debian's libreoffice-calc, headless) saves the record template as XLSX with its own
writer, and the import accepts what it wrote (issue 22).  `./dev test` installs libreoffice-calc
when missing; without it the test is skipped, or fails under QMS_REQUIRE_BROWSER=1 (CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_support import DAY, ROOT, codes, filled, plan_of, survey_row  # noqa: E402

from site_builder.check.run import check  # noqa: E402
from site_builder.sheets.layout import columns  # noqa: E402


@pytest.fixture(scope="module")
def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        reason = ("the LibreOffice test needs Debian's libreoffice-calc (apt-get install libreoffice-calc; ./dev test "
                  "does it): shutil.which('soffice') found nothing")
        if os.environ.get("QMS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def shipped():
    return check(ROOT, DAY)


def _convert(soffice: str, source: Path, out: Path, profile: Path, infilter: str | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)]
    if infilter:
        command[4:4] = [f"--infilter={infilter}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(profile)})
    target = out / (source.stem + ".xlsx")
    assert done.returncode == 0 and target.exists(), done.stdout + done.stderr
    return target


def test_libreoffice_saves_the_filled_template_and_the_import_accepts_it(soffice, shipped, tmp_path):
    survey = shipped.manual.form("QR-06-01")
    rows = [survey_row(0), survey_row(1, date=datetime(2026, 10, 9)), survey_row(2, phone=13912345678, date="2026年10月10日")]
    source = tmp_path / "filled.xlsx"
    filled(survey, rows).save(source)
    saved = _convert(soffice, source, tmp_path / "lo", tmp_path / "profile")
    import openpyxl
    book = openpyxl.load_workbook(saved)
    assert book["记录"].row_dimensions[2].hidden  # LibreOffice kept the hidden key row
    assert book["记录"].data_validations.dataValidation  # and the drop-downs
    plan = plan_of(shipped, survey, saved)
    assert plan.errors == 0, codes(plan)
    new = [row.data for row in plan.rows if row.kind == "new"]
    assert [d["date"] for d in new] == ["2026-10-08", "2026-10-09", "2026-10-10"]
    assert new[2]["phone"] == "13912345678" and new[0]["ratings"]["外观"] == "满意"


def test_rows_added_by_libreoffices_own_csv_conversion_are_imported(soffice, shipped, tmp_path):
    survey = shipped.manual.form("QR-06-01")
    layout = columns(survey)
    lines = [",".join(c.label for c in layout), ",".join(c.key for c in layout)]
    lines += [",".join(str(row.get(c.key, "")) for c in layout) for row in (survey_row(3), survey_row(4))]
    source = tmp_path / "rows.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    saved = _convert(soffice, source, tmp_path / "lo", tmp_path / "profile", infilter="CSV:44,34,76,1")
    import openpyxl
    book = openpyxl.load_workbook(saved)
    book.worksheets[0].title = "记录"  # (a CSV converts to one sheet named after the file)
    book.save(saved)
    plan = plan_of(shipped, survey, saved)
    assert plan.errors == 0, codes(plan)
    assert plan.count("new") == 2
