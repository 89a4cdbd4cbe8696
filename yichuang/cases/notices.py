"""Issuing a case's written notices (受理通知书, 一次性告知书, 决定书, 送达回证 …).

A notice is issued inside the transaction of the step that requires it: it gets its document number then,
and the facts printed on it are frozen in ``CaseNotice.document``. The PDF is rendered from those facts
on first download and cached, so a step stays fast and the same notice always prints the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yichuang.cases.models import Case, CaseMaterial, CaseNotice
from yichuang.cases.notices_pdf import (
    NOTICE_KINDS,
    NoticeDocument,
    body_templates,
    chinese_date,
    default_body,
    default_remedies,
    optional_sentence,
    render_notice_pdf,
)
from yichuang.cases.numbering import sequence_next
from yichuang.core.audit import audit_record, step_record
from yichuang.core.i18n.content import Rendition, describe, showing_mongolian, texts_for
from yichuang.core.i18n.languages import MONGOLIAN
from yichuang.core.i18n.pdf import VerticalParagraph, has_shaping

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
    # The facts themselves, so the Mongolian translation can fill its own sentences with them.
    stored["facts"] = {name: _stored_fact(value) for name, value in facts.items()}
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


def _stored_fact(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if isinstance(value, int | float) else str(value)


def notice_document(notice: CaseNotice) -> NoticeDocument:
    values = dict(notice.document)
    values.pop("facts", None)
    values["issued_on"] = dt.date.fromisoformat(values["issued_on"])
    values["lines"] = [tuple(pair) for pair in values.get("lines", [])]
    return NoticeDocument(**values)


def notice_pdf(notice: CaseNotice, *, language: str | None = None) -> bytes:
    """The notice's PDF: rendered from the frozen facts on first use, then served from the cache.

    When Mongolian is wanted — the reader's language (``language``, else the active one) or the applicant's
    own — the Chinese notice is followed by its Mongolian translation, set vertically; that PDF is rendered
    each time (translations change), the Chinese one stays cached and the same (docs/i18n.md)."""
    if notice_mongolian_wanted(notice, language=language):
        paragraphs = notice_mongolian(notice)
        if paragraphs:
            return render_notice_pdf(notice_document(notice), mongolian=paragraphs)
    if notice.pdf:
        return bytes(notice.pdf)
    content = render_notice_pdf(notice_document(notice))
    with transaction.atomic():
        CaseNotice.objects.filter(pk=notice.pk, pdf__isnull=True).update(pdf=content)
    notice.pdf = content
    return content


def notice_filename(notice: CaseNotice) -> str:
    return f"{notice.case.number}-{NOTICE_KINDS[notice.kind]}.pdf"


# ---------------------------------------------------------------------------------------------------------
# The Mongolian translation of a notice (蒙汉双语)


def notice_mongolian_wanted(notice: CaseNotice, *, language: str | None = None) -> bool:
    """Whether the reader asked for Mongolian (``language`` or the request's) or the applicant chose it for
    his own account."""
    if showing_mongolian(language):
        return True
    user = getattr(notice.case.applicant, "user", None)
    return bool(user is not None and (user.language or "").lower() == MONGOLIAN)


def _mongolian_date(value: str) -> str:
    """2026-11-21 → 2026.11.21: numbers read the same in both scripts, no month names to get wrong."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.year}.{day.month:02d}.{day.day:02d}"


def notice_mongolian(notice: CaseNotice) -> list[VerticalParagraph]:
    """The notice's paragraphs in Mongolian, from the frozen facts and the admin's translations; a sentence
    without a current translation (or whose facts were not kept) is shown in its Chinese, marked. Empty when
    Mongolian cannot be shaped here (no uharfbuzz): the Chinese notice is served alone then."""
    if not has_shaping():
        return []
    document = notice_document(notice)
    stored_facts = dict(notice.document.get("facts") or {})
    common = texts_for(describe("notice", "common"), language=MONGOLIAN)
    own = texts_for(describe("notice", notice.kind), language=MONGOLIAN)
    item = texts_for(describe("item", notice.case.item_version), language=MONGOLIAN)

    def text(rendition: Rendition, **values: Any) -> VerticalParagraph:
        shown = rendition.format(**values)
        return VerticalParagraph(shown.text, fallback=not shown.translated)

    facts = {
        name: _mongolian_date(value) if isinstance(value, str) else value
        for name, value in stored_facts.items()
    }
    facts["item_name"] = item["name"].text if item["name"].translated else document.item_name
    facts["law"] = common["law"].text
    paragraphs = [VerticalParagraph(own["title"].text, size=20, fallback=not own["title"].translated)]
    if document.document_number:
        paragraphs.append(VerticalParagraph(document.document_number, size=11))
    if document.kind != "delivery_receipt":
        paragraphs.append(VerticalParagraph(f"{document.applicant_name}：", space_before=8))
    templates = list(body_templates(document.kind))
    optional = optional_sentence(document.kind)
    if optional is not None and stored_facts.get(optional[0]):
        templates.append(optional[1])
    for number, chinese in enumerate(document.body, start=1):
        field = f"body.{number}" if number <= len(body_templates(document.kind)) else "body.optional"
        rendition = own[field]
        needed = set(_placeholders(rendition.mongolian))
        if rendition.translated and needed <= facts.keys():
            paragraphs.append(text(rendition, **facts))
        else:
            paragraphs.append(VerticalParagraph(chinese, fallback=True))
    item_label, number_label = common["item_label"], common["case_number_label"]
    paragraphs.append(
        VerticalParagraph(
            f"{item_label.text}：{facts['item_name']}", fallback=not item_label.translated, space_before=8
        )
    )
    paragraphs.append(
        VerticalParagraph(
            f"{number_label.text}：{document.case_number}", fallback=not number_label.translated
        )
    )
    for label, value in document.lines:
        paragraphs.append(VerticalParagraph(f"{label}：{value}", fallback=True))
    for number, line in enumerate(document.listed, start=1):
        paragraphs.append(VerticalParagraph(f"{number}. {line}", fallback=True))
    if document.remedies:
        remedies = common["remedies"]
        if remedies.translated:
            paragraphs.append(
                text(
                    remedies,
                    reconsideration_body=settings.YICHUANG_RECONSIDERATION_BODY,
                    court=settings.YICHUANG_COURT,
                )
            )
        else:
            paragraphs.append(VerticalParagraph(document.remedies, fallback=True))
    paragraphs.append(VerticalParagraph(document.department_name, space_before=12))
    paragraphs.append(VerticalParagraph(_mongolian_date(document.issued_on.isoformat())))
    paragraphs.append(text(common["translation_note"]))
    return paragraphs


def _placeholders(text: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", text)
