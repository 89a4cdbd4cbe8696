"""The applicant portal: apply online with files, my cases, the timeline, notices, 补正 and withdrawal."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import ApplicantFactory, UserFactory
from yichuang.cases import services
from yichuang.cases.models import Case, CaseChannel, CaseFile, CaseMaterialState, CaseNotice, CaseStatus
from yichuang.catalog import services as catalog_services
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _image(kind: str) -> bytes:
    """A real (decodable) small picture: photos are decoded before they are kept."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 160)).save(out, format=kind)
    return out.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")
FAKE_PDF = "这不是PDF，只是改了扩展名的文本。".encode()


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"), name="乌云其其格")


@pytest.fixture
def portal(client_for, applicant):
    return client_for("applicant")


def material_field(item, key):
    return f"material_{item.current_version.materials.get(key=key).pk}"


def apply_url(item):
    return reverse("cases:portal_apply", args=[item.pk])


def form_key(response):
    return response.context["form"]["idempotency_key"].value()


def apply_online(client, item, *, key="key-1", files=None, **extra):
    """POST the apply form: by default the application form as a PDF (the licence is an e-licence)."""
    if files is None:
        files = {material_field(item, "m-apply"): SimpleUploadedFile("申请书.pdf", PDF, "application/pdf")}
    data = {"idempotency_key": key, "version": item.current_version_id, **files, **extra}
    return client.post(apply_url(item), data)


def _check(org, case, states):
    rows = {row.material.key: row for row in case.materials.select_related("material")}
    findings = {rows[key].pk: value for key, value in states.items()}
    services.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)


# ——— apply online ———


def test_apply_page_lists_the_materials_with_a_file_input_each(portal, item) -> None:
    response = portal.get(apply_url(item))
    assert response.status_code == 200
    page = response.content.decode()
    assert "食品经营许可申请书" in page and "营业执照" in page
    assert 'type="file"' in page and 'accept="image/*,application/pdf"' in page
    assert "可用电子证照免提交" in page  # the licence need not be uploaded
    assert len(form_key(response)) == 32
    assert "告知承诺" not in page  # the item does not allow commitments


def test_guide_shows_apply_online_for_online_items_only(client, org, item) -> None:
    guide = client.get(reverse("catalog:guide_detail", args=[item.pk])).content.decode()
    assert apply_url(item) in guide and "在线申请" in guide
    offline = publish_item(
        actor=org.user("admin"), department=org.scjg, basic_code="11A000100009", online_depth=2
    )
    assert "在线申请" not in client.get(reverse("catalog:guide_detail", args=[offline.pk])).content.decode()


def test_apply_with_a_pdf_and_a_png_makes_one_case_with_its_files(org, portal, item, applicant) -> None:
    files = {
        material_field(item, "m-apply"): SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
        material_field(item, "m-licence"): SimpleUploadedFile("执照.png", PNG, "image/png"),
    }
    response = apply_online(portal, item, files=files)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:portal_detail", args=[case.pk])
    assert (case.applicant, case.channel, case.status) == (
        applicant,
        CaseChannel.ONLINE,
        CaseStatus.SUBMITTED,
    )
    assert case.submitted_by == org.user("applicant")
    stored = {f.name: f for f in CaseFile.objects.select_related("case_material__material")}
    assert set(stored) == {"申请书.pdf", "执照.png"}
    assert stored["申请书.pdf"].content_type == "application/pdf"
    assert bytes(stored["申请书.pdf"].data) == PDF
    assert stored["申请书.pdf"].case_material.material.key == "m-apply"
    assert stored["执照.png"].content_type == "image/png"
    assert stored["执照.png"].case_material.material.key == "m-licence"
    detail = portal.get(response["Location"]).content.decode()
    assert case.number in detail and "申请书.pdf" in detail and "执照.png" in detail
    own_file = portal.get(reverse("cases:portal_file", args=[case.pk, stored["申请书.pdf"].pk]))
    assert own_file.status_code == 200 and own_file.content == PDF


def test_a_phone_applies_through_the_mobile_channel(portal, item) -> None:
    agent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36"
    portal.defaults["HTTP_USER_AGENT"] = agent
    apply_online(portal, item)
    assert Case.objects.get().channel == CaseChannel.MOBILE


def test_a_fake_pdf_is_refused_next_to_its_material_and_no_case_is_made(portal, item) -> None:
    files = {
        material_field(item, "m-apply"): SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
        material_field(item, "m-licence"): SimpleUploadedFile("执照.pdf", FAKE_PDF, "application/pdf"),
    }
    response = apply_online(portal, item, files=files)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [material_field(item, "m-licence")]
    assert "执照.pdf：只能上传" in errors[material_field(item, "m-licence")][0]
    page = response.content.decode()
    assert "文件内容须与扩展名一致" in page and "请重新选择" in page
    assert Case.objects.count() == 0 and CaseFile.objects.count() == 0
    # The key survives the refusal, so the corrected form still submits exactly once.
    assert form_key(response) == "key-1"


def test_a_file_refused_while_storing_takes_the_case_back_with_it(monkeypatch, portal, item) -> None:
    """The case and its files are one transaction: if storing the second file fails, nothing remains."""
    from yichuang.cases import views_portal

    stored = []

    def upload_then_refuse(**kwargs):
        if stored:
            raise ApplicationError("每个办件最多上传100个文件", code="too_many_files")
        stored.append(real_upload(**kwargs))
        return stored[-1]

    real_upload = views_portal.case_file_upload
    monkeypatch.setattr(views_portal, "case_file_upload", upload_then_refuse)
    files = {
        material_field(item, "m-apply"): SimpleUploadedFile("申请书.pdf", PDF, "application/pdf"),
        material_field(item, "m-licence"): SimpleUploadedFile("执照.png", PNG, "image/png"),
    }
    response = apply_online(portal, item, files=files)
    assert response.status_code == 200
    assert "每个办件最多上传100个文件" in response.content.decode()
    assert len(stored) == 1
    assert Case.objects.count() == 0 and CaseFile.objects.count() == 0


def test_a_required_material_without_a_file_is_asked_for(portal, item) -> None:
    response = apply_online(portal, item, files={})
    assert response.status_code == 200
    assert response.context["form"].errors[material_field(item, "m-apply")] == ["请上传“食品经营许可申请书”"]
    assert Case.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(settings, portal, item) -> None:
    settings.YICHUANG_CASE_UPLOAD_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    files = {material_field(item, "m-apply"): SimpleUploadedFile("申请书.pdf", big, "application/pdf")}
    response = apply_online(portal, item, files=files)
    assert "文件不能超过1MB" in response.context["form"].errors[material_field(item, "m-apply")][0]
    assert Case.objects.count() == 0


def test_a_double_click_makes_one_case(portal, item) -> None:
    first = apply_online(portal, item, key="double-click")
    second = apply_online(portal, item, key="double-click")
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == reverse("cases:portal_detail", args=[case.pk])
    assert CaseFile.objects.count() == 1
    apply_online(portal, item, key="another-application")
    assert Case.objects.count() == 2


def test_a_user_without_an_applicant_record_is_told_how_to_get_one(org, item) -> None:
    lonely = UserFactory(username="no-record", role=Role.APPLICANT, department=None)
    client = Client()
    client.force_login(lonely)
    page = client.get(apply_url(item)).content.decode()
    assert "尚未关联申请人信息" in page and 'type="file"' not in page
    apply_online(client, item)
    assert Case.objects.count() == 0


def test_staff_cannot_use_the_portal(client_for, item) -> None:
    clerk = client_for("clerk")
    assert clerk.get(apply_url(item)).status_code == 403
    assert clerk.get(reverse("cases:portal_list")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, item) -> None:
    response = client.get(apply_url(item))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_item_without_online_service_says_go_to_the_window(org, portal) -> None:
    offline = publish_item(
        actor=org.user("admin"), department=org.scjg, basic_code="11A000100009", online_depth=2
    )
    page = portal.get(apply_url(offline)).content.decode()
    assert "暂不支持网上申请" in page and 'type="file"' not in page
    response = portal.post(
        apply_url(offline), {"idempotency_key": "k", "version": offline.current_version_id}
    )
    assert response.status_code == 200 and Case.objects.count() == 0


def test_a_guide_update_between_render_and_submit_is_caught(portal, item) -> None:
    response = apply_online(portal, item, version=item.current_version_id + 1000)
    assert "办事指南刚刚更新" in response.content.decode()
    assert Case.objects.count() == 0


def test_commitment_is_offered_where_allowed_and_replaces_the_material(org, portal, applicant) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100003",
        commitment_allowed=True,
        materials=[
            {"key": "a", "name": "申请书", "necessity": "1", "review_points": ["签字"]},
            {
                "key": "b",
                "name": "场所合法使用证明",
                "necessity": "1",
                "commitment_replaceable": True,
                "review_points": ["与经营场所一致"],
            },
        ],
    )
    page = portal.get(apply_url(item)).content.decode()
    assert "告知承诺" in page and "不实承诺的法律责任" in page and "场所合法使用证明" in page
    files = {material_field(item, "a"): SimpleUploadedFile("申请书.pdf", PDF, "application/pdf")}
    # Without the commitment the replaceable material is required …
    response = apply_online(portal, item, files=files)
    assert material_field(item, "b") in response.context["form"].errors
    # … with it, it is not: the case is made on the commitment.
    files = {material_field(item, "a"): SimpleUploadedFile("申请书.pdf", PDF, "application/pdf")}
    apply_online(portal, item, files=files, commit="on")
    case = Case.objects.get()
    assert case.by_commitment
    assert case.materials.get(material__key="b").state == CaseMaterialState.COMMITTED


# ——— my cases ———


def test_my_cases_lists_only_my_own(org, portal, item, applicant) -> None:
    apply_online(portal, item)
    other = ApplicantFactory()
    theirs = services.case_submit(actor=org.user("clerk"), item=item, applicant=other, channel="window")
    response = portal.get(reverse("cases:portal_list"))
    page = response.content.decode()
    mine = Case.objects.get(applicant=applicant)
    assert mine.number in page and theirs.number not in page
    assert "已接件" in page


def test_the_list_shows_the_due_date_and_remaining_working_days(org, portal, item, applicant) -> None:
    apply_online(portal, item)
    case = Case.objects.get()
    _check(org, case, {"m-apply": ("original_checked", ""), "m-licence": ("original_checked", "")})
    services.case_accept(actor=org.user("clerk"), case=case)
    case.refresh_from_db()
    row = portal.get(reverse("cases:portal_list")).context["rows"][0]
    assert row["case"].due_date == case.due_date
    assert row["remaining"] == 5
    assert "剩余5个工作日" in portal.get(reverse("cases:portal_list")).content.decode()


def test_another_applicants_case_is_not_found(org, item) -> None:
    theirs = services.case_submit(
        actor=org.user("clerk"), item=item, applicant=ApplicantFactory(), channel="window"
    )
    _check(org, theirs, {"m-apply": ("original_checked", ""), "m-licence": ("original_checked", "")})
    services.case_accept(actor=org.user("clerk"), case=theirs)
    notice = CaseNotice.objects.get(case=theirs)
    stored = CaseFile.objects.create(
        case=theirs, name="x.pdf", content_type="application/pdf", size=len(PDF), sha256="0" * 64,
        data=PDF, uploaded_by=org.user("clerk"), uploaded_at=theirs.submitted_at,
    )  # fmt: skip
    ApplicantFactory(user=org.user("applicant"))
    client = Client()
    client.force_login(org.user("applicant"))
    for url in (
        reverse("cases:portal_detail", args=[theirs.pk]),
        reverse("cases:portal_supply", args=[theirs.pk]),
        reverse("cases:portal_withdraw", args=[theirs.pk]),
        reverse("cases:portal_notice_pdf", args=[theirs.pk, notice.pk]),
        reverse("cases:portal_file", args=[theirs.pk, stored.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("cases:portal_withdraw", args=[theirs.pk]), {"reason": "x", "confirm": "on"}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.ACCEPTED


def test_the_timeline_names_roles_and_departments_never_staff(org, portal, item) -> None:
    apply_online(portal, item)
    case = Case.objects.get()
    _check(org, case, {"m-apply": ("original_checked", ""), "m-licence": ("original_checked", "")})
    services.case_accept(actor=org.user("clerk"), case=case)
    response = portal.get(reverse("cases:portal_detail", args=[case.pk]))
    page = response.content.decode()
    assert [row["label"] for row in response.context["timeline"]] == ["提交申请", "受理"]
    assert [row["who"] for row in response.context["timeline"]] == ["申请人", "政务服务中心 · 综窗受理员"]
    assert org.user("clerk").full_name not in page and org.user("clerk").username not in page
    assert "受理通知书" in page


def test_notices_download_as_pdf_for_the_own_case(org, portal, item) -> None:
    apply_online(portal, item)
    case = Case.objects.get()
    _check(org, case, {"m-apply": ("original_checked", ""), "m-licence": ("original_checked", "")})
    services.case_accept(actor=org.user("clerk"), case=case)
    notice = CaseNotice.objects.get(case=case, kind="acceptance")
    response = portal.get(reverse("cases:portal_notice_pdf", args=[case.pk, notice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    other_notice_of_own_case = reverse("cases:portal_notice_pdf", args=[case.pk, notice.pk + 999])
    assert portal.get(other_notice_of_own_case).status_code == 404


# ——— 补正 and withdrawal ———


def _in_correction(org, portal, item):
    apply_online(portal, item)
    case = Case.objects.get()
    _check(
        org,
        case,
        {"m-apply": ("deficient", "缺少申请人签字"), "m-licence": ("original_checked", "")},
    )
    return services.case_request_correction(actor=org.user("clerk"), case=case, note="请补签后上传")


def test_supply_correction_uploads_the_files_and_returns_the_case_to_the_window(org, portal, item) -> None:
    case = _in_correction(org, portal, item)
    detail = portal.get(reverse("cases:portal_detail", args=[case.pk])).content.decode()
    assert "缺少申请人签字" in detail and reverse("cases:portal_supply", args=[case.pk]) in detail
    url = reverse("cases:portal_supply", args=[case.pk])
    page = portal.get(url)
    assert [row["material"].key for row in page.context["rows"]] == ["m-apply"]
    field = material_field(item, "m-apply")
    # Nothing chosen → asked for a file; a fake file → refused; neither moves the case.
    assert "请至少上传一份材料" in portal.post(url, {"note": ""}).content.decode()
    fake = portal.post(url, {field: SimpleUploadedFile("签字页.pdf", FAKE_PDF)})
    assert "只能上传" in fake.context["form"].errors[field][0]
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION and CaseFile.objects.count() == 1
    response = portal.post(url, {field: SimpleUploadedFile("签字页.jpg", JPEG), "note": "已补签"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.events.order_by("-at", "-pk").first().action == "supply_correction"
    supplied = CaseFile.objects.get(name="签字页.jpg")
    assert supplied.content_type == "image/jpeg" and supplied.case_material.material.key == "m-apply"
    # Supplying again (a second click) changes nothing.
    again = portal.post(url, {field: SimpleUploadedFile("签字页.jpg", JPEG)})
    assert again.status_code == 302 and CaseFile.objects.filter(name="签字页.jpg").count() == 1


def test_supply_is_only_for_a_case_in_correction(org, portal, item) -> None:
    apply_online(portal, item)
    case = Case.objects.get()
    response = portal.post(
        reverse("cases:portal_supply", args=[case.pk]),
        {material_field(item, "m-apply"): SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 302
    assert CaseFile.objects.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_withdraw_needs_a_reason_and_a_confirmation(org, portal, item) -> None:
    apply_online(portal, item)
    case = Case.objects.get()
    url = reverse("cases:portal_withdraw", args=[case.pk])
    assert "确认撤回" in portal.get(url).content.decode()
    refused = portal.post(url, {"reason": "", "confirm": ""})
    assert refused.context["form"].errors == {"reason": ["请填写撤回原因"], "confirm": ["请勾选确认撤回"]}
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    response = portal.post(url, {"reason": "材料准备不全，下次再办", "confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    event = case.events.get(action="withdraw")
    assert event.note == "材料准备不全，下次再办" and event.actor == org.user("applicant")
    # A second click, and the detail page, no longer offer it.
    assert portal.post(url, {"reason": "再撤", "confirm": "on"}).status_code == 302
    assert case.events.filter(action="withdraw").count() == 1
    assert url not in portal.get(reverse("cases:portal_detail", args=[case.pk])).content.decode()


def test_no_withdrawal_after_the_decision(org, portal, item) -> None:
    apply_online(portal, item)
    case = Case.objects.get()
    _check(org, case, {"m-apply": ("original_checked", ""), "m-licence": ("original_checked", "")})
    services.case_accept(actor=org.user("clerk"), case=case)
    services.case_start_review(actor=org.user("reviewer"), case=case)
    services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    url = reverse("cases:portal_withdraw", args=[case.pk])
    response = portal.post(url, {"reason": "不想要了", "confirm": "on"}, follow=True)
    assert "已不能撤回" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_the_menu_offers_my_cases_to_applicants_only(client_for, applicant) -> None:
    assert "我的办件" in client_for("applicant").get(reverse("accounts:home")).content.decode()
    assert "我的办件" not in client_for("clerk").get(reverse("accounts:home")).content.decode()


def test_deferred_materials_are_uploaded_while_the_case_runs(org, portal, applicant) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100002",
        materials=[
            {"key": "a", "name": "申请书", "necessity": "1", "review_points": ["签字"]},
            {"key": "b", "name": "场所平面图", "necessity": "3", "review_points": ["标明功能区"]},
        ],
    )
    apply_online(portal, item, files={material_field(item, "a"): SimpleUploadedFile("申请书.pdf", PDF)})
    case = Case.objects.get()
    _check(org, case, {"a": ("received", "")})
    services.case_accept(actor=org.user("clerk"), case=case, deficiency_commitment=True)
    url = reverse("cases:portal_supply_deferred", args=[case.pk])
    detail = portal.get(reverse("cases:portal_detail", args=[case.pk])).content.decode()
    assert url in detail and "容缺待补" in detail
    page = portal.get(url)
    assert [row["material"].key for row in page.context["rows"]] == ["b"]
    assert "note" not in page.context["form"].fields
    plan = {material_field(item, "b"): SimpleUploadedFile("平面图.png", PNG)}
    assert portal.post(url, plan).status_code == 302
    plan = {material_field(item, "b"): SimpleUploadedFile("平面图.png", PNG)}
    assert portal.post(url, plan).status_code == 302  # the same scan again is not stored twice
    stored = CaseFile.objects.get(name="平面图.png")
    assert stored.case_material.material.key == "b"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED  # the office registers the material after checking it
    services.case_receive_deferred(
        actor=org.user("clerk"), case=case, case_material_ids=[stored.case_material_id]
    )
    assert url not in portal.get(reverse("cases:portal_detail", args=[case.pk])).content.decode()
    assert portal.get(url).status_code == 302


def test_the_apply_page_links_the_blank_form(org, portal) -> None:
    blank = catalog_services.catalog_file_upload(actor=org.user("admin"), name="申请表.pdf", content=PDF)
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100004",
        materials=[
            {
                "key": "a",
                "name": "申请表",
                "necessity": "1",
                "blank_form": blank.sha256,
                "review_points": ["签字"],
            }
        ],
    )
    page = portal.get(apply_url(item)).content.decode()
    assert reverse("catalog:file_download", args=[blank.sha256]) in page and "下载空白表格" in page


def test_uploaded_files_open_sandboxed(portal, item) -> None:
    apply_online(portal, item)
    case = Case.objects.get()
    response = portal.get(reverse("cases:portal_file", args=[case.pk, CaseFile.objects.get().pk]))
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_my_cases_and_a_case_page_take_a_fixed_number_of_queries(
    org, portal, item, applicant, django_assert_max_num_queries
) -> None:
    def make_cases(count):
        for _ in range(count):
            case = services.case_submit(
                actor=org.user("clerk"), item=item, applicant=applicant, channel="window"
            )
            _check(org, case, {"m-apply": ("original_checked", ""), "m-licence": ("original_checked", "")})
            services.case_accept(actor=org.user("clerk"), case=case)

    make_cases(1)
    portal.get(reverse("cases:portal_list"))  # warm the calendar cache
    with CaptureQueriesContext(connection) as one:
        portal.get(reverse("cases:portal_list"))
    make_cases(5)
    with CaptureQueriesContext(connection) as six:
        assert len(portal.get(reverse("cases:portal_list")).context["rows"]) == 6
    assert len(six) == len(one)
    case = Case.objects.first()
    with django_assert_max_num_queries(12):
        portal.get(reverse("cases:portal_detail", args=[case.pk]))
