"""The 一件事 desk through the Django test client: window intake makes one application; the merged check
gives one 补正 notice for the whole bundle; one acceptance; results delivered together; a department sees
its own items' fields read-only and cannot accept; an applicant finds no staff page; bad input gets a
Chinese message next to what was wrong, with nothing typed lost and nothing written."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from yichuang.bundles import services
from yichuang.bundles.models import ApplicationStatus, BundleApplication, BundleCase, BundleNotice
from yichuang.bundles.tests.helpers import FORM, MONDAY, apply, citizen, restaurant
from yichuang.cases import services as case_services
from yichuang.cases.models import Case, CaseMaterial, CaseNotice, CaseStatus
from yichuang.core.crypto_fields import keyed_hash
from yichuang.licences import services as licence_services

pytestmark = pytest.mark.django_db

LICENCE_RESULT = {
    "licence": {
        "f1": "乌拉特中旗巴特尔小吃店",
        "f2": "个体工商户",
        "f3": "巴特尔",
        "f5": "2026-11-02",
        "f6": "海流图镇团结路8号",
        "f7": "餐饮服务",
    }
}
NO_EXTRAS = {"dining_area": "no", "sign": "no"}  # 营业执照 then 食品经营许可


@pytest.fixture(autouse=True)
def monday() -> Any:
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def bundle(org: Any) -> Any:
    bundle, _items = restaurant(org)
    licence_services.seal_create(actor=org.user("admin"), department=org.scjg)
    return bundle


@pytest.fixture
def applicant(org: Any) -> Any:
    return citizen(org)


def _page(response: Any) -> str:
    return response.content.decode()


def _members(application: Any) -> dict[str, BundleCase]:
    return {
        row.member.item.name: row
        for row in BundleCase.objects.filter(application=application).select_related("member__item", "case")
    }


def _desk(application: Any) -> str:
    return f"/bundles/desk/{application.pk}/"


def _check(client: Client, application: Any, then: str = "save", **states: str) -> Any:
    """Post the merged check: ``material_key=state``; a name with a dash is posted as it is."""
    data: dict[str, str] = {"then": then}
    for key, state in states.items():
        data[key if "-" in key else f"state-{key}"] = state
    return client.post(f"{_desk(application)}check/", data)


def _intake(bundle: Any, applicant: Any, op: str, **extra: Any) -> dict[str, Any]:
    return {"bundle": bundle.pk, "applicant": applicant.pk, "op": op, **extra}


def _form_values(**changes: str) -> dict[str, str]:
    values = {f"f-{key}": value for key, value in FORM.items()}
    values.update({f"f-{key}": value for key, value in changes.items()})
    return values


# ——— window intake ———


def test_window_intake_asks_once_and_makes_one_application(org, client_for, bundle, applicant) -> None:
    clerk = client_for("clerk")
    start = clerk.get(f"/bundles/desk/new/?bundle={bundle.pk}&applicant={applicant.pk}")
    assert start.status_code == 200
    assert "是否设有供顾客就餐的场所？" in _page(start) and 'name="a-dining_area"' in _page(start)
    assert applicant.credit_code[:6] in _page(start)  # a company's credit code is public

    form_step = clerk.post(
        "/bundles/desk/new/",
        _intake(bundle, applicant, "answers", **{"a-dining_area": "yes", "a-sign": "yes"}),
    )
    page = _page(form_step)
    assert form_step.status_code == 200 and 'data-step="form"' in page
    assert page.count('name="f-company_name"') == 1  # asked once for four items
    used_by = re.search(r'data-field-key="company_name".*?用于：([^<]*)<', page, re.S)
    assert used_by is not None and used_by.group(1).count("、") == 3
    assert 'value="乌拉特中旗巴特尔小吃店"' in page  # prefilled from the applicant
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)

    submit = {**_intake(bundle, applicant, "submit", **{"a-dining_area": "yes", "a-sign": "yes"}),
              **_form_values(), "idempotency_key": key, "channel": "window", "use_licences": "on"}  # fmt: skip
    response = clerk.post("/bundles/desk/new/", submit)
    application = BundleApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == _desk(application)
    assert application.channel == "window" and application.use_licences
    assert application.form["company_name"] == FORM["company_name"]
    assert BundleCase.objects.filter(application=application).count() == 4
    assert Case.objects.count() == 3  # 食品经营许可 waits for the 营业执照
    again = clerk.post("/bundles/desk/new/", submit)  # a double click
    assert again.status_code == 302 and BundleApplication.objects.count() == 1
    detail = clerk.get(_desk(application), follow=True)
    assert application.number in _page(detail) and "已收到" not in _page(detail)


def test_intake_errors_are_shown_in_chinese_next_to_the_field_and_nothing_is_written(
    org, client_for, bundle, applicant
) -> None:
    clerk = client_for("clerk")
    answers = {"a-dining_area": "yes", "a-sign": "yes"}
    unanswered = clerk.post("/bundles/desk/new/", _intake(bundle, applicant, "answers", **{"a-sign": "yes"}))
    assert unanswered.status_code == 400
    assert re.search(r'data-field="a-dining_area">请选择<', _page(unanswered))
    assert re.search(r'name="a-sign" value="yes" checked', _page(unanswered))  # the other answer kept

    data = {**_intake(bundle, applicant, "submit", **answers), "channel": "window",
            **_form_values(applicant_phone="12345", company_name="巴特尔小吃", shop_sign_text="")}  # fmt: skip
    response = clerk.post("/bundles/desk/new/", data)
    page = _page(response)
    assert response.status_code == 400 and "申请表填写有误，请按提示修改" in page
    assert re.search(r'data-field="f-applicant_phone">请输入11位手机号码或带区号的固定电话<', page)
    assert re.search(r'data-field="f-shop_sign_text">必填<', page)
    assert 'value="巴特尔小吃"' in page and 'value="12345"' in page  # nothing typed is lost
    assert not BundleApplication.objects.exists() and not Case.objects.exists()

    back = clerk.post("/bundles/desk/new/", {**data, "op": "back"})  # change the answers, keep the form
    assert 'data-step="answers"' in _page(back)
    assert 'name="f-company_name" value="巴特尔小吃"' in _page(back)


def test_only_window_staff_take_applications(org, client_for, bundle, applicant) -> None:
    for role in ("reviewer", "issuer", "inspector"):
        assert client_for(role).get("/bundles/desk/new/").status_code == 403
    data = {
        **_intake(bundle, applicant, "submit", **{"a-dining_area": "no", "a-sign": "no"}),
        **_form_values(),
    }
    assert client_for("reviewer").post("/bundles/desk/new/", data).status_code == 403
    assert not BundleApplication.objects.exists()
    assert client_for("helper").get("/bundles/desk/new/").status_code == 200


# ——— the desk and who sees what ———


def test_desk_tabs_mask_the_applicant_and_find_by_number(org, client_for, bundle) -> None:
    person = citizen(org)
    type(person).objects.filter(pk=person.pk).update(
        kind="natural",
        id_number="150824199001011237",
        id_number_hash=keyed_hash("150824199001011237"),  # update() bypasses save(): the hash too
        credit_code="",
    )
    person.refresh_from_db()
    application = apply(org, bundle, person)
    clerk = client_for("clerk")
    page = _page(clerk.get("/bundles/desk/"))
    assert application.number in page and "1508**********1237" in page and "150824199001011237" not in page
    assert "待受理（1）" in page and "办理中（0）" in page
    assert application.number not in _page(clerk.get("/bundles/desk/?tab=closed"))
    found = _page(clerk.get(f"/bundles/desk/?q={application.number[:11]}"))
    assert application.number in found
    assert application.number not in _page(clerk.get("/bundles/desk/?q=YJS19990101"))
    for role in ("issuer", "helper", "admin", "reviewer", "chief_rep"):
        assert client_for(role).get("/bundles/desk/").status_code == 200
    assert client_for("operator").get("/bundles/desk/").status_code == 403
    assert client_for("reviewer_bdc").get("/bundles/desk/").status_code == 200
    assert application.number not in _page(client_for("reviewer_bdc").get("/bundles/desk/"))


def test_applicant_gets_404_on_staff_pages(org, client_for, bundle, applicant) -> None:
    application = apply(org, bundle, applicant)  # his own application
    notice_url = f"{_desk(application)}notices/1/pdf/"
    own = client_for("applicant")
    for url in ("/bundles/desk/", "/bundles/desk/new/", _desk(application), notice_url, "/bundles/manage/",
                "/bundles/figures/"):  # fmt: skip
        assert own.get(url).status_code == 404, url
    assert own.post(f"{_desk(application)}check/", {"then": "accept"}).status_code == 404
    assert BundleApplication.objects.get().status == ApplicationStatus.SUBMITTED
    assert Client().get(_desk(application)).status_code == 302  # to the login page


def test_department_reviewer_sees_only_its_fields_and_cannot_accept(
    org, client_for, bundle, applicant
) -> None:
    application = apply(org, bundle, applicant)
    wjw = client_for("reviewer_wjw")  # 卫健委: only 公共场所卫生许可
    response = wjw.get(_desk(application))
    page = _page(response)
    assert response.status_code == 200
    one_form = page[page.index('data-testid="one-form"') : page.index('id="notices-title"')]
    assert "企业（个体工商户）名称" in one_form and FORM["company_name"] in one_form
    assert (
        "经营范围" not in one_form and "店铺招牌内容" not in one_form and "申请人公民身份号码" not in one_form
    )
    assert 'data-action="accept"' not in page and 'name="state-id_card"' not in page
    refused = _check(wjw, application, "accept", id_card="original_checked")
    assert refused.status_code == 403 and "只有综合窗口受理人员" in _page(refused)
    assert BundleApplication.objects.get().status == ApplicationStatus.SUBMITTED
    assert not CaseMaterial.objects.filter(state="original_checked").exists()
    members = {row.member.item.name: row.case for row in _members(application).values() if row.case}
    assert f"/cases/{members['公共场所卫生许可（新办）'].pk}/" in page  # its own case is a link
    assert f"/cases/{members['店铺招牌设置备案'].pk}/" not in page  # another department's is not
    assert client_for("reviewer_bdc").get(_desk(application)).status_code == 404  # no case of theirs


# ——— check, one 补正, accept ———


def test_check_gives_one_correction_notice_for_the_whole_bundle_then_accept(
    org, client_for, bundle, applicant
) -> None:
    application = apply(org, bundle, applicant)
    clerk = client_for("clerk")
    page = _page(clerk.get(_desk(application)))
    assert page.count('name="state-id_card"') == 1  # one ID card for four items
    assert "等待前置事项“个体工商户设立登记”的结果" in page
    assert 'name="state-application_form"' not in page  # the one form stands for the items' forms

    response = _check(
        clerk, application, "correction", id_card="original_checked", **{"correction-note": "请带齐原件"}
    )
    notice = BundleNotice.objects.get(application=application)
    assert response.status_code == 302 and response["Location"] == f"{_desk(application)}?issued={notice.pk}"
    assert notice.kind == "bundle_correction" and not CaseNotice.objects.filter(kind="correction").exists()
    listed = notice.document["listed"]
    assert any("经营场所使用证明" in line for line in listed) and any("请带齐原件" in line for line in listed)
    assert not any(line.startswith("经营者身份证") for line in listed)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION
    page = _page(clerk.get(response["Location"]))
    assert f"notices/{notice.pk}/pdf/" in page and 'data-action="supply"' in page
    pdf = clerk.get(f"{_desk(application)}notices/{notice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"

    assert clerk.post(f"{_desk(application)}supply/", {"supply-note": "已带来"}).status_code == 302
    received = {k: "received" for k in ("lease_contract", "premises_layout", "design_plan")}
    response = _check(clerk, application, "accept", **received, **{"id_card": "original_checked"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS and application.promised_due_date is not None
    accepted = [row.case for row in _members(application).values() if row.case]
    assert {case.status for case in accepted} <= {CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW}
    page = _page(clerk.get(_desk(application)))
    assert application.promised_due_date.isoformat() in page and 'data-action="accept"' not in page


def test_bad_check_input_is_explained_and_nothing_is_written(org, client_for, bundle, applicant) -> None:
    application = apply(org, bundle, applicant)
    clerk = client_for("clerk")
    response = _check(clerk, application, "save", id_card="original_checked", lease_contract="deficient")
    page = _page(response)
    assert response.status_code == 400 and "材料核验结果有误" in page
    assert re.search(r'data-field="state-lease_contract">不符合要求的，请写明问题<', page)
    assert re.search(r'<option value="original_checked" selected>', page)  # what was chosen stays
    assert not CaseMaterial.objects.filter(state="original_checked").exists()

    forged = _check(clerk, application, "save", id_card="exempt")
    assert forged.status_code == 400 and "材料状态无效" in _page(forged)

    # the check saved with a refused acceptance is not kept either: one step, all or nothing
    refused = _check(clerk, application, "accept", id_card="original_checked")
    assert refused.status_code == 400 and "以下成员事项不能受理" in _page(refused)
    assert not CaseMaterial.objects.filter(state="original_checked").exists()
    assert BundleApplication.objects.get().status == ApplicationStatus.SUBMITTED
    assert 'name="state-id_card"' in _page(refused) and re.search(
        r'<option value="original_checked" selected>', _page(refused)
    )


def test_htmx_refusal_comes_back_as_a_fragment(org, client_for, bundle, applicant) -> None:
    application = apply(org, bundle, applicant)
    response = client_for("clerk").post(
        f"{_desk(application)}deliver/", {"deliver-method": "pickup"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["X-Error-Status"] == "409"
    assert "须全部事项出结果后统一出件" in _page(response)


# ——— results together ———


def _to_result_ready(org: Any, client: Client, application: Any) -> None:
    received = {k: "received" for k in ("lease_contract", "premises_layout")}
    assert _check(client, application, "accept", id_card="original_checked", **received).status_code == 302
    licence_case = _members(application)["个体工商户设立登记"].case
    case_services.case_decide(
        actor=org.user("chief_rep"), case=licence_case, decision="approve", result=LICENCE_RESULT
    )
    food = _members(application)["食品经营许可（新办）"].case
    assert food.status == CaseStatus.SUBMITTED  # released to the window once the 营业执照 is issued
    assert "有事项待窗口受理" in _page(client.get("/bundles/desk/?tab=pending"))
    page = _page(client.get(_desk(application)))  # the 营业执照 comes from the licence library: read-only
    assert 'data-testid="licence-ref"' in page and 'name="state-business_licence"' not in page
    assert _check(client, application, "accept", premises_layout="received").status_code == 302
    reviewer = org.user("reviewer")
    food = Case.objects.get(pk=food.pk)
    case_services.case_start_review(actor=reviewer, case=food)
    case_services.case_decide(actor=reviewer, case=food, decision="approve")
    for row in _members(application).values():
        if row.case.status == CaseStatus.APPROVED:
            case_services.case_result_ready(actor=reviewer, case=row.case)


def test_results_are_delivered_together(org, client_for, bundle, applicant) -> None:
    application = apply(org, bundle, applicant, answers=NO_EXTRAS, use_licences=True)
    _to_result_ready(org, client_for("clerk"), application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RESULT_READY
    issuer = client_for("issuer")
    page = _page(issuer.get(_desk(application)))
    assert 'data-action="deliver"' in page and 'data-action="accept"' not in page
    assert "待统一出件（1）" in _page(issuer.get("/bundles/desk/"))

    missing = issuer.post(f"{_desk(application)}deliver/", {"deliver-method": "pickup"})
    assert missing.status_code == 400 and "领取人" in _page(missing)
    assert BundleApplication.objects.get().status == ApplicationStatus.RESULT_READY
    assert not Case.objects.filter(status=CaseStatus.CLOSED).exists()

    done = issuer.post(
        f"{_desk(application)}deliver/", {"deliver-method": "pickup", "deliver-recipient": "巴特尔"}
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED and application.outcome == "all"
    assert {row.case.status for row in _members(application).values()} == {CaseStatus.CLOSED}
    page = _page(issuer.get(_desk(application)))
    assert "统一出件" in page and "全部办成" in page and 'data-action="deliver"' not in page
    assert BundleNotice.objects.filter(application=application, kind="bundle_result").count() == 1


def test_reviewer_cannot_deliver(org, client_for, bundle, applicant) -> None:
    application = apply(org, bundle, applicant, answers=NO_EXTRAS, use_licences=True)
    _to_result_ready(org, client_for("clerk"), application)
    refused = client_for("reviewer").post(
        f"{_desk(application)}deliver/", {"deliver-method": "pickup", "deliver-recipient": "巴特尔"}
    )
    assert refused.status_code == 403
    assert BundleApplication.objects.get().status == ApplicationStatus.RESULT_READY
    assert services.bundle_deliver  # the service the screen calls


def test_the_desk_makes_no_query_per_application(org, client_for, bundle, applicant) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk = client_for("clerk")
    apply(org, bundle, applicant)
    with CaptureQueriesContext(connection) as one:
        assert clerk.get("/bundles/desk/").status_code == 200
    for _n in range(3):
        apply(org, bundle, applicant)
    with CaptureQueriesContext(connection) as four:
        page = _page(clerk.get("/bundles/desk/"))
    assert page.count("data-application=") == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_window_finds_or_registers_the_applicant(org, client_for, bundle, applicant) -> None:
    clerk = client_for("clerk")
    found = _page(clerk.get(f"/bundles/desk/applicants/?aq={applicant.credit_code}&bundle={bundle.pk}"))
    assert f"?applicant={applicant.pk}&amp;bundle={bundle.pk}" in found
    bad = clerk.post(
        "/bundles/desk/applicants/new/",
        {"kind": "natural", "name": "其其格", "id_number": "150824199001011230", "bundle": bundle.pk},
    )
    assert bad.status_code == 400 and 'value="其其格"' in _page(bad)
    assert "身份证号码校验位不正确，请核对后重新输入" in _page(bad)
    registered = clerk.post(
        "/bundles/desk/applicants/new/",
        {"kind": "natural", "name": "其其格", "id_number": "150824199001011237", "bundle": bundle.pk},
    )
    new = type(applicant).objects.get(name="其其格")
    assert registered.status_code == 302
    assert registered["Location"] == f"/bundles/desk/new/?bundle={bundle.pk}&applicant={new.pk}"
    page = _page(clerk.get(registered["Location"]))
    assert "1508**********1237" in page and "150824199001011237" not in page
