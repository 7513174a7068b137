"""The layout of a record sheet: which column holds which field of a form.

Sheet `记录`: row 1 the labels, row 2 the keys (`id`, `date`, a field key, or `<key>.<item>` for
each item of a ratings or scores field), records from row 3.  Sheet `填写说明`: what each column
means.  The same layout serves the template, the import and the export.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.model.manual import Form, FormField

RECORDS_SHEET = "记录"
HELP_SHEET = "填写说明"
LISTS_SHEET = "选项"
LABEL_ROW, KEY_ROW, FIRST_ROW = 1, 2, 3
#: custom document properties naming the form, version and audience of a workbook
FORM_PROPERTY, VERSION_PROPERTY, AUDIENCE_PROPERTY = "qms_form", "qms_form_version", "qms_audience"
DATE_FORMAT = "YYYY-MM-DD"
#: separator of the values of a multiple-choice or list cell when exported (any of SPLIT_ON is read)
JOIN = "、"
SPLIT_ON = "、,，;；\n"
TRUE_TEXT, FALSE_TEXT = "是", "否"

TYPE_LABELS = {"string": "文本", "text": "长文本", "integer": "整数", "number": "数值", "date": "日期",
               "boolean": "是/否", "choice": "单选", "multi_choice": "多选（以“、”分隔）", "ratings": "评价等级",
               "scores": "分数（0～100）", "record_ref": "记录编号", "document_ref": "文件编号",
               "list": "清单（以“、”分隔）"}


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the key row's text: "id", "date", "customer", "ratings.性能"
    label: str  # the label row's text
    field: FormField | None  # None for id and date
    item: str | None = None  # the item of a ratings or scores field

    @property
    def kind(self) -> str:
        if self.field is None:
            return "id" if self.key == "id" else "date"
        return self.field.type

    @property
    def required(self) -> bool:
        return self.key == "date" or bool(self.field and (self.field.required or self.item))

    @property
    def choices(self) -> tuple[str, ...]:
        if self.field is None:
            return ()
        if self.field.type == "ratings":
            return self.field.levels
        if self.field.type == "boolean":
            return (TRUE_TEXT, FALSE_TEXT)
        return self.field.choices if self.field.type == "choice" else ()


def columns(form: Form) -> list[Column]:
    """The columns of `form`'s record sheet, in order."""
    found = [Column("id", "记录编号", None), Column("date", "记录日期", None)]
    for spec in form.fields:
        if spec.type in ("ratings", "scores"):
            found += [Column(f"{spec.key}.{item}", f"{spec.label}/{item}", spec, item) for item in spec.items]
        else:
            found.append(Column(spec.key, spec.label, spec))
    return found


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int, sheet: str = RECORDS_SHEET) -> str:
    return f"{sheet}!{column_letter(col)}{row}"


def default_name(form: Form) -> str:
    return f"{form.id}-{form.version}-模板.xlsx"
