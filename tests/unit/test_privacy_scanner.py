"""The leak scanner and the scan-leaks command (issue 7, bad-inputs P01/P06)."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from site_builder.cli import main
from site_builder.verify.leaks import LeakScanner, decode_layers, normalise, phone_needles, scan_site

NAME = "测试员甲乙"
PHONE = "13912345678"
EMAIL = "canary-7f3a9c@example.invalid"
TOKEN = "canary-7f3a9c"


def _write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _found(site: Path, *values: str) -> dict[str, set[str]]:
    """value -> files in which it was found."""
    result: dict[str, set[str]] = {}
    for hit in scan_site(site, values):
        result.setdefault(hit.value, set()).add(hit.file)
    return result


def _text_hits(text: str, *values: str) -> set[str]:
    return {hit.value for hit in LeakScanner(values).scan_text(text, "t")}


# --- encodings the scanner must see through -------------------------------------------------------

def test_gzip(tmp_path):
    _write(tmp_path, "sitemap.xml.gz", gzip.compress(f"<url><loc>/records/{quote(NAME)}/</loc></url>".encode()))
    assert _found(tmp_path, NAME) == {NAME: {"sitemap.xml.gz"}}


def test_gzip_without_suffix_and_nested(tmp_path):
    _write(tmp_path, "blob.bin", gzip.compress(gzip.compress(NAME.encode())))
    assert _found(tmp_path, NAME) == {NAME: {"blob.bin"}}


def test_files_that_cannot_be_checked_completely_are_reported(tmp_path, monkeypatch, capsys):
    import site_builder.verify.leaks as scanner_module

    _write(tmp_path, "deep.gz", gzip.compress(gzip.compress(gzip.compress(gzip.compress(NAME.encode())))))
    scanner = LeakScanner([NAME])
    assert scanner.scan_site(tmp_path) == []
    assert scanner.skipped == ["deep.gz: compressed more than 3 levels deep; the inner content was not checked"]
    (tmp_path / "deep.gz").unlink()
    monkeypatch.setattr(scanner_module, "MAX_DECODED_BYTES", 100)
    _write(tmp_path, "big.xml.gz", gzip.compress(b"x" * 200 + NAME.encode()))
    scanner = LeakScanner([NAME])
    assert scanner.scan_site(tmp_path) == []
    assert scanner.skipped and scanner.skipped[0].startswith("big.xml.gz: decompressed content larger than 100 bytes")
    assert main(["scan-leaks", str(tmp_path), "--values", NAME]) == 1  # no guarantee: not clean
    assert "not fully checked" in capsys.readouterr().out


def test_json_unicode_escapes(tmp_path):
    index = {"docs": [{"location": "records/", "title": "记录", "text": f"<p>联系人 {NAME} 电话 {PHONE}</p>"}]}
    text = json.dumps(index, ensure_ascii=True)
    assert "\\u6d4b" in text and NAME not in text
    _write(tmp_path, "search/search_index.json", text)
    assert _found(tmp_path, NAME, PHONE) == {NAME: {"search/search_index.json"}, PHONE: {"search/search_index.json"}}


def test_json_keys_and_zero_width_segmentation(tmp_path):
    # Material's Chinese search segmentation puts U+200B between words.
    _write(tmp_path, "api/x.json", json.dumps({"测试员\u200b甲乙": 1, "text": "测\u200b试\u200b员\u200b甲\u200b乙"}))
    assert _found(tmp_path, NAME) == {NAME: {"api/x.json"}}


def test_invalid_json_is_still_read_as_text_with_escapes(tmp_path):
    _write(tmp_path, "broken.json", '{"a": "\\u6d4b\\u8bd5\\u5458\\u7532\\u4e59", ')
    assert _found(tmp_path, NAME) == {NAME: {"broken.json"}}


def test_javascript_escapes(tmp_path):
    _write(tmp_path, "assets/data.js", 'var x = "\\u6d4b\\u8bd5\\u5458\\u7532\\u4e59"; var y = "\\x31\\x33\\x39" + "12345678";')
    assert _found(tmp_path, NAME) == {NAME: {"assets/data.js"}}


@pytest.mark.parametrize("encoded", [
    "".join(f"&#{ord(c)};" for c in NAME),  # decimal
    "&#x6d4b;&#x8bd5;&#x5458;&#x7532;&#x4e59;",  # hex
    "".join(f"&amp;#{ord(c)};" for c in NAME),  # escaped twice
    "测试员<!-- -->甲乙".replace("<!-- -->", ""),
])
def test_html_entities(tmp_path, encoded):
    _write(tmp_path, "page/index.html", f"<html><head><title>{encoded}</title></head><body></body></html>")
    assert _found(tmp_path, NAME) == {NAME: {"page/index.html"}}


def test_html_attribute_and_meta(tmp_path):
    _write(tmp_path, "a.html", f'<meta name="description" content="{EMAIL.replace("@", "&#64;")}"><img alt="x">')
    assert _found(tmp_path, EMAIL) == {EMAIL: {"a.html"}}


def test_percent_encoded_urls(tmp_path):
    _write(tmp_path, "index.html", f'<a href="records/{quote(NAME)}/">x</a> <a href="mailto:{quote(EMAIL)}">m</a>')
    _write(tmp_path, "twice.html", f'<a href="?q={quote(quote(NAME))}">x</a>')
    assert _found(tmp_path, NAME, EMAIL) == {NAME: {"index.html", "twice.html"}, EMAIL: {"index.html"}}


def test_file_and_folder_names(tmp_path):
    _write(tmp_path, f"records/{NAME}/index.html", "nothing here")
    _write(tmp_path, f"downloads/{quote(TOKEN.upper())}.csv", "nothing here")
    _write(tmp_path, "img/ＣＡＮＡＲＹ-７Ｆ３Ａ９Ｃ.png", b"\x89PNG\r\n")
    hits = scan_site(tmp_path, [NAME, TOKEN])
    assert {(h.file, h.in_name) for h in hits} == {
        (f"records/{NAME}", True), (f"downloads/{quote(TOKEN.upper())}.csv", True), ("img/ＣＡＮＡＲＹ-７Ｆ３Ａ９Ｃ.png", True)}


def test_xlsx_download(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    (tmp_path / "downloads").mkdir()
    workbook = xlsxwriter.Workbook(str(tmp_path / "downloads" / "records.xlsx"))
    sheet = workbook.add_worksheet("记录")
    sheet.write(0, 0, "联系人")
    sheet.write(1, 0, NAME)
    sheet.write(1, 1, "139 1234 5678")
    workbook.close()
    found = _found(tmp_path, NAME, PHONE)
    assert set(found) == {NAME, PHONE}
    assert all(f.startswith("downloads/records.xlsx!xl/") for files in found.values() for f in files)


def test_csv_and_text_files(tmp_path):
    _write(tmp_path, "downloads/records.csv", f"id,contact,phone\nCMP-2025-001,{NAME},+86 139-1234-5678\n")
    _write(tmp_path, "robots.txt", "nothing")
    assert _found(tmp_path, NAME, PHONE) == {NAME: {"downloads/records.csv"}, PHONE: {"downloads/records.csv"}}


def test_nfkc_and_case(tmp_path):
    _write(tmp_path, "a.html", "<p>ＣＡＮＡＲＹ－７Ｆ３Ａ９Ｃ＠ＥＸＡＭＰＬＥ．ＩＮＶＡＬＩＤ</p>")
    assert _found(tmp_path, EMAIL) == {EMAIL: {"a.html"}}


# --- phone numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "13912345678", "139-1234-5678", "139 1234 5678", "+86 139 1234 5678", "+86-139-1234-5678", "0086 139 1234 5678",
    "(+86) 139.1234.5678", "１３９１２３４５６７８", "１３９－１２３４－５６７８", "&#43;86&#32;139&#32;1234&#32;5678",
    "139\u200b1234\u200b5678", "139\u00a01234\u00a05678", "tel:%2B8613912345678", "电话：13912345678。",
])
def test_phone_formats_match(written):
    assert _text_hits(f"<p>联系 {written} 核实</p>", PHONE) == {PHONE}
    assert _text_hits(f"<p>联系 {written} 核实</p>", "139-1234-5678") == {"139-1234-5678"}


@pytest.mark.parametrize("value, written", [
    ("0571-80263082", "(0571) 8026-3082"),
    ("0571-80263082", "+86 571 8026 3082"),
    ("(02) 5550-0199", "0255500199"),
    ("+1 555 0100 4242", "1-555-0100-4242"),
    ("＋８６ １３９ １２３４ ５６７８", "13912345678"),
])
def test_phone_values_in_other_formats(value, written):
    assert _text_hits(f"电话 {written}", value) == {value}


@pytest.mark.parametrize("text", [
    "139****5678", "139-****-5678", "1391234567", "13912345670", "1 3 9 1 2 3 4 5 6 7 0",
    "<td>139</td><td>1234</td><td>5678</td>",  # markup between digits ends a run
    "2025-01-14 2025-01-15 2025-01-16",
])
def test_phone_negative_controls(text):
    assert _text_hits(text, PHONE) == set()


def test_phone_inside_a_narrative_value_is_found_in_any_format():
    narrative = "2025-01-14客户来电（139-1234-5678），反映漏水。"
    assert phone_needles(narrative) == {PHONE}
    assert _text_hits("回电 +86 139 1234 5678", narrative) == {narrative}
    assert _text_hits("2025-01-14 的记录", narrative) == set()  # dates are not phone numbers


def test_phone_needles():
    assert phone_needles("0571-80263082") == {"57180263082"}
    assert phone_needles("+86 139 1234 5678") == {PHONE}
    assert phone_needles("13912345678、0571-80263082") == {PHONE, "57180263082"}
    assert phone_needles("12345") == set()
    assert phone_needles("2025-01-14") == set()
    assert phone_needles(NAME) == set()


# --- matching ------------------------------------------------------------------------------------

def test_nested_and_overlapping_values():
    assert _text_hits("来访：张三丰", "张三", "张三丰", "三丰", "丰") == {"张三", "张三丰", "三丰", "丰"}


def test_long_values_match_only_whole():
    long_value = "客户反映" + "滤芯漏水" * 30 + "，已上门处理。"
    assert _text_hits(f"<p>{long_value}</p>", long_value) == {long_value}
    assert _text_hits(f"<p>{long_value[:-3]}</p>", long_value) == set()
    other = long_value[:-3] + "已回访。"
    assert _text_hits(f"<p>{other}</p>", long_value, other) == {other}


def test_masked_values_are_not_hits():
    text = "<td>测**</td><td>139****5678</td><td>c***@example.invalid</td><td>测试省测试市****</td>"
    assert _text_hits(text, NAME, PHONE, EMAIL, "测试省测试市canary-7f3a9c路88号") == set()


def test_regex_metacharacters_in_values():
    assert _text_hits("a (b) [c] *d* e.f+g?", "(b) [c]", "*d*", "e.f+g?") == {"(b) [c]", "*d*", "e.f+g?"}
    assert _text_hits("xyz", ".", "x.z") == set()


def test_hit_context_and_description():
    hits = LeakScanner([NAME]).scan_text("前文" * 50 + f"联系人{NAME}后文" + "后文" * 50, "page.html")
    assert len(hits) == 1
    hit = hits[0]
    assert hit.found == NAME and hit.before.endswith("联系人") and hit.after.startswith("后文")
    assert len(hit.before) <= 40 and len(hit.after) <= 40
    assert hit.describe().startswith(f"page.html: '{NAME}' in content: …")


def test_no_values_no_hits(tmp_path):
    _write(tmp_path, "a.html", NAME)
    assert scan_site(tmp_path, []) == []
    assert scan_site(tmp_path, ["", "   "]) == []


def test_symlinks_are_not_followed(tmp_path):
    outside = _write(tmp_path / "outside", "secret.txt", NAME)
    site = tmp_path / "site"
    site.mkdir()
    (site / "link.txt").symlink_to(outside)
    assert scan_site(site, [NAME]) == []


def test_helpers():
    assert normalise("Ａ\u200bＢ  C\n\tD") == "ab c d"
    assert decode_layers("%26%2327979%3B")[-1] == "测"


def test_clean_site_negative_control(tmp_path):
    _write(tmp_path, "index.html", "<p>联系人 测** 电话 139****5678</p>")
    _write(tmp_path, "search/search_index.json", json.dumps({"docs": [{"text": "测**"}]}))
    _write(tmp_path, "sitemap.xml.gz", gzip.compress(b"<urlset/>"))
    assert scan_site(tmp_path, [NAME, PHONE, EMAIL, TOKEN]) == []


def test_speed_few_thousand_pages(tmp_path):
    """3,000 HTML pages of ~8 KB, 2,000 values: a staff build can afford the check every time."""
    row = "".join(f"<tr><td>CMP-2025-{i:03d}</td><td>王**</td><td>139****{i:04d}</td><td>2025-01-{i % 28 + 1:02d}</td>"
                  f"<td>客户反映滤芯漏水，已处理。</td></tr>" for i in range(60))
    for page in range(3000):
        _write(tmp_path, f"records/p{page}/index.html", f"<html><body><table>{row}</table></body></html>")
    values = [f"测试{chr(0x4e00 + i)}{chr(0x4e00 + i * 7 % 20000)}" for i in range(1000)]
    values += [f"13{i:09d}" for i in range(1000)]
    start = time.perf_counter()
    hits = scan_site(tmp_path, values)
    elapsed = time.perf_counter() - start
    assert hits == []
    assert elapsed < 60, f"scanner took {elapsed:.1f} s"


# --- scan-leaks command ----------------------------------------------------------------------------

def test_scan_leaks_command_finds_and_lists(tmp_path, capsys):
    _write(tmp_path, "site/records/index.html", f"<p>联系人 {NAME}</p>")
    code = main(["scan-leaks", str(tmp_path / "site"), "--values", NAME, PHONE])
    out = capsys.readouterr()
    assert code == 1
    assert f"records/index.html: '{NAME}' in content: …<p>联系人 {NAME}</p>…" in out.out
    assert "1 hit(s)" in out.err


def test_scan_leaks_command_clean_site(tmp_path, capsys):
    _write(tmp_path, "site/index.html", "<p>联系人 测**</p>")
    assert main(["scan-leaks", str(tmp_path / "site"), "--values", NAME, PHONE]) == 0
    assert "0 hit(s)" in capsys.readouterr().err


def test_scan_leaks_values_from_file(tmp_path, capsys):
    _write(tmp_path, "site/index.html", "<p>电话 139-1234-5678</p>")
    _write(tmp_path, "values.txt", f"# canaries\n\n{NAME}\n{PHONE}\n")
    assert main(["scan-leaks", str(tmp_path / "site"), "--values-from", str(tmp_path / "values.txt")]) == 1
    assert PHONE in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["scan-leaks"],
    ["scan-leaks", "SITE"],  # no values
    ["scan-leaks", "SITE", "--values"],
    ["scan-leaks", "MISSING", "--values", NAME],
    ["scan-leaks", "SITE", "--values-from", "MISSING.txt"],
])
def test_scan_leaks_usage_errors(tmp_path, args):
    (tmp_path / "SITE").mkdir()
    args = [str(tmp_path / a) if a in ("SITE", "MISSING", "MISSING.txt") else a for a in args]
    assert main(args) == 2
