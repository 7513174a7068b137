"""reuse.py: what a serve rebuild takes over is keyed on the very objects and on complete values."""

from __future__ import annotations

from datetime import date

from site_builder.fast.serve_reuse import NoReuse, Reuse, same
from site_builder.model.manual import Record


def record(**values) -> Record:
    return Record(id="R-1", form="F-1", date=date(2026, 1, 1), form_version=None, values=values, path="records/F-1/R-1.yaml")


def test_same_compares_the_fields_the_model_leaves_out_of_equality():
    assert record(a=1) == record(a=2)  # (the model's own == ignores a record's values)
    assert not same(record(a=1), record(a=2))
    assert same(record(a=1), record(a=1))
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})  # order is output
    assert not same((1, 2), [1, 2]) and not same(1, 1.0) and not same(float("nan"), float("nan"))
    assert same((record(a=[1, {"x": 2}]),), (record(a=[1, {"x": 2}]),))


def test_each_takes_over_results_of_the_same_objects_only():
    reuse, calls = Reuse(), []
    kept, changed = record(a=1), record(a=1)

    def compute(obj):
        calls.append(obj)
        return [obj.values["a"]]

    first = reuse.each("stage", [kept, changed], compute)
    reuse.finish()
    fresh = record(a=1)
    second = reuse.each("stage", [kept, fresh], compute)
    assert calls == [kept, changed, fresh] and second[0] is first[0]
    assert reuse.hits["stage"] == 1 and reuse.misses["stage"] == 1


def test_a_new_token_invalidates_every_result_keyed_on_it():
    reuse = Reuse()
    token = reuse.token("rules", {"deadline": 7})
    reuse.each("stage", [kept := record()], lambda r: "old", token)
    reuse.finish()
    assert reuse.token("rules", {"deadline": 7}) is token
    reuse.abandon()
    other = reuse.token("rules", {"deadline": 8})
    assert other is not token
    assert reuse.each("stage", [kept], lambda r: "new", other) == ["new"]


def test_a_failed_build_leaves_the_last_complete_one_to_take_over():
    reuse = Reuse()
    assert reuse.by_equal("pages", (1, "a"), lambda: "first") == "first"
    reuse.finish()
    assert reuse.by_equal("pages", (2, "a"), lambda: "second") == "second"
    reuse.abandon()
    assert reuse.by_equal("pages", (1, "a"), lambda: "again") == "first"


def test_file_results_need_the_same_signature_and_context():
    reuse, result = Reuse(), object()
    reuse.remember_file("records/a.yaml", "10:1:1:7:33188", "ctx", result)
    reuse.remember_file("records/recent.yaml", None, "ctx", object())  # too recent: never kept
    reuse.finish()
    assert reuse.file("records/a.yaml", "10:1:1:7:33188", "ctx") is result
    assert reuse.file("records/a.yaml", "11:1:1:7:33188", "ctx") is None
    assert reuse.file("records/a.yaml", "10:1:1:7:33188", "other schemas") is None
    assert reuse.file("records/a.yaml", None, "ctx") is None
    assert reuse.file("records/recent.yaml", None, "ctx") is None
    assert "1 of 5 file checks" in reuse.report()


def test_outside_serve_nothing_is_kept():
    reuse = NoReuse()
    assert reuse.each("stage", [1, 2], lambda n: n * 2) == [2, 4]
    reuse.finish()
    assert reuse.by_equal("pages", 1, lambda: "computed") == "computed"
    assert reuse._previous == {} and reuse._current == {}
