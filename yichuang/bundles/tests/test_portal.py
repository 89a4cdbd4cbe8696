"""The public and applicant screens of 一件事: the 专区 and the bundle's guide, applying online in two
steps (情形引导 → one form and one set of materials), 我的一件事 with its members, materials, notices and the
combined result, 补正 and withdrawal, and the public progress lookup."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yichuang.accounts.models import Applicant
from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import ApplicantFactory, UserFactory
from yichuang.bundles import services
from yichuang.bundles.models import ApplicationStatus, BundleApplication, BundleCase, BundleFile, MemberState
from yichuang.bundles.notices import application_track_url
from yichuang.bundles.tests.helpers import FORM, MONDAY, citizen, restaurant
from yichuang.cases import services as case_services
from yichuang.cases.models import Case, CaseStatus
from yichuang.catalog.models import ServiceItem
from yichuang.licences import services as licence_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ID_NUMBER = "150824199001011237"


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def bundle(org: Any) -> Any:
    bundle, _items = restaurant(org)
    licence_services.seal_create(actor=org.user("admin"), department=org.scjg)
    return bundle


@pytest.fixture
def applicant(org: Any) -> Applicant:
    return citizen(org)


@pytest.fixture
def portal(client_for: Any, applicant: Applicant) -> Client:
    return client_for("applicant")


def apply_url(bundle: Any) -> str:
    return reverse("bundles:portal_apply", args=[bundle.code])


def answers(dining_area: str = "yes", sign: str = "yes") -> dict[str, str]:
    return {"q_dining_area": dining_area, "q_sign": sign}


def files(*keys: str) -> dict[str, Any]:
    return {f"file_{key}": SimpleUploadedFile(f"{key}.pdf", PDF, "application/pdf") for key in keys}


def submit(
    client: Client, bundle: Any, *, key: str = "key-1", form: dict[str, str] | None = None, **extra: Any
):
    """POST the second step: the one form, one file per required material, 免证办 agreed."""
    values = {**FORM, **(form or {})}
    data: dict[str, Any] = {
        "step": "submit",
        "idempotency_key": key,
        "use_licences": "on",
        **answers(**extra.pop("answers", {})),
        **{f"f_{name}": value for name, value in values.items()},
        **files(*extra.pop("files", ("id_card", "lease_contract", "premises_layout", "design_plan"))),
        **extra,
    }
    return client.post(apply_url(bundle), data)


def members_by_name(application: BundleApplication) -> dict[str, BundleCase]:
    return {
        row.member.item.name: row
        for row in BundleCase.objects.filter(application=application).select_related("member__item", "case")
    }


# ——— 一件事专区 and the guide ———


def test_the_list_groups_published_bundles_by_event_kind(client: Client, bundle: Any) -> None:
    response = client.get(reverse("bundles:public_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="bundle-group-business"' in page and 'data-testid="bundle-group-life"' not in page
    assert "我要开小餐馆" in page and "准营" in page and "4个事项" in page
    assert "市场监管局、卫健委、住建局" in page


def test_the_guide_shows_members_conditions_merged_materials_and_the_questionnaire(
    client: Client, bundle: Any
) -> None:
    response = client.get(reverse("bundles:public_guide", args=[bundle.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "开小餐馆要办的证照" in page  # summary
    # 10 working days together, against 0 + 10 + 10 + 0 item by item
    assert "10个工作日" in page and "合计20个工作日" in page
    assert "是否设有供顾客就餐的场所？ 选择 “有”" in page  # when 公共场所卫生许可 applies
    assert "需先取得“个体工商户设立登记”的结果" in page  # 食品经营许可 needs the 营业执照
    # The ID card is asked once, for all four items; the 营业执照 comes from the licence library.
    assert page.count('data-material="id_card"') == 1
    assert "个体工商户设立登记、食品经营许可（新办）、公共场所卫生许可（新办）、店铺招牌设置备案" in page
    assert "免证办（电子证照）" in page
    assert "一件事综合申请表（一表制）" in page
    assert 'href="/bundles/restaurant/apply/"' in page and "到综合窗口办理" in page


def test_an_unknown_or_draft_bundle_is_a_404(client: Client, bundle: Any) -> None:
    assert client.get(reverse("bundles:public_guide", args=["nothing"])).status_code == 404


def test_staff_see_the_guide_without_the_apply_button(client_for: Any, bundle: Any) -> None:
    page = client_for("clerk").get(reverse("bundles:public_guide", args=[bundle.code])).content.decode()
    assert "我要开小餐馆" in page and 'data-testid="apply-online"' not in page


# ——— applying ———


def test_applying_needs_an_applicant_login(client: Client, client_for: Any, bundle: Any) -> None:
    response = client.get(apply_url(bundle))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for("clerk").get(apply_url(bundle)).status_code == 403


def test_an_account_without_applicant_record_is_told_to_register(client_for: Any, bundle: Any) -> None:
    page = client_for("applicant").get(apply_url(bundle)).content.decode()
    assert 'data-testid="no-applicant"' in page and 'data-testid="questionnaire"' not in page


def test_step_one_asks_the_questionnaire(portal: Client, bundle: Any) -> None:
    page = portal.get(apply_url(bundle)).content.decode()
    assert "是否设有供顾客就餐的场所？" in page and "没有，只外卖" in page
    assert 'name="q_dining_area"' in page and 'value="answers"' in page


def test_unanswered_questions_are_asked_again_in_chinese(portal: Client, bundle: Any) -> None:
    response = portal.post(apply_url(bundle), {"step": "answers", "q_sign": "yes"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="q_dining_area">请选择<' in page
    assert re.search(r'name="q_sign" value="yes"[^>]*checked', page)  # the answer given stays


def test_the_answers_decide_which_items_are_handled(portal: Client, bundle: Any) -> None:
    response = portal.post(apply_url(bundle), {"step": "answers", **answers(dining_area="no", sign="yes")})
    page = response.content.decode()
    selected = page.split('data-testid="selected-members"')[1].split("</table>")[0]
    assert "个体工商户设立登记" in selected and "店铺招牌设置备案" in selected
    assert "公共场所卫生许可" not in selected
    skipped = page.split('data-testid="not-selected"')[1].split("</ul>")[0]
    assert "公共场所卫生许可（新办）" in skipped and "选择 “有”" in skipped
    assert "“个体工商户设立登记”办结后自动推送办理" in page  # 食品经营许可 waits for the 营业执照
    # The one form: the company name once, with what it is used for, prefilled fields from the record.
    assert page.count('name="f_company_name"') == 1
    assert 'name="f_shop_sign_text"' in page and 'name="f_applicant_phone"' in page
    assert 'value="13800000000"' in page  # prefilled from the applicant's phone
    # The merged materials: a file input per material, none for the application form (the one form).
    assert 'name="file_id_card"' in page and 'name="file_application_form"' not in page
    assert 'name="file_premises_layout"' in page  # 食品经营许可 still needs the layout
    assert 'name="use_licences"' in page and 'name="idempotency_key"' in page
    assert 'type="hidden" name="q_dining_area" value="no"' in page

    response = portal.post(apply_url(bundle), {"step": "answers", **answers(dining_area="no", sign="no")})
    page = response.content.decode()
    assert 'name="f_shop_sign_text"' not in page and 'name="file_design_plan"' not in page


def test_submitting_makes_one_application_and_its_cases(portal: Client, bundle: Any) -> None:
    response = submit(portal, bundle)
    application = BundleApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bundles:portal_detail", args=[application.pk])
    assert application.channel == "online" and application.use_licences
    assert application.form["company_name"] == "乌拉特中旗巴特尔小吃店"
    rows = members_by_name(application)
    assert len(rows) == 4
    assert rows["食品经营许可（新办）"].state == MemberState.WAITING
    assert Case.objects.count() == 3
    assert BundleFile.objects.filter(application=application).count() == 4
    # The ID card given once reaches every routed case that asks for it.
    routed = [row.case for row in rows.values() if row.case is not None]
    assert all(
        case.files.filter(case_material__material__material_type="id_card").count() == 1 for case in routed
    )

    page = portal.get(response["Location"]).content.decode()
    assert "一件事申请已提交" in page and application.number in page


def test_a_double_submit_with_the_same_key_makes_no_duplicate(portal: Client, bundle: Any) -> None:
    first = submit(portal, bundle, key="same-key")
    second = submit(portal, bundle, key="same-key")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert BundleApplication.objects.count() == 1 and Case.objects.count() == 3
    assert "该申请已提交过" in portal.get(second["Location"]).content.decode()


def test_a_bad_id_number_keeps_what_was_typed_and_says_why(portal: Client, bundle: Any) -> None:
    response = submit(
        portal,
        bundle,
        form={"applicant_id_number": "15082419900101123", "shop_sign_text": "巴特尔小吃（新）"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert BundleApplication.objects.count() == 0 and Case.objects.count() == 0
    assert 'data-field="f_applicant_id_number">身份证号码应为18位<' in page
    assert 'value="15082419900101123"' in page and 'value="巴特尔小吃（新）"' in page
    assert 'value="乌拉特中旗巴特尔小吃店"' in page
    assert 'type="hidden" name="q_dining_area" value="yes"' in page  # the answers are kept
    assert "已选择的文件不会保留" in page


def test_a_required_material_without_a_file_is_named(portal: Client, bundle: Any) -> None:
    response = submit(portal, bundle, files=("id_card", "lease_contract", "design_plan"))
    page = response.content.decode()
    assert BundleApplication.objects.count() == 0
    assert 'data-field="file_premises_layout">请上传“经营场所平面布局图”<' in page


def test_a_file_that_is_not_what_it_says_is_refused(portal: Client, bundle: Any) -> None:
    data = {"file_id_card": SimpleUploadedFile("身份证.pdf", b"not a pdf", "application/pdf")}
    response = submit(portal, bundle, files=("lease_contract", "premises_layout", "design_plan"), **data)
    assert BundleApplication.objects.count() == 0
    assert 'data-field="file_id_card">身份证.pdf：' in response.content.decode()


def test_a_bundle_retired_meanwhile_is_a_404_page_not_a_500(portal: Client, bundle: Any, org: Any) -> None:
    from yichuang.bundles import definitions

    definitions.bundle_retire(actor=org.user("admin"), bundle=bundle)
    response = submit(portal, bundle)
    assert response.status_code == 404
    assert "未找到该一件事" in response.content.decode()


def test_the_edit_button_goes_back_with_the_answers(portal: Client, bundle: Any) -> None:
    response = portal.post(apply_url(bundle), {"step": "edit", **answers(dining_area="no")})
    page = response.content.decode()
    assert 'data-testid="questionnaire"' in page
    assert re.search(r'name="q_dining_area" value="no"[^>]*checked', page)


# ——— 我的一件事 ———


@pytest.fixture
def application(portal: Client, bundle: Any) -> BundleApplication:
    submit(portal, bundle)
    return BundleApplication.objects.get()


def test_my_bundles_lists_the_application(portal: Client, application: BundleApplication) -> None:
    page = portal.get(reverse("bundles:portal_list")).content.decode()
    assert f'data-application="{application.number}"' in page and "已接件" in page


def test_the_detail_shows_members_materials_form_and_timeline(
    portal: Client, application: BundleApplication
) -> None:
    page = portal.get(reverse("bundles:portal_detail", args=[application.pk])).content.decode()
    rows = members_by_name(application)
    licence_case = rows["个体工商户设立登记"].case
    assert reverse("cases:portal_detail", args=[licence_case.pk]) in page
    assert "等待前置事项“个体工商户设立登记”办结后自动推送办理" in page
    assert "经营者身份证" in page and "待窗口核验" in page and "id_card.pdf" in page
    assert "乌拉特中旗巴特尔小吃店" in page and "用于：" in page  # the one form's values
    assert "一表申请（一次提交）" in page  # the timeline
    assert "撤回申请" in page


def test_someone_else_gets_a_404(org: Any, application: BundleApplication) -> None:
    other = UserFactory(username="other", role=Role.APPLICANT, department=None)
    ApplicantFactory(user=other, name="别人")
    client = Client()
    client.force_login(other)
    for url in (
        reverse("bundles:portal_detail", args=[application.pk]),
        reverse("bundles:portal_withdraw", args=[application.pk]),
        reverse("bundles:portal_notice_pdf", args=[application.pk, 1]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("bundles:portal_supply", args=[application.pk])).status_code == 404
    assert application.number not in client.get(reverse("bundles:portal_list")).content.decode()


def test_one_correction_notice_then_ready_to_supply(
    org: Any, portal: Client, application: BundleApplication
) -> None:
    clerk = org.user("clerk")
    services.bundle_check_materials(
        actor=clerk, application=application, findings={"lease_contract": ("deficient", "租赁合同已过期")}
    )
    services.bundle_request_correction(actor=clerk, application=application)
    url = reverse("bundles:portal_detail", args=[application.pk])
    page = portal.get(url).content.decode()
    assert 'data-testid="correction-notice"' in page and "租赁合同已过期" in page
    notice = application.notices.get(kind="bundle_correction")
    pdf = portal.get(reverse("bundles:portal_notice_pdf", args=[application.pk, notice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    response = portal.post(reverse("bundles:portal_supply", args=[application.pk]), {"note": "已重新签订"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    # A second click: the service's reason on the page, not a 500.
    response = portal.post(reverse("bundles:portal_supply", args=[application.pk]), {"note": "再次提交"})
    assert response.status_code == 409 and "本申请当前无需补正" in response.content.decode()


def test_withdrawing_needs_a_reason_and_stops_every_member(
    portal: Client, application: BundleApplication
) -> None:
    url = reverse("bundles:portal_withdraw", args=[application.pk])
    response = portal.post(url, {"reason": "", "confirm": ""})
    assert "请填写撤回原因" in response.content.decode()
    response = portal.post(url, {"reason": "暂不开店", "confirm": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    rows = members_by_name(application)
    assert rows["食品经营许可（新办）"].state == MemberState.CANCELLED
    assert all(row.case.status == CaseStatus.WITHDRAWN for row in rows.values() if row.case)
    page = portal.get(reverse("bundles:portal_detail", args=[application.pk])).content.decode()
    assert "未启动" in page and 'href="' + url + '"' not in page


def _decide_everything(org: Any, application: BundleApplication) -> None:
    clerk, chief, reviewer = org.user("clerk"), org.user("chief_rep"), org.user("reviewer")
    findings = {key: ("original_checked", "") for key in ("id_card", "lease_contract", "premises_layout")}
    services.bundle_check_materials(actor=clerk, application=application, findings=findings)
    services.bundle_accept(actor=clerk, application=application)
    licence_case = members_by_name(application)["个体工商户设立登记"].case
    licence_case = case_services.case_decide(
        actor=chief,
        case=licence_case,
        decision="approve",
        result={
            "licence": {
                "f1": "乌拉特中旗巴特尔小吃店",
                "f2": "个体工商户",
                "f3": "巴特尔",
                "f5": "2026-11-02",
                "f6": "海流图镇团结路8号",
                "f7": "餐饮服务",
            }
        },
    )
    case_services.case_result_ready(actor=chief, case=licence_case)
    services.bundle_accept(actor=clerk, application=application)  # the 食品经营许可, released
    food = members_by_name(application)["食品经营许可（新办）"].case
    food = case_services.case_start_review(actor=reviewer, case=food)
    food = case_services.case_decide(actor=reviewer, case=food, decision="approve")
    case_services.case_result_ready(actor=reviewer, case=food)


def test_the_combined_result_lists_every_member(org: Any, portal: Client, bundle: Any) -> None:
    submit(
        portal,
        bundle,
        answers={"dining_area": "no", "sign": "no"},
        files=("id_card", "lease_contract", "premises_layout"),
    )
    application = BundleApplication.objects.get()
    _decide_everything(org, application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RESULT_READY
    page = portal.get(reverse("bundles:portal_detail", args=[application.pk])).content.decode()
    result = page.split('data-testid="combined-result"')[1].split("</section>")[0]
    assert "个体工商户设立登记" in result and "营业执照" in result
    assert "食品经营许可（新办）" in result and "食品经营许可证" in result
    assert result.count('class="tag ok">准予<') == 2
    licence = Case.objects.get(item__name="个体工商户设立登记").licences.get()
    assert reverse("licences:library_detail", args=[licence.pk]) in result
    assert "准予行政许可决定书" in result
    assert "一件事办理结果告知书" in page
    assert 'href="' + reverse("bundles:portal_withdraw", args=[application.pk]) + '"' not in page


# ——— public progress lookup ———


def test_the_notice_qr_code_opens_the_lookup_with_the_number(
    client: Client, application: BundleApplication
) -> None:
    path = application_track_url(application).split("://", 1)[-1]
    path = path[path.index("/bundles/") :]
    page = client.get(path).content.decode()
    assert f'value="{application.number}"' in page


def test_track_needs_the_matching_id(
    client: Client, application: BundleApplication, applicant: Applicant
) -> None:
    url = reverse("bundles:track")
    wrong = client.post(url, {"number": application.number, "id_number": ID_NUMBER}).content.decode()
    unknown = client.post(url, {"number": "YJS000", "id_number": applicant.credit_code}).content.decode()
    for page in (wrong, unknown):
        assert (
            "未找到与申请编号和证件号码相符的一件事申请" in page and 'data-testid="track-result"' not in page
        )
    page = client.post(
        url, {"number": application.number.lower(), "id_number": applicant.credit_code}
    ).content.decode()
    assert 'data-testid="track-result"' in page
    assert "已接件" in page and "个体工商户设立登记" in page and "等待前置事项结果" in page
    assert "乌*********" in page
    assert applicant.name not in page and applicant.credit_code not in page  # not even echoed back
    assert "海流图镇团结路8号" not in page  # nothing from the form


def test_track_is_rate_limited(settings: Any, client: Client, application: BundleApplication) -> None:
    settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE = 2
    url = reverse("bundles:track")
    for _ in range(2):
        client.post(url, {"number": application.number, "id_number": "x"})
    response = client.post(url, {"number": application.number, "id_number": "x"})
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()


# ——— lists stay free of N+1 queries ———


def test_the_public_list_does_not_query_per_bundle(org: Any, client: Client, bundle: Any) -> None:
    from yichuang.bundles import definitions
    from yichuang.bundles.tests.helpers import restaurant_spec

    url = reverse("bundles:public_list")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    items = {
        key: ServiceItem.objects.get(name=name)
        for key, name in (
            ("licence", "个体工商户设立登记"),
            ("food", "食品经营许可（新办）"),
            ("health", "公共场所卫生许可（新办）"),
            ("sign", "店铺招牌设置备案"),
        )
    }
    admin = org.user("admin")
    for code in ("restaurant-2", "restaurant-3"):
        spec = {**restaurant_spec(org, items), "code": code, "name": f"我要开小餐馆（{code}）"}
        definitions.bundle_publish(actor=admin, bundle=definitions.bundle_define(actor=admin, spec=spec))
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert page.count("我要开小餐馆") == 3
    assert len(three) == len(one)


def test_my_bundles_does_not_query_per_application(
    org: Any, portal: Client, bundle: Any, applicant: Applicant
) -> None:
    from yichuang.bundles.tests.helpers import apply

    apply(org, bundle, applicant)
    url = reverse("bundles:portal_list")
    with CaptureQueriesContext(connection) as one:
        portal.get(url)
    apply(org, bundle, applicant)
    apply(org, bundle, applicant, answers={"dining_area": "no", "sign": "no"})
    with CaptureQueriesContext(connection) as three:
        page = portal.get(url).content.decode()
    assert page.count("data-application=") == 3
    assert len(three) == len(one)
