"""The notices of an application as a whole: one 一次性补正告知书 for every member, and the 办理结果告知书
listing what each member came to (统一出件). Frozen and rendered like a case's notices."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yichuang.bundles.models import BundleApplication, BundleNotice
from yichuang.cases.notices import remedies_text
from yichuang.cases.notices_pdf import NOTICE_KINDS, NoticeDocument, chinese_date, render_notice_pdf
from yichuang.cases.numbering import sequence_next
from yichuang.core.audit import audit_record, step_record

_NUMBER_PREFIX = {"bundle_correction": "一件事补字", "bundle_result": "一件事结字"}


def application_track_url(application: BundleApplication) -> str:
    base = str(getattr(settings, "YICHUANG_PUBLIC_URL", "")).rstrip("/")
    return f"{base}/bundles/track/?{urlencode({'number': application.number})}"


def bundle_notice_issue(
    *,
    application: BundleApplication,
    kind: str,
    actor: Any,
    body: list[str],
    lines: list[tuple[str, str]] | None = None,
    listed: list[str] | None = None,
    remedies: bool = False,
) -> BundleNotice:
    """Number and record one notice of the application; call inside the step's transaction."""
    now = timezone.now()
    today = timezone.localdate(now)
    department = application.bundle.lead_department
    serial = sequence_next(key=f"bundle-notice-{kind}", day=dt.date(today.year, 1, 1))
    prefix = department.short_name or department.name
    document_number = f"{prefix}{_NUMBER_PREFIX[kind]}〔{today.year}〕{serial}号"
    document = NoticeDocument(
        kind=kind,
        department_name=department.name,
        document_number=document_number,
        case_number=application.number,
        applicant_name=application.applicant.name,
        item_name=application.bundle.name,
        issued_on=today,
        body=body,
        lines=list(lines or []),
        listed=list(listed or []),
        remedies=remedies_text() if remedies else "",
        track_url=application_track_url(application),
    )
    stored = dataclasses.asdict(document)
    stored["issued_on"] = today.isoformat()
    notice = step_record(
        BundleNotice(
            application=application,
            kind=kind,
            document_number=document_number,
            issued_at=now,
            issued_by=actor if getattr(actor, "pk", None) else None,
            document=stored,
        )
    )
    audit_record(
        actor=actor,
        action="bundle.notice.issue",
        obj=application,
        data={"number": application.number, "notice": document_number, "kind": kind},
    )
    return notice


def correction_body(application: BundleApplication, deadline: dt.date) -> list[str]:
    received = chinese_date(timezone.localdate(application.submitted_at))
    return [
        f"你（单位）于{received}提出的“{application.bundle.name}”申请，经综合窗口统一核验，申请材料不齐全"
        "或者不符合法定形式。依据《中华人民共和国行政许可法》第三十二条，现将需要补正的全部材料一次性告知如下"
        "（每项材料只需提交一份，用于所列全部事项）：",
        f"请于{chinese_date(deadline)}前一并补正。补正材料齐全后，各部门同时受理、并联办理。",
    ]


def result_body(application: BundleApplication, outcome_text: str) -> list[str]:
    return [
        f"你（单位）申请的“{application.bundle.name}”（申请编号{application.number}）已{outcome_text}。"
        "各事项的办理结果如下，请凭身份证件到综合出证窗口统一领取，或选择邮寄送达；电子证照已同步发送至“我的证照”。",
    ]


def notice_pdf(notice: BundleNotice) -> bytes:
    if notice.pdf:
        return bytes(notice.pdf)
    values = dict(notice.document)
    values["issued_on"] = dt.date.fromisoformat(values["issued_on"])
    values["lines"] = [tuple(pair) for pair in values.get("lines", [])]
    content = render_notice_pdf(NoticeDocument(**values))
    with transaction.atomic():
        BundleNotice.objects.filter(pk=notice.pk, pdf__isnull=True).update(pdf=content)
    notice.pdf = content
    return content


def notice_filename(notice: BundleNotice) -> str:
    return f"{notice.application.number}-{NOTICE_KINDS[notice.kind]}.pdf"
