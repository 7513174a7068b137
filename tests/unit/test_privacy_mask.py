"""Masking of personal data in the data layer (issue 7)."""

from __future__ import annotations

from datetime import date

import pytest

from site_builder.derive.privacy import masked_values, personal_values, visible_fields, visible_values
from site_builder.derive.privacy.mask import (
    mask_address,
    mask_email,
    mask_name,
    mask_phone,
    mask_value,
    personal_value_sources,
    public_values,
)
from site_builder.model.manual import Config, Department, Form, FormField, Manual, Organisation, Person, Record


@pytest.mark.parametrize("value, expected", [
    ("张三丰", "张**"),
    ("欧阳建国", "欧**"),  # length is not revealed
    ("张三", "张*"),
    ("张", "*"),
    ("  王建国 ", "王**"),
    ("测试员甲乙", "测**"),
    ("张三、李四", "张*、李*"),
    ("张三，李四丰", "张*、李**"),
    ("John Smith", "J**"),
    ("Zoë", "Z**"),
    ("Ａｌｉｃｅ", "Ａ**"),
    ("", ""),
])
def test_mask_name(value, expected):
    assert mask_name(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("13812345678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("0086 13812345678", "138****5678"),
    ("１３８１２３４５６７８", "138****5678"),  # fullwidth digits
    ("＋８６ １３８－１２３４－５６７８", "138****5678"),
    ("0571-80263082", "0571-****3082"),
    ("(0571) 8026 3082", "0571-****3082"),
    ("010-12345678", "010-****5678"),
    ("021 5555 0199", "021-****0199"),
    ("0571-80263082-8012", "0571-****8012"),
    ("80263082", "****3082"),
    ("8026308", "****6308"),
    ("400-820-8820", "****8820"),
    ("+1 555 0100 4242", "155****4242"),
    ("12345", "****"),
    ("110", "****"),
    ("无", "****"),
    ("王先生 13812345678", "138****5678"),  # anything that is not a digit is dropped
    ("13812345678 / 0571-80263082", "138****5678 / 0571-****3082"),
    ("13812345678、13998765432", "138****5678 / 139****5432"),
])
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize("value, middle", [("13812345678", "1234"), ("0571-80263082", "8026"), ("80263082", "8026"),
                                           ("+86 138 1234 5678", "1234"), ("0571-80263082-8012", "3082")])
def test_masked_phone_never_shows_the_middle_digits(value, middle):
    masked = mask_phone(value)
    assert "****" in masked and middle not in masked


@pytest.mark.parametrize("value, expected", [
    ("canary-7f3a9c@example.invalid", "c***@example.invalid"),
    ("a@b.cn", "a***@b.cn"),
    ("张三@例子.中国", "张***@例子.中国"),
    ("@example.com", "***@example.com"),
    ("first.last+tag@mail.example.com", "f***@mail.example.com"),
    ("not-an-address", "n***"),
    ("x", "*"),
])
def test_mask_email(value, expected):
    assert mask_email(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("浙江省杭州市余杭区文一西路621号18楼", "浙江省杭州市****"),
    ("北京市丰台区南四环西路344号", "北京市丰台区****"),
    ("杭州市西湖区文三路", "杭州市西****"),  # 12 characters or fewer: only the first half
    ("测试路1号", "测试****"),
    ("A", "****"),
    ("Flat 3, 12 High Street, Cambridge", "Flat 3****"),
])
def test_mask_address(value, expected):
    assert mask_address(value) == expected


def test_mask_value_styles_and_fail_closed():
    assert mask_value("张三丰", "name") == "张**"
    assert mask_value("张三丰", "omit") is None
    assert mask_value("张三丰", "unknown-style") is None
    assert mask_value(None, "name") is None
    assert mask_value({"a": "b"}, "name") is None
    assert mask_value(["张三", "李四丰"], "name") == ["张*", "李**"]
    assert mask_value(13812345678, "phone") == "138****5678"


# --- records --------------------------------------------------------------------------------

def _field(key, kind="string", **extra):
    return FormField(key=key, label=key, type=kind, **extra)


def _form(form_id, *fields):
    return Form(id=form_id, title=f"{form_id} 表", version="A0", status="effective", procedure="QP-05", owner="业务部",
                effective=date(2025, 1, 1), retention_years=3, retention_note="", description="", record_prefix="CMP",
                revisions=(), fields=tuple(fields), rules={})


COMPLAINT = _form(
    "QR-05-01",
    _field("customer", "record_ref"),
    _field("customer_contact", personal_data=True, mask="name"),
    _field("customer_phone", personal_data=True, mask="phone"),
    _field("email", personal_data=True, mask="email"),
    _field("address", personal_data=True, mask="address"),
    _field("id_card", personal_data=True),  # default mask: omit
    _field("description", "text", personal_data=True, mask="omit"),
    _field("first_analysis", "text"),  # not marked, but narrative of a form with personal data
    _field("handler"),
    _field("quantity", "integer"),
)
CAPA = _form("QR-03-01", _field("problem", "text"), _field("issued_by"))

RECORD = Record(id="CMP-2025-001", form="QR-05-01", date=date(2025, 1, 14), form_version=None, path="records/x.yaml",
                values={"customer": "CUS-2025-010", "customer_contact": "丁志俊", "customer_phone": "15943654159",
                        "email": "ding@example.com", "address": "浙江省杭州市余杭区文一西路621号18楼", "id_card": "330100199001011234",
                        "description": "丁志俊来电说漏水", "first_analysis": "联系丁先生 159 4365 4159", "handler": "孙悦",
                        "quantity": 2, "stray": "not in the form"})


def test_masked_values_masks_omits_and_applies_the_narrative_rule():
    assert masked_values(RECORD, COMPLAINT) == {
        "customer": "CUS-2025-010", "customer_contact": "丁**", "customer_phone": "159****4159",
        "email": "d***@example.com", "address": "浙江省杭州市****", "handler": "孙悦", "quantity": 2,
    }


def test_narrative_fields_stay_in_forms_without_personal_data():
    record = Record(id="CAR-2025-001", form="QR-03-01", date=date(2025, 1, 1), form_version=None,
                    values={"problem": "渗水", "issued_by": "唐振宇"})
    assert masked_values(record, CAPA) == {"problem": "渗水", "issued_by": "唐振宇"}


def test_masked_values_without_a_form_shows_nothing():
    assert masked_values(RECORD, None) == {}


def test_visible_values_by_audience():
    assert visible_values(RECORD, COMPLAINT, "auditor") == RECORD.values
    assert visible_values(RECORD, COMPLAINT, "auditor") is not RECORD.values  # a copy
    assert visible_values(RECORD, COMPLAINT, "staff") == masked_values(RECORD, COMPLAINT)
    assert visible_values(RECORD, COMPLAINT, "anything-else") == masked_values(RECORD, COMPLAINT)  # fail closed


def test_visible_fields_by_audience():
    staff = [f.key for f in visible_fields(COMPLAINT, "staff")]
    assert staff == ["customer", "customer_contact", "customer_phone", "email", "address", "handler", "quantity"]
    assert len(visible_fields(COMPLAINT, "auditor")) == len(COMPLAINT.fields)


def _manual(records, forms=(COMPLAINT, CAPA)):
    config = Config(company="澄泉净水科技有限公司", site_name="澄泉净水 客户服务质量手册", version_pattern="", document_patterns={},
                    form_pattern="", record_pattern="")
    organisation = Organisation(
        departments=(Department(name="业务部", code="sales", parent=None, head="赵振东", responsibilities=()),),
        people=(Person(name="孙悦", department="业务部", title="投诉受理员", approves_levels=(), git_names=()),))
    return Manual(config=config, organisation=organisation, documents=(), forms=tuple(forms), records=tuple(records),
                  today=date(2026, 11, 23))


def test_personal_values_collects_personal_and_narrative_values():
    values = personal_values(_manual([RECORD]))
    assert values == {"丁志俊", "15943654159", "ding@example.com", "浙江省杭州市余杭区文一西路621号18楼", "330100199001011234",
                      "丁志俊来电说漏水", "联系丁先生 159 4365 4159"}


def test_personal_values_leaves_out_short_public_and_number_like_values():
    record = Record(id="CMP-2025-002", form="QR-05-01", date=date(2025, 1, 1), form_version=None,
                    values={"customer_contact": "王", "customer_phone": "110", "email": "孙悦", "address": "业务部",
                            "description": "澄泉净水科技有限公司", "id_card": "2025-01", "first_analysis": "１２３４５６７"})
    manual = _manual([record])
    assert personal_values(manual) == {"１２３４５６７"}  # 7 digits: a phone number
    assert "王" in personal_values(manual, min_length=1)
    assert "孙悦" in personal_values(manual, exclude_public=False)
    assert {"孙悦", "业务部", "澄泉净水科技有限公司", "sales", "投诉受理员"} <= public_values(manual)


def test_personal_value_sources_name_record_and_field():
    sources = personal_value_sources(_manual([RECORD]))
    assert sources["丁志俊"] == ["records/x.yaml: customer_contact"]
    assert "孙悦" not in sources and "CUS-2025-010" not in sources


# --- the staff build's refusal check (site_builder.verify.site) ----------------------------------------

class _Generated:
    def __init__(self, manual, audience):
        self.check = type("Check", (), {"manual": manual})()
        self.info = {"audience": audience}


def test_verify_refuses_a_staff_site_with_personal_values(tmp_path):
    from site_builder.fast.forked import Children
    from site_builder.site.theme import material_templates
    from site_builder.verify.html import HtmlVerifier
    from site_builder.verify.site import personal_data_problems, verify_site

    def verified(generated, processes: int = 2, chunks: bool = True) -> list[str]:
        return verify_site(site, generated, children=Children(processes), verifier=HtmlVerifier(material_templates(), chunks))

    site = tmp_path / "site"
    (site / "documents" / "QP-05").mkdir(parents=True)
    (site / "index.html").write_text("<p>联系人 丁** 电话 159****4159 业务部 孙悦</p>", encoding="utf-8")
    manual = _manual([RECORD])
    assert verified(_Generated(manual, "staff")) == []
    (site / "documents" / "QP-05" / "index.html").write_text("<p>请致电丁志俊 159 4365 4159 核实</p>", encoding="utf-8")
    problems = personal_data_problems(site, _Generated(manual, "staff"))
    assert len(problems) == 2 and all(p.startswith("documents/QP-05/index.html: personal data in the content") for p in problems)
    text = "\n".join(problems)
    assert "丁志俊" not in text and "4365" not in text  # the build log shows values masked
    assert "«丁**»" in text and "«159****4159»" in text and "records/x.yaml: customer_contact" in text
    assert personal_data_problems(site, _Generated(manual, "auditor")) == []
    assert verified(_Generated(manual, "staff")) == problems
    assert verified(_Generated(manual, "staff"), processes=1, chunks=False) == problems  # (the plain path)
