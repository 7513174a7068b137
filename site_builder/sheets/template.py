"""Writing a record workbook (xlsxwriter): the template of a form, or an export of its records.

Takes the form (the version in force), the rows to fill in (none for a template; for an export the
values of each record as the audience may see them) and the day; gives the XLSX bytes:

* sheet `填写说明`: form number, title and version, then one line per column: label, key, type,
  required, allowed values, date format, personal data, the form's help text;
* sheet `记录`: labels in row 1 (required columns in bold red, personal-data columns on a yellow
  ground, each with a note), keys in row 2 (hidden), records from row 3; data validation for every
  column that allows it (drop-down lists of choices, rating levels and 是/否; dates; whole numbers
  and ranges; scores 0–100); text columns formatted as text, so that 0571… and 01 keep their zeros;
* a hidden sheet `选项` for a list of choices too long to be written into a validation;
* document properties naming the form, the version and (for an export) the audience, so that an
  import recognises a workbook of another form or version, or a staff export.

Text is always written as text: a value starting with `=`, `+`, `-` or `@` is never a formula.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import xlsxwriter

from site_builder.derive.privacy import is_personal
from site_builder.model.manual import Form
from site_builder.sheets.layout import (
    AUDIENCE_PROPERTY,
    DATE_FORMAT,
    FALSE_TEXT,
    FIRST_ROW,
    FORM_PROPERTY,
    HELP_SHEET,
    JOIN,
    KEY_ROW,
    LISTS_SHEET,
    RECORDS_SHEET,
    TRUE_TEXT,
    TYPE_LABELS,
    VERSION_PROPERTY,
    Column,
    column_letter,
    columns,
)
from site_builder.sheets.reader import HELP_FORM_LABEL, HELP_TITLE_LABEL, HELP_VERSION_LABEL

LAST_ROW = 1_048_576
_INLINE_LIST_MAX = 255  # Excel's limit for a list written into the validation itself
_AUDIENCE_TEXT = {"auditor": "审核员导出：含全部个人数据，仅限授权人员保存", "staff": "员工导出：个人数据已按员工网站隐去，不能用于导入"}


def workbook_bytes(form: Form, day: date, rows: list[dict] | None = None, audience: str | None = None) -> bytes:
    """The workbook of `form`; `rows`: column key -> value of each record (an export), else a template."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False})
    created = datetime(day.year, day.month, day.day)
    what = "记录导出" if rows is not None else "记录模板"
    book.set_properties({"title": f"{form.id} {form.title} {what}", "subject": f"{form.id} {form.version}",
                         "keywords": f"{form.id}, {form.version}", "author": "qms-site", "created": created})
    book.set_custom_property(FORM_PROPERTY, form.id)
    book.set_custom_property(VERSION_PROPERTY, form.version)
    if audience:
        book.set_custom_property(AUDIENCE_PROPERTY, audience)
    layout = columns(form)
    styles = _styles(book)
    _help_sheet(book.add_worksheet(HELP_SHEET), form, layout, styles, audience, day)
    sheet = book.add_worksheet(RECORDS_SHEET)
    lists = _Lists(book)
    _records_sheet(sheet, form, layout, styles, lists, rows or [])
    sheet.activate()
    book.close()
    return buffer.getvalue()


def _styles(book) -> dict:
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "label": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
        "required": book.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#DDEBF7", "border": 1,
                                     "text_wrap": True, "valign": "top"}),
        "personal": book.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1, "text_wrap": True, "valign": "top"}),
        "personal_required": book.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#FFF2CC", "border": 1,
                                              "text_wrap": True, "valign": "top"}),
        "key": book.add_format({"font_color": "#808080", "font_size": 9}),
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _personal(column: Column, form: Form) -> bool:
    """Personal data as the staff site sees it: a personal-data field, or narrative text of a form with one."""
    return column.field is not None and is_personal(column.field, form)


def _help_sheet(sheet, form: Form, layout: list[Column], styles: dict, audience: str | None, day: date) -> None:
    sheet.write_string(0, 0, f"{form.title} 记录填写说明", styles["title"])
    facts = [(HELP_FORM_LABEL, form.id), (HELP_TITLE_LABEL, form.title), (HELP_VERSION_LABEL, form.version)]
    if audience:
        facts += [("导出", _AUDIENCE_TEXT.get(audience, audience)), ("导出日期", day.isoformat())]
    row = 1
    for label, value in facts:
        sheet.write_string(row, 0, label, styles["label"])
        sheet.write_string(row, 1, value)
        row += 1
    notes = [
        f"在“{RECORDS_SHEET}”工作表第{FIRST_ROW}行起每行填写一份记录；第1行为栏目名称，第{KEY_ROW}行（已隐藏）为字段键，请勿修改或删除。",
        "记录编号留空即为新记录，导入时按“前缀-年份-流水号”自动编号；填写已有编号则表示该记录（修改须加 --update）。",
        f"日期填写格式 {DATE_FORMAT}（也可填写 2025/4/18 或 2025年4月18日）；红色栏目为必填，黄色栏目为个人数据。",
        "导入命令：python -m site_builder import " + form.id + " 文件.xlsx（先加 --dry-run 检查）。",
    ]
    for note in notes:
        row += 1
        sheet.write_string(row, 0, note)
    row += 2
    header = ["列", "栏目", "字段键", "类型", "必填", "允许值", "日期格式", "个人数据", "说明"]
    for col, text in enumerate(header):
        sheet.write_string(row, col, text, styles["label"])
    for index, column in enumerate(layout):
        row += 1
        spec = column.field
        allowed = "、".join(column.choices) if column.choices else ""
        if column.kind == "multi_choice":
            allowed = "、".join(spec.choices)
        elif column.kind in ("integer", "number", "scores"):
            allowed = _range_text(*_bounds(column))
        values = [column_letter(index + 1), column.label, column.key, _type_label(column), "是" if column.required else "否",
                  allowed, DATE_FORMAT if column.kind == "date" else "", "是" if _personal(column, form) else "否",
                  _help(column)]
        for col, text in enumerate(values):
            sheet.write_string(row, col, text, styles["wrap"])
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 2, 22)
    sheet.set_column(3, 4, 10)
    sheet.set_column(5, 5, 40)
    sheet.set_column(6, 7, 10)
    sheet.set_column(8, 8, 50)


def _type_label(column: Column) -> str:
    if column.kind == "id":
        return "记录编号（新记录留空）"
    if column.kind == "date":
        return "日期"
    return TYPE_LABELS.get(column.kind, column.kind)


def _help(column: Column) -> str:
    if column.kind == "id":
        return "新记录留空，导入时自动编号"
    if column.key == "date":
        return "记录的填写日期，决定适用的表单版本"
    spec = column.field
    text = spec.help if spec else ""
    if spec and spec.type in ("record_ref", "document_ref") and spec.form:
        text = (text + "；" if text else "") + f"须为{spec.form}的记录"
    return text


def _bounds(column: Column) -> tuple[float | None, float | None]:
    if column.kind == "scores":
        return 0, 100
    spec = column.field
    return (spec.minimum, spec.maximum) if spec else (None, None)


def _range_text(low, high) -> str:
    def show(value):
        return str(int(value)) if float(value).is_integer() else str(value)
    if low is not None and high is not None:
        return f"{show(low)}～{show(high)}"
    if low is not None:
        return f"≥{show(low)}"
    return f"≤{show(high)}" if high is not None else ""


class _Lists:
    """Lists of choices too long for a validation, in the hidden sheet 选项 (made when first needed)."""

    def __init__(self, book) -> None:
        self.book, self.sheet, self.used = book, None, 0

    def source(self, choices: tuple[str, ...]):
        if len(",".join(choices)) <= _INLINE_LIST_MAX and not any("," in c for c in choices):
            return list(choices)
        if self.sheet is None:
            self.sheet = self.book.add_worksheet(LISTS_SHEET)
            self.sheet.hide()
        for row, choice in enumerate(choices):
            self.sheet.write_string(row, self.used, choice)
        letter = column_letter(self.used + 1)
        self.used += 1
        return f"={LISTS_SHEET}!${letter}$1:${letter}${len(choices)}"


def _records_sheet(sheet, form: Form, layout: list[Column], styles: dict, lists: _Lists, rows: list[dict]) -> None:
    for col, column in enumerate(layout):
        personal = _personal(column, form)
        style = ("personal_required" if personal else "required") if column.required else ("personal" if personal else "label")
        sheet.write_string(0, col, column.label, styles[style])
        sheet.write_string(KEY_ROW - 1, col, column.key, styles["key"])
        note = [text for text, on in (("必填", column.required), ("个人数据：员工网站隐去", personal)) if on]
        note += [f"类型：{_type_label(column)}"]
        if column.choices:
            note.append("可选：" + "、".join(column.choices))
        if column.kind == "date":
            note.append(f"格式：{DATE_FORMAT}")
        sheet.write_comment(0, col, "\n".join(note), {"x_scale": 1.5})
        width = max(10, min(40, 2 * len(column.label) + 2))
        if column.kind == "date":
            sheet.set_column(col, col, max(width, 12), styles["date"])
        elif column.kind in ("integer", "number", "scores", "boolean", "choice", "ratings"):
            sheet.set_column(col, col, width)
        else:
            sheet.set_column(col, col, max(width, 16) if column.kind != "text" else 40, styles["text"])
        _validation(sheet, col, column, lists)
    sheet.set_row(KEY_ROW - 1, None, None, {"hidden": True})
    sheet.freeze_panes(FIRST_ROW - 1, 1)
    for index, values in enumerate(rows):
        row = FIRST_ROW - 1 + index
        for col, column in enumerate(layout):
            _write_cell(sheet, row, col, column, values.get(column.key), styles)


def _validation(sheet, col: int, column: Column, lists: _Lists) -> None:
    first, last = FIRST_ROW - 1, LAST_ROW - 1
    kind = column.kind
    rule: dict | None = None
    if column.choices:
        rule = {"validate": "list", "source": lists.source(column.choices), "error_title": column.label,
                "error_message": "请从下拉列表中选择"}
    elif kind == "date":
        rule = {"validate": "date", "criteria": "between", "minimum": date(1900, 1, 1), "maximum": date(9999, 12, 31),
                "input_title": column.label, "input_message": f"日期，格式 {DATE_FORMAT}", "error_type": "warning",
                "error_message": f"请填写日期，格式 {DATE_FORMAT}"}
    elif kind in ("integer", "number", "scores"):
        low, high = _bounds(column)
        rule = {"validate": "integer" if kind == "integer" else "decimal", "error_title": column.label,
                "error_message": "请填写" + ("整数" if kind == "integer" else "数值") + (f"（{_range_text(low, high)}）"
                                                                                   if _range_text(low, high) else "")}
        if low is not None and high is not None:
            rule |= {"criteria": "between", "minimum": low, "maximum": high}
        elif low is not None:
            rule |= {"criteria": ">=", "value": low}
        elif high is not None:
            rule |= {"criteria": "<=", "value": high}
        else:
            rule |= {"criteria": "between", "minimum": -1e15 if kind != "integer" else -2147483648,
                     "maximum": 1e15 if kind != "integer" else 2147483647}
    if rule is not None:
        sheet.data_validation(first, col, last, col, rule)


def _write_cell(sheet, row: int, col: int, column: Column, value, styles: dict) -> None:
    if value is None or value == "" or value == []:
        return
    if column.kind == "date" and isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            sheet.write_string(row, col, value)
            return
        sheet.write_datetime(row, col, datetime(day.year, day.month, day.day), styles["date"])
    elif isinstance(value, bool):
        sheet.write_string(row, col, TRUE_TEXT if value else FALSE_TEXT)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, list):
        sheet.write_string(row, col, JOIN.join(str(v) for v in value), styles["text"])
    else:
        sheet.write_string(row, col, str(value), styles["text"])
