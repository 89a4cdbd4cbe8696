"""In a real browser: 新生儿出生一件事. A father finds it in the 一件事专区, reads its guide, applies online
once — the questionnaire (no 社会保障卡 this time), one form, one upload of each material — and a wrong
ID number on the form is shown next to it with nothing else lost. The window accepts for every item, the
卫健委, 公安局 and 医保局 reviewers decide in parallel, and the father's page shows one combined result
listing every item's result (with the 出生医学证明 e-licence). Logged out, the QR-code lookup finds it.
Screenshots are kept under pytest's tmp dir."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from yichuang.accounts.models import Department
from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import (
    ApplicantFactory,
    DepartmentFactory,
    UserFactory,
    valid_id_number,
)
from yichuang.bundles import definitions, services
from yichuang.bundles.models import ApplicationStatus, BundleApplication, BundleCase, MemberState
from yichuang.bundles.tests.helpers import material
from yichuang.cases import services as case_services
from yichuang.cases.models import Case, CaseStatus
from yichuang.catalog.tests.helpers import publish_item
from yichuang.licences import services as licence_services
from yichuang.licences.issuing import licence_data_initial, result_licence_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BIRTH_CERTIFICATE = "11100000000013200W001"  # 出生医学证明
HOUSEHOLD_REGISTER = "11100000000013000G002"  # 居民户口簿


def _department(org: Any, name: str) -> Department:
    # A fresh parent row: adding a child changes the tree's counters on it.
    return DepartmentFactory(name=name, parent=Department.objects.get(pk=org.gov.pk))


def _newborn(org: Any) -> tuple[Any, dict[str, Any]]:
    """新生儿出生一件事: 出生医学证明 (卫健委), 出生登记 (公安局), 医保参保 (医保局), and — only when asked
    for — 社会保障卡 (人社局)."""
    admin = org.user("admin")
    gaj, ybj, rsj = _department(org, "公安局"), _department(org, "医保局"), _department(org, "人社局")
    reviewers = {
        "wjw": org.user("reviewer_wjw"),
        "gaj": UserFactory(username="reviewer_gaj", role=Role.REVIEWER, department=gaj),
        "ybj": UserFactory(username="reviewer_ybj", role=Role.REVIEWER, department=ybj),
    }
    form = material("m-form", "申请表", "application_form")
    id_card = material("m-id", "父母双方居民身份证", "id_card")

    def item(department: Any, code: str, name: str, materials: list[dict[str, Any]], **extra: Any) -> Any:
        return publish_item(
            actor=admin,
            department=department,
            basic_code=code,
            name=name,
            item_type="confirmation",
            service_object="natural",
            materials=materials,
            special_procedures=[],
            **extra,
        )

    items = {
        "birth": item(
            org.wjw,
            "11A000300001",
            "出生医学证明首次签发",
            [form, id_card, material("m-record", "住院分娩记录", "birth_record")],
            promised_days=5,
            result_name="出生医学证明",
            result_licence_type_code=BIRTH_CERTIFICATE,
        ),
        "hukou": item(
            gaj,
            "11A000300002",
            "出生登记（户口登记）",
            [
                form,
                id_card,
                material(
                    "m-hukou",
                    "居民户口簿",
                    "household_register",
                    source="20",
                    licence_type_code=HOUSEHOLD_REGISTER,
                ),
            ],
            promised_days=5,
            result_name="居民户口簿（新生儿页）",
        ),
        "insurance": item(
            ybj,
            "11A000300003",
            "城乡居民基本医疗保险参保登记",
            [form, id_card],
            promised_days=3,
            result_name="参保登记凭证",
        ),
        "card": item(
            rsj,
            "11A000300004",
            "社会保障卡申领",
            [form, id_card, material("m-photo", "新生儿电子照片", "photo")],
            promised_days=10,
            result_name="社会保障卡",
        ),
    }
    parent = ["applicant_name", "applicant_id_number", "applicant_phone"]
    spec = {
        "code": "newborn",
        "name": "新生儿出生一件事",
        "event_kind": "life",
        "event": "出生",
        "lead_department": org.wjw.pk,
        "promised_days": 5,
        "visits": 0,
        "summary": "孩子出生后要办的出生医学证明、落户、医保参保，一张表、一套材料，网上一次办好。",
        "service_object": "在本旗出生的新生儿的父母",
        "conditions": "新生儿在本旗医疗机构出生，父母一方为本旗户籍。",
        "legal_basis": "《国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》（国发〔2024〕3号）",
        "handling_place": "乌拉特中旗政务服务中心一楼“一件事”综合窗口",
        "handling_hours": "工作日 9:00-12:00，14:30-17:30",
        "contact_phone": "0478-5211234",
        "questions": [
            {
                "key": "social_card",
                "text": "是否同时为新生儿申领社会保障卡？",
                "choices": [{"value": "yes", "label": "申领"}, {"value": "no", "label": "暂不申领"}],
            }
        ],
        "members": [
            {
                "item": items["birth"].pk,
                "fields": [
                    *parent,
                    "newborn_name",
                    "newborn_gender",
                    "newborn_birth_date",
                    "newborn_birth_place",
                    "birth_institution",
                    "mother_name",
                    "father_name",
                ],
            },
            {
                "item": items["hukou"].pk,
                "fields": [
                    *parent,
                    "newborn_name",
                    "newborn_gender",
                    "newborn_birth_date",
                    "mother_name",
                    "mother_id_number",
                    "household_address",
                ],
            },
            {
                "item": items["insurance"].pk,
                "fields": [*parent, "newborn_name", "newborn_birth_date"],
            },
            {
                "item": items["card"].pk,
                "condition": {"social_card": ["yes"]},
                "fields": [*parent, "newborn_name"],
            },
        ],
    }
    bundle = definitions.bundle_publish(actor=admin, bundle=definitions.bundle_define(actor=admin, spec=spec))
    licence_services.seal_create(actor=admin, department=org.wjw)
    return bundle, reviewers


def _field(page: Any, key: str) -> Any:
    return page.locator(f'[data-field-key="{key}"]').locator("input, select, textarea")


def _choose_files(page: Any) -> None:
    for key, name in (("id_card", "父母身份证.pdf"), ("birth_record", "住院分娩记录.pdf")):
        page.locator(f'tr[data-material="{key}"] input[type=file]').set_input_files(
            files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}]
        )


def test_newborn_applied_online_once_decided_in_parallel_one_combined_result(
    org: Any, page: Any, live_server: Any, tmp_path: Path
) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    _bundle, reviewers = _newborn(org)
    father = ApplicantFactory(user=org.user("applicant"), name="巴特尔", phone="13800000000")
    mother_id = valid_id_number(birth="19920315")

    # ——— the 一件事专区 and the bundle's own guide ———
    page.goto("/bundles/")
    page.get_by_test_id("bundle-group-life").get_by_role("link", name="新生儿出生一件事").click()
    page.wait_for_url("**/bundles/newborn/")
    members = page.get_by_test_id("members").inner_text()
    assert all(name in members for name in ("卫健委", "公安局", "医保局", "人社局"))
    assert "是否同时为新生儿申领社会保障卡？ 选择 “申领”" in members  # when 社会保障卡 applies
    assert page.get_by_test_id("promised-days").inner_text() == "5个工作日"
    assert page.get_by_test_id("separate-days").inner_text() == "合计23个工作日"
    assert page.locator('[data-testid=materials] tr[data-material="id_card"]').count() == 1
    page.screenshot(path=shots / "1-guide.png", full_page=True)

    # ——— apply online: log in on the way, then the questionnaire ———
    page.get_by_test_id("apply-online").click()
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("用户名").fill("applicant")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/bundles/newborn/apply/")
    assert "巴特尔" in page.get_by_test_id("applicant").inner_text()
    page.get_by_label("暂不申领").check()
    page.get_by_role("button", name="下一步：填写申请").click()

    # ——— the one form: three items selected, 社会保障卡 not ———
    selected = page.get_by_test_id("selected-members")
    selected.wait_for()
    assert selected.locator("tbody tr").count() == 3
    assert "社会保障卡申领" in page.get_by_test_id("not-selected").inner_text()
    assert _field(page, "applicant_name").input_value() == "巴特尔"  # from the applicant's record
    assert _field(page, "newborn_name").count() == 1  # asked once for three items
    _field(page, "newborn_name").fill("巴雅尔")
    _field(page, "newborn_gender").select_option("男")
    _field(page, "newborn_birth_date").fill("2026-11-18")
    _field(page, "newborn_birth_place").fill("内蒙古自治区巴彦淖尔市乌拉特中旗")
    _field(page, "birth_institution").fill("乌拉特中旗人民医院")
    _field(page, "mother_name").fill("其其格")
    _field(page, "mother_id_number").fill(mother_id[:-1])  # one digit short
    _field(page, "father_name").fill("巴特尔")
    _field(page, "household_address").fill("海流图镇团结路8号")
    _choose_files(page)
    page.screenshot(path=shots / "2-one-form.png", full_page=True)
    page.get_by_role("button", name="提交申请").click()

    # A wrong ID number: said next to it in Chinese, everything typed still there, nothing made.
    error = page.locator('[data-field-key="mother_id_number"] [role=alert]')
    error.wait_for()
    assert "身份证号码应为18位" in error.inner_text()
    assert _field(page, "newborn_name").input_value() == "巴雅尔"
    assert _field(page, "household_address").input_value() == "海流图镇团结路8号"
    assert BundleApplication.objects.count() == 0
    _field(page, "mother_id_number").fill(mother_id)
    _choose_files(page)  # a browser never keeps chosen files
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/my/bundles/\d+/$"))
    number = page.get_by_test_id("application-number").inner_text()
    assert "一件事申请已提交" in page.get_by_role("status").first.inner_text()
    assert page.get_by_test_id("status").inner_text() == "已接件"
    application = BundleApplication.objects.get()
    assert application.number == number and application.channel == "online" and application.use_licences
    links = {
        link.member.item.name: link
        for link in BundleCase.objects.filter(application=application).select_related("member__item", "case")
    }
    assert len(links) == 3 and all(link.state == MemberState.ROUTED for link in links.values())
    assert {link.case.department.name for link in links.values()} == {"卫健委", "公安局", "医保局"}
    page.screenshot(path=shots / "3-submitted.png", full_page=True)

    # ——— the window checks the one set of materials once and accepts for every item ———
    clerk = org.user("clerk")
    services.bundle_check_materials(
        actor=clerk,
        application=application,
        findings={
            "id_card": ("original_checked", ""),
            "birth_record": ("received", ""),
            "household_register": ("original_checked", ""),
        },
    )
    application = services.bundle_accept(actor=clerk, application=application)
    assert application.status == ApplicationStatus.IN_PROGRESS

    # ——— three departments at once (并联审批) ———
    cases = {
        "wjw": links["出生医学证明首次签发"].case,
        "gaj": links["出生登记（户口登记）"].case,
        "ybj": links["城乡居民基本医疗保险参保登记"].case,
    }
    for key, case in cases.items():
        cases[key] = case_services.case_start_review(actor=reviewers[key], case=case)
    assert all(case.status == CaseStatus.IN_REVIEW for case in cases.values())
    birth = cases["wjw"]
    licence_type = result_licence_type(birth.item_version)
    data = licence_data_initial(birth, licence_type)  # the one form fills the certificate
    assert data["f1"] == "巴雅尔" and data["f7"] == "乌拉特中旗人民医院"
    cases["wjw"] = case_services.case_decide(
        actor=reviewers["wjw"], case=birth, decision="approve", result={"licence": data}
    )
    cases["gaj"] = case_services.case_decide(actor=reviewers["gaj"], case=cases["gaj"], decision="approve")
    cases["ybj"] = case_services.case_decide(actor=reviewers["ybj"], case=cases["ybj"], decision="approve")
    application.refresh_from_db()
    assert (
        application.status == ApplicationStatus.IN_PROGRESS
    )  # results not ready yet: nothing goes out alone
    for key, case in cases.items():
        case_services.case_result_ready(actor=reviewers[key], case=case)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RESULT_READY and application.outcome == "all"

    # ——— the father's page: one combined result, every item's result ———
    page.reload()
    result = page.get_by_test_id("combined-result")
    result.wait_for()
    text = result.inner_text()
    for name, outcome in (
        ("出生医学证明首次签发", "出生医学证明"),
        ("出生登记（户口登记）", "居民户口簿（新生儿页）"),
        ("城乡居民基本医疗保险参保登记", "参保登记凭证"),
    ):
        assert name in text and outcome in text
    assert result.locator("tbody tr").count() == 3 and text.count("准予") >= 3
    assert page.get_by_test_id("outcome").inner_text() == "全部办成"
    page.screenshot(path=shots / "4-combined-result.png", full_page=True)
    # The 办理结果告知书 lists them all too.
    with page.expect_download() as download:
        page.get_by_test_id("notices").get_by_role("link", name="一件事办理结果告知书").click()
    notice = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages
    ).replace("\n", "")
    assert number in notice and "出生医学证明" in notice and "参保登记凭证" in notice
    # The e-licence it came with opens in 我的证照.
    licence = Case.objects.get(pk=birth.pk).licences.get()
    result.get_by_test_id("result-licence").click()
    page.wait_for_url(f"**/my/licences/{licence.pk}/")
    assert licence.holder_id == father.pk

    # ——— logged out: the lookup the notice's QR code opens ———
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")
    page.goto(f"/bundles/track/?number={number}")
    page.get_by_label("身份证号码或统一社会信用代码").fill(father.id_number)
    page.get_by_role("button", name="查询").click()
    page.get_by_test_id("track-result").wait_for()
    assert page.get_by_test_id("track-status").inner_text().startswith("待统一出件")
    assert page.get_by_test_id("track-members").locator("tbody tr").count() == 3
    assert "巴特尔" not in page.content() and father.id_number not in page.content()
    page.screenshot(path=shots / "5-track.png", full_page=True)
