"""The diff page's table of changed front-matter fields names each field in Chinese (issue 26: every
string a reader sees is Chinese), inside list and mapping values too."""

from __future__ import annotations

from types import SimpleNamespace

from site_builder.render.history_versions import _field_changes


def test_changed_fields_and_their_inner_keys_are_named_in_chinese():
    old = SimpleNamespace(data={"id": "QP-06", "version": "B1", "related_documents": ["QP-02"],
                                "objectives": [{"id": "OBJ-01", "target": 80, "unit": "%"}]})
    new = SimpleNamespace(data={"id": "QP-06", "version": "B2", "related_documents": ["QM-01", "QP-02"],
                                "objectives": [{"id": "OBJ-01", "target": 85, "unit": "%"}]})
    html = _field_changes(old, new)
    assert "相关文件" in html and "质量目标" in html and "编号：OBJ-01" in html and "目标值：85" in html
    for english in ("related_documents", "objectives", "target", "unit"):
        assert english not in html
    assert _field_changes(old, old) == "受控字段（正文以外）没有变化。"
