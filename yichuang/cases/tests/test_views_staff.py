"""Staff desks through the Django test client: the window workbench, the reviewer inbox, the issuer desk
and the case page they share — permissions per role and department, every action's happy path, and the
Chinese messages bad input gets (as an htmx fragment or on the re-rendered page, never a 500)."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from yichuang.accounts.models import Applicant
from yichuang.accounts.tests.factories import ApplicantFactory, valid_id_number
from yichuang.cases import services
from yichuang.cases.models import (
    Case,
    CaseExtension,
    CaseMaterialState,
    CaseNotice,
    CaseStatus,
    CommitmentVerification,
    CreditMark,
)
from yichuang.catalog.tests.helpers import publish_item

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


@pytest.fixture
def applicant(org):
    return ApplicantFactory(name="王建国", phone="13912345678")


def _page(response) -> str:
    return response.content.decode()


def _receive(org, item, applicant, actor="clerk"):
    return services.case_submit(actor=org.user(actor), item=item, applicant=applicant, channel="window")


def _check_all(client: Client, case: Case, then: str = "save", **extra):
    data = {f"state-{row.pk}": CaseMaterialState.ORIGINAL_CHECKED for row in case.materials.all()}
    return client.post(f"/cases/{case.pk}/check/", {**data, "then": then, **extra})


def _accepted(org, item, applicant, acceptor="clerk"):
    case = _receive(org, item, applicant, actor=acceptor)
    services.case_check_materials(
        actor=org.user(acceptor),
        case=case,
        findings={row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "") for row in case.materials.all()},
    )
    return services.case_accept(actor=org.user(acceptor), case=case)


def _approved(org, item, applicant):
    case = _accepted(org, item, applicant)
    services.case_start_review(actor=org.user("reviewer"), case=case)
    return services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# ——— who may open what ———


@pytest.mark.parametrize("url", ["/cases/window/", "/cases/review/", "/cases/issue/"])
def test_anonymous_users_are_sent_to_the_login_page(url) -> None:
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_user_cannot_open_a_case_or_post_an_action(org, item, applicant) -> None:
    case = _receive(org, item, applicant)
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/refuse/"):
        response = Client().post(url) if url.endswith("refuse/") else Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("reviewer", "/cases/window/"),
        ("issuer", "/cases/window/"),
        ("operator", "/cases/window/"),
        ("clerk", "/cases/review/"),
        ("issuer", "/cases/review/"),
        ("helper", "/cases/review/"),
        ("reviewer", "/cases/issue/"),
        ("helper", "/cases/issue/"),
        ("applicant", "/cases/window/"),
    ],
)
def test_wrong_role_gets_403_in_chinese(client_for, role, url) -> None:
    response = client_for(role).get(url)
    assert response.status_code == 403
    assert "只有" in _page(response) or "申请人" in _page(response)


@pytest.mark.parametrize(
    ("role", "url"),
    [("clerk", "/cases/window/"), ("chief_rep", "/cases/window/"), ("helper", "/cases/window/"),
     ("reviewer", "/cases/review/"), ("chief_rep", "/cases/review/"), ("admin", "/cases/review/"),
     ("issuer", "/cases/issue/"), ("clerk", "/cases/issue/"), ("admin", "/cases/issue/")],
)  # fmt: skip
def test_each_desk_opens_for_its_roles(client_for, role, url) -> None:
    assert client_for(role).get(url).status_code == 200


def test_menu_lists_the_desks_of_each_role(client_for) -> None:
    def menu(role):
        page = _page(client_for(role).get("/home/"))
        nav = re.search(r'<nav aria-label="主菜单">(.*?)</nav>', page, re.S)
        return nav.group(1) if nav else ""

    assert "窗口受理" in menu("clerk") and "出证窗口" in menu("clerk") and "审批办件" not in menu("clerk")
    assert "审批办件" in menu("reviewer") and "窗口受理" not in menu("reviewer")
    assert "窗口受理" in menu("chief_rep") and "审批办件" in menu("chief_rep")
    assert "出证窗口" in menu("issuer") and "窗口受理" not in menu("issuer")
    assert "窗口受理" not in menu("operator") and "审批办件" not in menu("operator")


def test_other_departments_reviewer_gets_404_for_page_actions_and_pdfs(
    org, client_for, item, applicant
) -> None:
    case = _accepted(org, item, applicant)
    notice = case.notices.get(kind="acceptance")
    other = client_for("reviewer_wjw")
    assert other.get(f"/cases/{case.pk}/").status_code == 404
    assert other.get(f"/cases/{case.pk}/notices/{notice.pk}/pdf/").status_code == 404
    assert other.post(f"/cases/{case.pk}/review/start/").status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
    assert case.number not in _page(other.get("/cases/review/"))
    # the parent department's reviewer (自然资源局 over 不动产中心) does not see 市场监管局 either
    assert client_for("reviewer_zrzy").get(f"/cases/{case.pk}/").status_code == 404


def test_applicant_cannot_use_the_staff_case_page(org, client_for, item) -> None:
    own = ApplicantFactory(user=org.user("applicant"))
    case = _receive(org, item, own)
    response = client_for("applicant").get(f"/cases/{case.pk}/")
    assert response.status_code == 403 and "我的办件" in _page(response)


def test_reviewer_cannot_take_window_actions(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    response = client_for("reviewer").post(f"/cases/{case.pk}/refuse/", {"refuse-reason": "不符合"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


# ——— 窗口受理 ———


def test_applicant_search_is_live_and_masked(org, client_for, applicant) -> None:
    clerk = client_for("clerk")
    response = clerk.get("/cases/window/applicants/", {"aq": "王建国"}, **HTMX)
    page = _page(response)
    assert response.status_code == 200 and "<html" not in page
    assert "王建国" in page and applicant.id_number not in page
    assert applicant.id_number[:4] + "**********" + applicant.id_number[-4:] in page
    assert "139****5678" in page and "13912345678" not in page
    assert f"?applicant={applicant.pk}" in page
    by_number = _page(clerk.get("/cases/window/applicants/", {"aq": applicant.id_number}, **HTMX))
    assert "王建国" in by_number
    assert "没有找到" in _page(clerk.get("/cases/window/applicants/", {"aq": "查无此人"}, **HTMX))


def test_item_search_is_live_over_the_catalog_index(client_for, item) -> None:
    clerk = client_for("clerk")
    page = _page(clerk.get("/cases/window/items/", {"q": "开饭店", "applicant": ""}, **HTMX))
    assert "食品经营许可（新办）" in page and f"?item={item.pk}" in page and "<html" not in page
    too_long = _page(clerk.get("/cases/window/items/", {"q": "饭" * 101}, **HTMX))
    assert "检索词不能超过100个字" in too_long
    full = _page(clerk.get("/cases/window/", {"q": "食品经营"}))
    assert "食品经营许可（新办）" in full and 'hx-get="/cases/window/items/"' in full


def test_register_an_applicant_on_the_spot_then_select_him(org, client_for, item) -> None:
    clerk = client_for("clerk")
    number = valid_id_number()
    data = {"kind": "natural", "name": "苏和", "id_number": number, "phone": "13700001111", "item": item.pk}
    response = clerk.post("/cases/window/applicants/new/", data, **HTMX)
    registered = Applicant.objects.by_id_number(number).get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/cases/window/?applicant={registered.pk}&item={item.pk}"
    page = _page(clerk.get(response["HX-Redirect"]))
    assert "苏和" in page and number not in page and "接件并核验材料" in page
    assert re.search(r'name="idempotency_key" value="[0-9a-f]{32}"', page)


def test_register_shows_the_forms_chinese_messages_and_keeps_the_input(client_for) -> None:
    clerk = client_for("clerk")
    bad = {"kind": "natural", "name": "苏和", "id_number": "150824199003071234"}
    fragment = _page(clerk.post("/cases/window/applicants/new/", bad, **HTMX))
    assert "身份证号码校验位不正确" in fragment and 'value="苏和"' in fragment and "<html" not in fragment
    page = clerk.post("/cases/window/applicants/new/", bad)
    assert page.status_code == 400 and "身份证号码校验位不正确" in _page(page) and "窗口受理" in _page(page)
    assert not Applicant.objects.filter(name="苏和").exists()


def test_registering_a_known_applicant_offers_the_existing_record(client_for, applicant) -> None:
    data = {"kind": "natural", "name": "王建国", "id_number": applicant.id_number}
    fragment = _page(client_for("clerk").post("/cases/window/applicants/new/", data, **HTMX))
    assert "该申请人已登记，请直接选用已有记录" in fragment
    assert f"?applicant={applicant.pk}" in fragment and "选用已登记的申请人" in fragment


def test_chief_rep_finds_applicants_but_cannot_register(client_for, applicant) -> None:
    chief = client_for("chief_rep")
    assert "登记新申请人" not in _page(chief.get("/cases/window/"))
    data = {"kind": "natural", "name": "某人", "id_number": valid_id_number()}
    assert chief.post("/cases/window/applicants/new/", data).status_code == 403


def test_intake_makes_one_case_even_on_a_double_click(org, client_for, item, applicant) -> None:
    clerk = client_for("clerk")
    data = {"applicant": applicant.pk, "item": item.pk, "idempotency_key": "a" * 32, "channel": "window"}
    first = clerk.post("/cases/window/intake/", data, **HTMX)
    second = clerk.post("/cases/window/intake/", data, **HTMX)
    case = Case.objects.get()
    assert first["HX-Redirect"] == second["HX-Redirect"] == f"/cases/{case.pk}/"
    assert (case.applicant, case.item, case.channel, case.submitted_by) == (
        applicant,
        item,
        "window",
        org.user("clerk"),
    )
    page = _page(clerk.get(f"/cases/{case.pk}/"))
    assert case.number in page and "已接件" in page
    assert "申请人签字或盖章" in page and "经营项目与经营场所一致" in page  # review points per material
    assert (
        page.count('type="radio" name="state-') == 2 * 4
    )  # 免提交 only once an e-licence was fetched (免证办)


def test_intake_without_a_selection_explains_what_is_missing(client_for, item, applicant) -> None:
    clerk = client_for("clerk")
    fragment = clerk.post("/cases/window/intake/", {"item": item.pk, "idempotency_key": "k1"}, **HTMX)
    assert fragment.status_code == 200 and "请先查找或登记申请人" in _page(fragment)
    page = clerk.post("/cases/window/intake/", {"applicant": applicant.pk, "idempotency_key": "k2"})
    assert page.status_code == 400 and "请先选择要办理的事项" in _page(page)
    assert not Case.objects.exists()


def test_helper_files_a_proxy_case(client_for, item, applicant) -> None:
    helper = client_for("helper")
    page = _page(helper.get("/cases/window/", {"applicant": applicant.pk, "item": item.pk}))
    assert re.search(r'<option value="proxy" selected', page)
    data = {"applicant": applicant.pk, "item": item.pk, "idempotency_key": "h1", "channel": "proxy"}
    helper.post("/cases/window/intake/", data)
    case = Case.objects.get()
    assert case.channel == "proxy"
    assert 'name="then" value="accept"' not in _page(
        helper.get(f"/cases/{case.pk}/")
    )  # helpers do not accept


def test_window_queue_lists_waiting_cases_masked(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    page = _page(client_for("clerk").get("/cases/window/"))
    queue = page.split('data-testid="window-queue"')[1]
    assert case.number in queue and "王建国" in queue
    assert applicant.id_number not in page and "13912345678" not in page


def test_check_then_accept_in_one_click_issues_the_acceptance_notice(
    org, client_for, item, applicant
) -> None:
    case = _receive(org, item, applicant)
    clerk = client_for("clerk")
    response = _check_all(clerk, case, then="accept")
    case.refresh_from_db()
    notice = CaseNotice.objects.get(case=case, kind="acceptance")
    assert case.status == CaseStatus.ACCEPTED and case.accepted_by == org.user("clerk")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/?issued={notice.pk}"
    page = _page(clerk.get(response["Location"]))
    assert "已受理" in page and "受理通知书" in page and notice.document_number in page
    assert f"/cases/{case.pk}/notices/{notice.pk}/pdf/" in page and "打印/下载 PDF" in page
    pdf = clerk.get(f"/cases/{case.pk}/notices/{notice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "受理通知书" in text and case.number in text and "王建国" in text


def test_checklist_messages_keep_what_was_entered(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    first, second = case.materials.order_by("material__position")
    clerk = client_for("clerk")
    data = {f"state-{first.pk}": "deficient", f"note-{first.pk}": "", f"state-{second.pk}": "received"}
    fragment = clerk.post(f"/cases/{case.pk}/check/", {**data, "then": "save"}, **HTMX)
    assert fragment.status_code == 200 and "请说明“食品经营许可申请书”哪里不符合要求" in _page(fragment)
    page = clerk.post(f"/cases/{case.pk}/check/", {**data, "then": "save"})
    assert page.status_code == 400
    html = _page(page)
    assert "请说明“食品经营许可申请书”哪里不符合要求" in html
    assert f'name="state-{first.pk}" value="deficient" checked' in html
    assert f'name="state-{second.pk}" value="received" checked' in html
    first.refresh_from_db()
    assert first.state == CaseMaterialState.MISSING  # nothing half-saved
    bogus = clerk.post(f"/cases/{case.pk}/check/", {f"state-{first.pk}": "approved!", "then": "save"}, **HTMX)
    assert "材料状态无效" in _page(bogus)


def test_accept_with_missing_materials_says_which(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    response = client_for("clerk").post(f"/cases/{case.pk}/check/", {"then": "accept"}, **HTMX)
    assert "以下材料尚未齐全，不能受理：食品经营许可申请书、营业执照" in _page(response)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_deficiency_acceptance_needs_the_commitment_checkbox(org, client_for, applicant) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100002",
        materials=[
            {"key": "a", "name": "申请书", "review_points": ["签字"]},
            {"key": "b", "name": "场所平面图", "necessity": "3", "review_points": ["标明功能区"]},
        ],
    )
    case = _receive(org, item, applicant)
    main = case.materials.get(material__key="a")
    clerk = client_for("clerk")
    page = _page(clerk.get(f"/cases/{case.pk}/"))
    assert "容缺受理承诺书" in page
    data = {f"state-{main.pk}": "received", "then": "accept"}
    refused = clerk.post(f"/cases/{case.pk}/check/", data, **HTMX)
    assert "如申请人书面承诺限期补交，可以容缺受理" in _page(refused)
    response = clerk.post(f"/cases/{case.pk}/check/", {**data, "deficiency_commitment": "on"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    kinds = set(case.notices.values_list("kind", flat=True))
    assert kinds == {"acceptance", "deficiency"}
    assert "容缺受理通知书" in _page(clerk.get(response["Location"]))


def test_one_time_correction_notice_then_the_applicant_supplies(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    first, second = case.materials.order_by("material__position")
    clerk = client_for("clerk")
    data = {
        f"state-{first.pk}": "deficient",
        f"note-{first.pk}": "缺少申请人签字",
        f"state-{second.pk}": "missing",
        "correction-note": "请携带营业执照副本",
        "then": "correction",
    }
    response = clerk.post(f"/cases/{case.pk}/check/", data)
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    notice = case.notices.get(kind="correction")
    page = _page(clerk.get(response["Location"]))
    assert "补正材料通知书" in page and "登记补正，重新核验" in page
    text = _pdf_text(clerk.get(f"/cases/{case.pk}/notices/{notice.pk}/pdf/").content)
    assert "缺少申请人签字" in text and "营业执照" in text
    clerk.post(f"/cases/{case.pk}/supply/")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_refusal_needs_a_reason_then_names_the_competent_office(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    clerk = client_for("clerk")
    fragment = clerk.post(f"/cases/{case.pk}/refuse/", {"refuse-reason": " "}, **HTMX)
    assert fragment.status_code == 200 and "请填写不予受理的理由" in _page(fragment)
    page = clerk.post(f"/cases/{case.pk}/refuse/", {"refuse-reason": "", "refuse-competent_office": "市局"})
    assert page.status_code == 400 and "请填写不予受理的理由" in _page(page) and 'value="市局"' in _page(page)
    response = clerk.post(
        f"/cases/{case.pk}/refuse/",
        {"refuse-reason": "不属于本机关职权范围", "refuse-competent_office": "巴彦淖尔市市场监督管理局"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED and case.competent_office == "巴彦淖尔市市场监督管理局"
    assert "不予受理通知书" in _page(clerk.get(response["Location"]))
    again = clerk.post(f"/cases/{case.pk}/refuse/", {"refuse-reason": "再次"}, **HTMX)
    assert "不能不予受理" in _page(again)


def test_window_withdraws_on_the_applicants_request(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    client_for("clerk").post(f"/cases/{case.pk}/withdraw/", {"withdraw-reason": "申请人书面申请撤回"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN


def test_chief_rep_decides_an_immediate_case_on_the_spot(org, client_for, applicant) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100003",
        case_kind="1",
        promised_days=0,
        name="即办事项",
    )
    chief = client_for("chief_rep")
    chief.post(
        "/cases/window/intake/",
        {"applicant": applicant.pk, "item": item.pk, "idempotency_key": "imm-1", "channel": "window"},
    )
    case = Case.objects.get()
    _check_all(chief, case, then="accept")
    page = _page(chief.get(f"/cases/{case.pk}/"))
    assert "即办件：当场作出决定" in page
    chief.post(f"/cases/{case.pk}/review/decide/", {"decide-decision": "approve"})
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED and case.decided_by == org.user("chief_rep")


# ——— 审批办件 ———


def test_inbox_shows_own_department_soonest_due_first_with_colours(org, client_for, item, applicant) -> None:
    later = _accepted(org, item, applicant)
    sooner = _accepted(org, item, ApplicantFactory(name="李娜"))
    Case.objects.filter(pk=sooner.pk).update(due_date=later.due_date.replace(day=1), deadline_state="overdue")
    other_item = publish_item(actor=org.user("admin"), department=org.wjw, basic_code="11A000100009")
    elsewhere = _accepted(org, other_item, applicant)
    page = _page(client_for("reviewer").get("/cases/review/"))
    assert page.index(sooner.number) < page.index(later.number)
    assert elsewhere.number not in page
    assert f'class="deadline-overdue" data-case="{sooner.pk}"' in page
    assert 'data-deadline="overdue"' in page and "剩余" in page
    assert applicant.id_number not in page
    assert elsewhere.number in _page(client_for("reviewer_wjw").get("/cases/review/"))


def test_review_start_decide_and_result_ready(org, client_for, item, applicant) -> None:
    case = _accepted(org, item, applicant)
    reviewer = client_for("reviewer")
    assert "开始审查" in _page(reviewer.get(f"/cases/{case.pk}/"))
    reviewer.post(f"/cases/{case.pk}/review/start/")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW and case.reviewer == org.user("reviewer")
    no_reason = reviewer.post(f"/cases/{case.pk}/review/decide/", {"decide-decision": "deny"}, **HTMX)
    assert "请填写不予许可的理由" in _page(no_reason)
    no_choice = reviewer.post(f"/cases/{case.pk}/review/decide/", {}, **HTMX)
    assert "决定应为准予或不予" in _page(no_choice)
    response = reviewer.post(f"/cases/{case.pk}/review/decide/", {"decide-decision": "approve"})
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    notice = case.notices.get(kind="decision_approve")
    assert response["Location"] == f"/cases/{case.pk}/?issued={notice.pk}"
    reviewer.post(f"/cases/{case.pk}/review/result-ready/")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESULT_READY


def test_separation_of_duties_is_explained(org, client_for, item, applicant) -> None:
    case = _accepted(org, item, applicant, acceptor="chief_rep")
    chief = client_for("chief_rep")
    fragment = chief.post(f"/cases/{case.pk}/review/start/", **HTMX)
    assert "受审分离" in _page(fragment)
    reviewer = org.user("reviewer")
    chief.post(f"/cases/{case.pk}/review/start/", {"assign-reviewer": reviewer.pk})
    assert Case.objects.get(pk=case.pk).reviewer == reviewer


def test_denial_with_reasons(org, client_for, item, applicant) -> None:
    case = _accepted(org, item, applicant)
    reviewer = client_for("reviewer")
    reviewer.post(f"/cases/{case.pk}/review/start/")
    reviewer.post(
        f"/cases/{case.pk}/review/decide/",
        {"decide-decision": "deny", "decide-reason": "经营场所与食品安全要求不符"},
    )
    case.refresh_from_db()
    assert (case.status, case.decision_reason) == (CaseStatus.DENIED, "经营场所与食品安全要求不符")
    assert case.notices.filter(kind="decision_deny").exists()


def test_special_procedure_pauses_and_resumes(org, client_for, item, applicant) -> None:
    case = _accepted(org, item, applicant)
    reviewer = client_for("reviewer")
    reviewer.post(f"/cases/{case.pk}/review/start/")
    bad = reviewer.post(f"/cases/{case.pk}/review/procedure/start/", {"procedure-kind": ""}, **HTMX)
    assert "请选择特别程序的种类" in _page(bad)
    reviewer.post(
        f"/cases/{case.pk}/review/procedure/start/",
        {"procedure-kind": "inspection", "procedure-days": "5", "procedure-reason": "核查经营场所"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SPECIAL_PROCEDURE and case.deadline_state == "paused"
    assert case.notices.filter(kind="special_procedure").exists()
    reviewer.post(f"/cases/{case.pk}/review/procedure/finish/", {"finish-result": "场所符合要求"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW


def test_extension_requested_by_reviewer_approved_by_chief_rep(org, client_for, item, applicant) -> None:
    case = _accepted(org, item, applicant)
    reviewer = client_for("reviewer")
    reviewer.post(f"/cases/{case.pk}/review/start/")
    too_many = reviewer.post(
        f"/cases/{case.pk}/review/extension/", {"extension-days": "30", "extension-reason": "复杂"}, **HTMX
    )
    assert "延期天数应为1至10个工作日" in _page(too_many) or "不能超过" in _page(too_many)
    no_days = reviewer.post(f"/cases/{case.pk}/review/extension/", {"extension-reason": "复杂"}, **HTMX)
    assert "请填写延长的工作日数" in _page(no_days)
    reviewer.post(
        f"/cases/{case.pk}/review/extension/", {"extension-days": "5", "extension-reason": "需补充核查"}
    )
    extension = CaseExtension.objects.get(case=case)
    assert "审批延期申请" not in _page(reviewer.get(f"/cases/{case.pk}/"))  # the reviewer does not approve
    chief = client_for("chief_rep")
    assert case.number in _page(chief.get("/cases/review/")).split('data-testid="extensions"')[1]
    due_before = Case.objects.get(pk=case.pk).due_date
    chief.post(
        f"/cases/{case.pk}/review/extension/{extension.pk}/decide/",
        {"extdecide-approve": "1", "extdecide-note": "同意"},
    )
    case.refresh_from_db()
    assert case.extension_days == 5 and case.due_date > due_before


def test_terminate_and_revoke_need_reasons(org, client_for, item, applicant) -> None:
    reviewer = client_for("reviewer")
    running = _accepted(org, item, applicant)
    assert "请填写终止理由" in _page(reviewer.post(f"/cases/{running.pk}/review/terminate/", {}, **HTMX))
    reviewer.post(f"/cases/{running.pk}/review/terminate/", {"terminate-reason": "申请人死亡"})
    assert Case.objects.get(pk=running.pk).status == CaseStatus.TERMINATED
    approved = _approved(org, item, applicant)
    assert "请填写撤销理由" in _page(reviewer.post(f"/cases/{approved.pk}/review/revoke/", {}, **HTMX))
    reviewer.post(f"/cases/{approved.pk}/review/revoke/", {"revoke-reason": "以欺骗手段取得许可"})
    assert Case.objects.get(pk=approved.pk).status == CaseStatus.REVOKED


def test_commitment_verification_false_revokes_and_marks(org, client_for, applicant) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100004",
        commitment_allowed=True,
    )
    clerk = client_for("clerk")
    page = _page(clerk.get("/cases/window/", {"applicant": applicant.pk, "item": item.pk}))
    assert "告知承诺办理" in page
    clerk.post(
        "/cases/window/intake/",
        {"applicant": applicant.pk, "item": item.pk, "idempotency_key": "c-1", "channel": "window",
         "by_commitment": "on"},
    )  # fmt: skip
    case = Case.objects.get()
    assert case.by_commitment
    _check_all(clerk, case, then="accept")
    reviewer = client_for("reviewer")
    reviewer.post(f"/cases/{case.pk}/review/start/")
    reviewer.post(f"/cases/{case.pk}/review/decide/", {"decide-decision": "approve"})
    verification = CommitmentVerification.objects.get(case=case)
    inbox = _page(reviewer.get("/cases/review/")).split('data-testid="verifications"')[1]
    assert case.number in inbox
    no_choice = reviewer.post(f"/cases/{case.pk}/review/verify/", {"verify-findings": "x"}, **HTMX)
    assert "请选择核查结论" in _page(no_choice)
    no_findings = reviewer.post(f"/cases/{case.pk}/review/verify/", {"verify-truthful": "0"}, **HTMX)
    assert "请填写核查情况" in _page(no_findings)
    reviewer.post(
        f"/cases/{case.pk}/review/verify/", {"verify-truthful": "0", "verify-findings": "现场无经营场所"}
    )
    verification.refresh_from_db()
    assert verification.status == "false"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REVOKED
    assert CreditMark.objects.filter(applicant=applicant, cleared_at__isnull=True).exists()


# ——— 出证窗口 ———


def test_issuer_desk_lists_decided_cases_masked(org, client_for, item, applicant) -> None:
    case = _approved(org, item, applicant)
    page = _page(client_for("issuer").get("/cases/issue/"))
    queue = page.split('data-testid="issuance-queue"')[1]
    assert case.number in queue and "139****5678" in queue and "综合出证窗口领取" in queue
    assert applicant.id_number not in page and "13912345678" not in page


def test_issuer_delivers_by_pickup_and_prints_the_receipt(org, client_for, item, applicant) -> None:
    case = _approved(org, item, applicant)
    services.case_result_ready(actor=org.user("reviewer"), case=case)
    issuer = client_for("issuer")
    assert "确认送达" in _page(issuer.get(f"/cases/{case.pk}/"))
    missing = issuer.post(f"/cases/{case.pk}/deliver/", {"deliver-method": "pickup"}, **HTMX)
    assert "请填写领取人姓名" in _page(missing)
    no_tracking = issuer.post(f"/cases/{case.pk}/deliver/", {"deliver-method": "mail"})
    assert no_tracking.status_code == 400 and "请填写邮寄单号" in _page(no_tracking)
    response = issuer.post(
        f"/cases/{case.pk}/deliver/", {"deliver-method": "pickup", "deliver-recipient": "王建国"}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    receipt = case.notices.get(kind="delivery_receipt")
    page = _page(issuer.get(response["Location"]))
    assert "已办结" in page and "送达回证" in page
    text = _pdf_text(issuer.get(f"/cases/{case.pk}/notices/{receipt.pk}/pdf/").content)
    assert "送达回证" in text and "王建国" in text


def test_issuer_delivers_by_mail(org, client_for, item, applicant) -> None:
    case = _approved(org, item, applicant)
    services.case_result_ready(actor=org.user("reviewer"), case=case)
    client_for("clerk").post(
        f"/cases/{case.pk}/deliver/", {"deliver-method": "mail", "deliver-tracking_number": "SF1234567890"}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.events.get(action="deliver").data["tracking_number"] == "SF1234567890"


def test_reviewer_cannot_deliver(org, client_for, item, applicant) -> None:
    case = _approved(org, item, applicant)
    services.case_result_ready(actor=org.user("reviewer"), case=case)
    response = client_for("reviewer").post(
        f"/cases/{case.pk}/deliver/", {"deliver-method": "pickup", "deliver-recipient": "王"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESULT_READY


def test_case_page_shows_timeline_and_masks_the_applicant(org, client_for, item, applicant) -> None:
    case = _approved(org, item, applicant)
    page = _page(client_for("clerk").get(f"/cases/{case.pk}/"))
    timeline = page.split('data-testid="timeline"')[1]
    for label in ("接件", "受理", "开始审查", "作出准予决定"):
        assert label in timeline
    assert applicant.id_number not in page and "139****5678" in page


def test_missing_notice_or_file_is_a_404_not_a_500(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    clerk = client_for("clerk")
    assert clerk.get(f"/cases/{case.pk}/notices/999999/pdf/").status_code == 404
    assert clerk.get(f"/cases/{case.pk}/files/999999/").status_code == 404
    assert clerk.get("/cases/999999/").status_code == 404


def test_csrf_is_enforced_on_actions(org, item, applicant) -> None:
    case = _receive(org, item, applicant)
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.user("clerk"))
    response = client.post(f"/cases/{case.pk}/refuse/", {"refuse-reason": "不符合"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_a_refusal_of_permission_reaches_an_htmx_form_too(org, client_for, item, applicant) -> None:
    case = _receive(org, item, applicant)
    response = client_for("reviewer").post(f"/cases/{case.pk}/refuse/", {"refuse-reason": "x"}, **HTMX)
    assert response.status_code == 200 and response["X-Error-Status"] == "403"
    assert "只有综合窗口受理人员和首席代表可以受理" in _page(response) and "<html" not in _page(response)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


@pytest.mark.parametrize(("role", "url"), [("clerk", "/cases/window/"), ("reviewer", "/cases/review/"),
                                           ("issuer", "/cases/issue/")])  # fmt: skip
def test_desk_lists_take_the_same_queries_for_more_cases(org, client_for, item, role, url) -> None:
    def make(n):
        for _ in range(n):
            case = _receive(org, item, ApplicantFactory())
            if role == "clerk":
                continue
            services.case_check_materials(
                actor=org.user("clerk"),
                case=case,
                findings={row.pk: (CaseMaterialState.RECEIVED, "") for row in case.materials.all()},
            )
            services.case_accept(actor=org.user("clerk"), case=case)
            if role == "issuer":
                services.case_start_review(actor=org.user("reviewer"), case=case)
                services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(role)
    make(2)
    client.get(url)  # warm the working-day calendar cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make(5)
    with CaptureQueriesContext(connection) as more:
        page = _page(client.get(url))
    assert Case.objects.count() == 7 and page.count('href="/cases/') >= 7
    assert len(more) == len(few)


def test_uploaded_files_are_listed_and_downloaded_within_scope(org, client_for, item, applicant) -> None:
    from yichuang.cases.uploads import case_file_upload

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    case = _receive(org, item, applicant)
    row = case.materials.order_by("material__position").first()
    stored = case_file_upload(
        actor=org.user("clerk"), case=case, name="申请书.pdf", content=pdf, case_material=row
    )
    services.case_check_materials(
        actor=org.user("clerk"), case=case, findings={r.pk: ("received", "") for r in case.materials.all()}
    )
    services.case_accept(actor=org.user("clerk"), case=case)
    reviewer = client_for("reviewer")
    page = _page(reviewer.get(f"/cases/{case.pk}/"))
    assert "申请书.pdf" in page and f"/cases/{case.pk}/files/{stored.pk}/" in page
    download = reviewer.get(f"/cases/{case.pk}/files/{stored.pk}/")
    assert download.status_code == 200 and download.content == pdf
    assert download["Content-Type"] == "application/pdf" and download["Content-Disposition"].startswith(
        "attachment"
    )
    assert client_for("reviewer_wjw").get(f"/cases/{case.pk}/files/{stored.pk}/").status_code == 404


def test_assigning_someone_outside_the_department_is_refused(org, client_for, item, applicant) -> None:
    case = _accepted(org, item, applicant, acceptor="chief_rep")
    outsider = org.user("reviewer_wjw")
    response = client_for("chief_rep").post(
        f"/cases/{case.pk}/review/start/", {"assign-reviewer": outsider.pk}
    )
    assert response.status_code == 400 and "请选择本部门的审查人员" in _page(response)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_special_procedure_form_offers_the_items_own_procedure(org, client_for, item, applicant) -> None:
    case = _accepted(org, item, applicant)
    reviewer = client_for("reviewer")
    reviewer.post(f"/cases/{case.pk}/review/start/")
    page = _page(reviewer.get(f"/cases/{case.pk}/"))
    assert '<option value="inspection" selected>' in page
    assert 'value="经营场所现场核查"' in page and 'name="procedure-days" value="5"' in page


# ——— scans of paper materials at the window ———

SCAN_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_window_uploads_a_scan_for_a_material_and_refuses_a_wrong_file(
    org, item, applicant, client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yichuang.cases.models import CaseFile

    case = _receive(org, item, applicant)
    row = case.materials.select_related("material").first()
    clerk = client_for("clerk")
    url = f"/cases/{case.pk}/scan/"
    assert 'data-action="scan"' in _page(clerk.get(f"/cases/{case.pk}/"))
    done = clerk.post(url, {"scan-material": row.pk, "scan-file": SimpleUploadedFile("身份证.pdf", SCAN_PDF)})
    assert done.status_code == 302
    stored = CaseFile.objects.get(case=case)
    assert (stored.case_material_id, stored.name, stored.content_type) == (
        row.pk,
        "身份证.pdf",
        "application/pdf",
    )
    assert "身份证.pdf" in _page(clerk.get(done["Location"]))
    # A renamed executable is refused in Chinese, next to the field, and nothing is stored.
    wrong = clerk.post(
        url, {"scan-material": row.pk, "scan-file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")}
    )
    assert wrong.status_code == 400 and "只能上传" in _page(wrong)
    missing = clerk.post(url, {"scan-material": row.pk})
    assert missing.status_code == 400 and "请选择对应材料和要上传的扫描件" in _page(missing)
    assert CaseFile.objects.filter(case=case).count() == 1
    # A reviewer sees no scan form and may not upload.
    reviewer = client_for("reviewer")
    assert 'data-action="scan"' not in _page(reviewer.get(f"/cases/{case.pk}/"))
    refused = reviewer.post(
        url, {"scan-material": row.pk, "scan-file": SimpleUploadedFile("b.pdf", SCAN_PDF)}
    )
    assert refused.status_code == 403
    assert CaseFile.objects.filter(case=case).count() == 1


def test_review_actions_refuse_before_reading_the_form(org, client_for, item, applicant) -> None:
    """A member of staff who sees the case but may not review is refused (403), not shown a form error."""
    case = _accepted(org, item, applicant)
    clerk = client_for("clerk")
    for action in ("review/start/", "review/procedure/start/", "review/extension/", "review/verify/"):
        assert clerk.post(f"/cases/{case.pk}/{action}", {}).status_code == 403, action
    reviewer = client_for("reviewer")
    reviewer.post(f"/cases/{case.pk}/review/start/")
    reviewer.post(f"/cases/{case.pk}/review/extension/", {"extension-days": "5", "extension-reason": "核查"})
    extension = CaseExtension.objects.get(case=case)
    refused = reviewer.post(f"/cases/{case.pk}/review/extension/{extension.pk}/decide/", {})
    assert refused.status_code == 403  # only the department's head approves
    assert CaseExtension.objects.get(pk=extension.pk).decided_at is None
