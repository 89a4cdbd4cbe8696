"""Each step issues its written notice (numbered, facts frozen, PDF rendered on demand), every status
change sends the applicant a message, and material files are checked by content."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re

import pytest
import time_machine
from pypdf import PdfReader

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services, uploads
from yichuang.cases.models import CaseFile, CaseNotice
from yichuang.cases.notices import case_track_url, notice_pdf
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.models import Notification

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    """A real small PNG: pictures are decoded before they are kept (cases/uploads.py)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"), name="王建国", phone="13912345678")


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


def _received(org, item, applicant):
    return services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")


def test_lifecycle_issues_numbered_notices_with_the_case_facts(
    org, item, applicant, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=CST), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            case = _received(org, item, applicant)
        with django_capture_on_commit_callbacks(execute=True):
            services.case_check_materials(
                actor=org.user("clerk"),
                case=case,
                findings={row.pk: ("original_checked", "") for row in case.materials.all()},
            )
            services.case_accept(actor=org.user("clerk"), case=case)
            services.case_start_review(actor=org.user("reviewer"), case=case)
            services.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
            services.case_result_ready(actor=org.user("reviewer"), case=case)
            services.case_deliver(actor=org.user("issuer"), case=case, method="pickup", recipient="王建国")
    notices = list(case.notices.order_by("issued_at", "pk"))
    assert [n.kind for n in notices] == ["acceptance", "decision_approve", "delivery_receipt"]
    assert notices[0].document_number == f"{org.scjg.name}受字〔2026〕1号"
    acceptance = flat(pdf_text(notice_pdf(notices[0])))
    for fact in (
        "受理通知书",
        "王建国",
        case.number,
        "市场监管局",
        "2026年11月2日",
        "5个工作日内",
        "2026年11月9日",
    ):
        assert fact in acceptance, fact
    assert notice_pdf(notices[0]) == bytes(CaseNotice.objects.get(pk=notices[0].pk).pdf)  # cached, same bytes
    decision = flat(pdf_text(notice_pdf(notices[1])))
    assert "准予行政许可决定书" in decision and "食品经营许可证" in decision
    receipt = flat(pdf_text(notice_pdf(notices[2])))
    assert "送达回证" in receipt and notices[1].document_number in receipt and "窗口领取" in receipt
    assert case_track_url(case).endswith(f"/track/?number={case.number}")
    # One message per status change (接件, 受理, 审查, 准予, 待送达, 办结), to the applicant's phone.
    sent = list(Notification.objects.filter(object_id=str(case.pk)).order_by("pk"))
    assert len(sent) == 6 and {n.to for n in sent} == {"13912345678"} and {n.channel for n in sent} == {"sms"}
    assert "已受理" in sent[1].body and case.number in sent[1].body and "/track/?number=" in sent[1].body
    assert "已办结" in sent[-1].body


def test_refusal_and_correction_notices_carry_reasons_remedies_and_the_full_list(
    org, item, applicant
) -> None:
    refused_case = _received(org, item, applicant)
    services.case_refuse(
        actor=org.user("clerk"),
        case=refused_case,
        reason="申请事项依法不需要取得行政许可",
        competent_office="乌拉特中旗住房和城乡建设局",
    )
    refusal = flat(pdf_text(notice_pdf(refused_case.notices.get(kind="refusal"))))
    for fact in (
        "不予受理通知书",
        "申请事项依法不需要取得行政许可",
        "乌拉特中旗住房和城乡建设局",
        "行政复议",
        "行政诉讼",
    ):
        assert fact in refusal, fact

    case = _received(org, item, applicant)
    rows = {row.material.name: row for row in case.materials.select_related("material")}
    services.case_check_materials(
        actor=org.user("clerk"),
        case=case,
        findings={
            rows["食品经营许可申请书"].pk: ("deficient", "缺少法定代表人签字"),
            rows["营业执照"].pk: ("missing", ""),
        },
    )
    services.case_request_correction(actor=org.user("clerk"), case=case, note="另请补充经营场所照片")
    correction = flat(pdf_text(notice_pdf(case.notices.get(kind="correction"))))
    for fact in (
        "一次性告知书",
        "食品经营许可申请书",
        "缺少法定代表人签字",
        "营业执照",
        "未提交",
        "经营场所照片",
    ):
        assert fact in correction, fact


def test_uploads_are_checked_by_content_and_kept_with_the_case(org, item, applicant, settings) -> None:
    case = services.case_submit(actor=org.user("applicant"), item=item, applicant=applicant, channel="online")
    row = case.materials.first()
    stored = uploads.case_file_upload(
        actor=org.user("applicant"), case=case, name="申请书.pdf", content=PDF, case_material=row
    )
    assert (stored.content_type, stored.size, bytes(stored.data)) == ("application/pdf", len(PDF), PDF)
    uploads.case_file_upload(actor=org.user("clerk"), case=case, name="现场照片.PNG", content=PNG)
    for name, content in (("病毒.pdf", b"MZ\x90\x00this is an exe"), ("照片.jpg", PNG), ("空.pdf", b"")):
        with pytest.raises(ApplicationError) as refused:
            uploads.case_file_upload(actor=org.user("applicant"), case=case, name=name, content=content)
        assert refused.value.fields and "file" in refused.value.fields
    settings.YICHUANG_CASE_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ApplicationError) as too_big:
        uploads.case_file_upload(
            actor=org.user("applicant"), case=case, name="大.pdf", content=PDF + b"0" * 2048
        )
    assert (too_big.value.code, too_big.value.message) == ("file_too_large", "文件不能超过1KB")
    stranger = ApplicantFactory()
    other_case = services.case_submit(
        actor=org.user("clerk"), item=item, applicant=stranger, channel="window"
    )
    with pytest.raises(NotFoundError):  # another applicant's case is invisible
        uploads.case_file_upload(actor=org.user("applicant"), case=other_case, name="a.pdf", content=PDF)
    services.case_withdraw(actor=org.user("applicant"), case=case, reason="不再需要")
    with pytest.raises(ConflictError):
        uploads.case_file_upload(actor=org.user("applicant"), case=case, name="b.pdf", content=PDF)
    assert CaseFile.objects.filter(case=case).count() == 2


def _accepted_notice(org, item, applicant) -> CaseNotice:
    clerk = org.user("clerk")
    case = services.case_submit(actor=clerk, item=item, applicant=applicant, channel="window")
    services.case_check_materials(
        actor=clerk, case=case, findings={row.pk: ("original_checked", "") for row in case.materials.all()}
    )
    services.case_accept(actor=clerk, case=case)
    return CaseNotice.objects.get(case=case, kind="acceptance")


def test_each_department_numbers_its_own_notices_and_the_old_shared_counter_is_continued(
    org, item, applicant
) -> None:
    from django.apps import apps

    from yichuang.cases.models import CaseSequence

    split = importlib.import_module("yichuang.cases.migrations.0004_notice_numbers_per_department")
    health = publish_item(actor=org.user("admin"), department=org.wjw, basic_code="11A000100002")
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=CST), tick=False):
        assert _accepted_notice(org, item, applicant).document_number == f"{org.scjg.name}受字〔2026〕1号"
        assert _accepted_notice(org, health, applicant).document_number == f"{org.wjw.name}受字〔2026〕1号"
        assert _accepted_notice(org, item, applicant).document_number == f"{org.scjg.name}受字〔2026〕2号"
        # A database numbered before the split: the shared counter stood at 40 for the year.
        CaseSequence.objects.filter(implementation_code__startswith="notice-").delete()
        CaseSequence.objects.create(implementation_code="notice-acceptance", day=dt.date(2026, 1, 1), last=40)
        split.split_counters(apps, None)
        assert _accepted_notice(org, item, applicant).document_number == f"{org.scjg.name}受字〔2026〕41号"
        assert _accepted_notice(org, health, applicant).document_number == f"{org.wjw.name}受字〔2026〕41号"
