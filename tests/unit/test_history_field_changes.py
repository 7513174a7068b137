"""The diff page's table of changed front-matter fields names each field in Chinese (issue 26: every
string a reader sees is Chinese), inside list and mapping values too."""

from __future__ import annotations

from types import SimpleNamespace

from site_builder.render.history_versions import _field_changes


def test_changed_fields_and_their_inner_keys_are_named_in_chinese():
    old = SimpleNamespace(data={"id": "QP-06", "version": "B1", "related_documents": ["QP-02"],
                                "distribution": [{"department": "业务部", "copies": 2, "copy_numbers": ["01", "02"]}]})
    new = SimpleNamespace(data={"id": "QP-06", "version": "B2", "related_documents": ["QM-01", "QP-02"],
                                "distribution": [{"department": "业务部", "copies": 1, "copy_numbers": ["01"]}]})
    html = _field_changes(old, new)
    assert "相关文件" in html and "分发范围" in html and "部门：业务部" in html and "份数：1" in html
    for english in ("related_documents", "distribution", "department", "copies", "copy_numbers"):
        assert english not in html
    assert _field_changes(old, old) == "受控字段（正文以外）没有变化。"
