"""Issuing a case's written notices (受理通知书, 一次性告知书, 决定书, 送达回证 …).

A notice is issued inside the transaction of the step that requires it: it gets its document number then,
and the facts printed on it are frozen in ``CaseNotice.document``. The PDF is rendered from those facts
on first download and cached, so a step stays fast and the same notice always prints the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yichuang.cases.models import Case, CaseMaterial, CaseNotice
from yichuang.cases.notices_pdf import (
    NOTICE_KINDS,
    NoticeDocument,
    chinese_date,
    default_body,
    default_remedies,
    render_notice_pdf,
)
from yichuang.cases.numbering import sequence_next
from yichuang.core.audit import audit_record, step_record

# 文号 abbreviations: 〔year〕 and the department's yearly sequence of the kind follow them.
_NUMBER_PREFIX = {
    "acceptance": "受字",
    "refusal": "不受字",
    "correction": "补字",
    "deficiency": "容字",
    "special_procedure": "特字",
    "decision_approve": "准字",
    "decision_deny": "不准字",
    "delivery_receipt": "送字",
}
_MATERIAL_STATE_TEXT = {
    "missing": "未提交",
    "deficient": "不符合要求",
    "deferred": "容缺后补",
}


def case_track_url(case: Case) -> str:
    """Where the QR code on a notice points: the public progress lookup with the number filled in."""
    base = str(getattr(settings, "YICHUANG_PUBLIC_URL", "")).rstrip("/")
    return f"{base}/track/?{urlencode({'number': case.number})}"


def remedies_text() -> str:
    return default_remedies(
        reconsideration_body=settings.YICHUANG_RECONSIDERATION_BODY, court=settings.YICHUANG_COURT
    )


def material_lines(rows: list[CaseMaterial]) -> list[str]:
    """“营业执照（未提交）：须加盖公章” — one line per material the notice names."""
    lines = []
    for row in rows:
        state = _MATERIAL_STATE_TEXT.get(row.state, row.get_state_display())
        text = f"{row.material.name}（{state}）"
        if row.note:
            text += f"：{row.note}"
        if row.due_date:
            text += f"，{chinese_date(row.due_date)}前补交"
        lines.append(text)
    return lines


def notice_issue(
    *,
    case: Case,
    kind: str,
    actor: Any,
    facts: dict[str, Any],
    lines: list[tuple[str, str]] | None = None,
    listed: list[str] | None = None,
    remedies: bool = False,
) -> CaseNotice:
    """Number and record one notice of ``kind`` for ``case``; call inside the step's transaction."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"未知的文书种类：{kind}")
    now = timezone.now()
    today = timezone.localdate(now)
    department = case.department
    # Each department numbers its own documents of a kind, year by year (市场监管局受字〔2026〕17号).
    serial = sequence_next(key=f"notice-{kind}-{department.pk}", day=dt.date(today.year, 1, 1))
    prefix = department.short_name or department.name
    document_number = f"{prefix}{_NUMBER_PREFIX[kind]}〔{today.year}〕{serial}号"
    version = case.item_version
    document = NoticeDocument(
        kind=kind,
        department_name=department.name,
        document_number=document_number,
        case_number=case.number,
        applicant_name=case.applicant.name,
        item_name=version.name,
        issued_on=today,
        body=default_body(kind)
        if kind == "delivery_receipt"
        else default_body(kind, item_name=version.name, **facts),
        lines=list(lines or []),
        listed=list(listed or []),
        remedies=remedies_text() if remedies else "",
        track_url=case_track_url(case),
    )
    stored = dataclasses.asdict(document)
    stored["issued_on"] = today.isoformat()
    notice = step_record(
        CaseNotice(
            case=case,
            kind=kind,
            document_number=document_number,
            issued_at=now,
            issued_by=actor if getattr(actor, "pk", None) else None,
            document=stored,
        )
    )
    audit_record(
        actor=actor,
        action="case.notice.issue",
        obj=case,
        data={"number": case.number, "notice": document_number, "kind": kind},
    )
    return notice


def notice_document(notice: CaseNotice) -> NoticeDocument:
    values = dict(notice.document)
    values["issued_on"] = dt.date.fromisoformat(values["issued_on"])
    values["lines"] = [tuple(pair) for pair in values.get("lines", [])]
    return NoticeDocument(**values)


def notice_pdf(notice: CaseNotice) -> bytes:
    """The notice's PDF: rendered from the frozen facts on first use, then served from the cache."""
    if notice.pdf:
        return bytes(notice.pdf)
    content = render_notice_pdf(notice_document(notice))
    with transaction.atomic():
        CaseNotice.objects.filter(pk=notice.pk, pdf__isnull=True).update(pdf=content)
    notice.pdf = content
    return content


def notice_filename(notice: CaseNotice) -> str:
    return f"{notice.case.number}-{NOTICE_KINDS[notice.kind]}.pdf"
