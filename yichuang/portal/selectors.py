"""Reads of the self-service terminal: a verified case's progress told in plain words, and the documents of
the case that may be printed there — its written notices (``cases.notices``) and its valid e-licences
(``licences.rendering``).

Nothing here names a person in full: the applicant's name is masked, staff are never named (a step says what
happened, not who did it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yichuang.cases import notices as case_notices
from yichuang.cases import selectors as case_selectors
from yichuang.cases.models import Case, CaseNotice, CaseStatus
from yichuang.cases.notices_pdf import NOTICE_KINDS
from yichuang.core.calendar import CalendarYearNotCoveredError
from yichuang.core.errors import NotFoundError
from yichuang.core.masking import mask_name
from yichuang.licences.models import Licence, LicenceStatus
from yichuang.licences.rendering import licence_pdf

# Each timeline step in plain words (白话). Steps not listed here (internal ones such as a requested
# extension still to be decided) are not shown at the terminal.
PLAIN_STEPS: dict[str, Promise] = {
    "submit": _("您的申请已收到"),
    "accept": _("窗口已受理，开始计算办理时限"),
    "deemed_accept": _("按规定视为已受理，开始计算办理时限"),
    "refuse": _("不予受理，原因见不予受理通知书"),
    "request_correction": _("需要补充材料，已一次性告知要补的全部材料"),
    "supply_correction": _("已收到补充的材料"),
    "start_review": _("主管部门开始审查"),
    "special_procedure_start": _("进入特别程序（如现场核查、专家评审），这段时间不计入办理时限"),
    "special_procedure_finish": _("特别程序结束，继续办理"),
    "extension_approve": _("办理时限依法延长"),
    "receive_deferred": _("容缺后补的材料已补齐"),
    "decide_approve": _("审查通过，准予办理"),
    "decide_deny": _("审查未通过，不予许可，原因和救济途径见决定书"),
    "result_ready": _("办理结果已制作好"),
    "deliver": _("办理结果已送达，办结"),
    "withdraw": _("申请已撤回"),
    "terminate": _("办理已终止"),
    "revoke": _("已撤销"),
}

# Where the case stands now, in plain words.
PLAIN_STATUS: dict[str, Promise] = {
    CaseStatus.SUBMITTED: _("申请已收到，窗口正在核对材料"),
    CaseStatus.CORRECTION: _("需要补充材料，请按补正材料通知书补齐后提交"),
    CaseStatus.ACCEPTED: _("已受理，等待主管部门审查"),
    CaseStatus.REFUSED: _("不予受理，原因见不予受理通知书"),
    CaseStatus.IN_REVIEW: _("主管部门正在审查"),
    CaseStatus.SPECIAL_PROCEDURE: _("正在进行特别程序，这段时间不计入办理时限"),
    CaseStatus.APPROVED: _("审查通过，正在制作办理结果"),
    CaseStatus.DENIED: _("不予许可，原因和救济途径见决定书"),
    CaseStatus.RESULT_READY: _("办理结果已制作好，请到综合出证窗口领取"),
    CaseStatus.CLOSED: _("已办结"),
    CaseStatus.WITHDRAWN: _("申请已撤回"),
    CaseStatus.TERMINATED: _("办理已终止"),
    CaseStatus.REVOKED: _("已撤销"),
}

NOTICE = "notice"
LICENCE = "licence"
DOCUMENT_KINDS = (NOTICE, LICENCE)


@dataclass(frozen=True)
class ProgressStep:
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class CaseProgress:
    case: Case
    number: str
    item_name: str
    department_name: str
    applicant_masked: str
    status_label: str
    status_text: str
    closed: bool
    due_date: dt.date | None
    remaining_days: int | None
    steps: list[ProgressStep]


@dataclass(frozen=True)
class TerminalDocument:
    """A printable document of a case: a written notice or one of its e-licences."""

    kind: str  # NOTICE or LICENCE
    pk: int
    title: str
    reference: str  # the notice's 文书编号 or the licence's number
    issued_on: dt.date

    @property
    def object_type(self) -> str:
        return "cases.casenotice" if self.kind == NOTICE else "licences.licence"


def verified_case(case_id: int) -> Case | None:
    """The case a terminal session verified (by number and ID number) a moment ago."""
    related = ("item_version", "department", "applicant")
    return Case.objects.select_related(*related).filter(pk=case_id).first()


def _remaining(case: Case) -> int | None:
    try:
        return case_selectors.remaining_working_days(case)
    except CalendarYearNotCoveredError:
        return None


def case_progress(case: Case) -> CaseProgress:
    steps = [
        ProgressStep(at=event.at, text=str(PLAIN_STEPS[event.action]))
        for event in case_selectors.case_timeline(case)
        if event.action in PLAIN_STEPS
    ]
    closed = case.status in (
        CaseStatus.CLOSED,
        CaseStatus.REFUSED,
        CaseStatus.WITHDRAWN,
        CaseStatus.TERMINATED,
        CaseStatus.REVOKED,
    )
    return CaseProgress(
        case=case,
        number=case.number,
        item_name=case.item_version.name,
        department_name=case.department.name,
        applicant_masked=mask_name(case.applicant.name),
        status_label=str(CaseStatus(case.status).label),
        status_text=str(PLAIN_STATUS.get(case.status, "")),
        closed=closed,
        due_date=case.due_date,
        remaining_days=None if closed else _remaining(case),
        steps=steps,
    )


def _notice_document(notice: CaseNotice) -> TerminalDocument:
    return TerminalDocument(
        kind=NOTICE,
        pk=notice.pk,
        title=NOTICE_KINDS.get(notice.kind, notice.kind),
        reference=notice.document_number,
        issued_on=notice.issued_at.date(),
    )


def _licence_document(licence: Licence) -> TerminalDocument:
    return TerminalDocument(
        kind=LICENCE,
        pk=licence.pk,
        title=licence.licence_type.name,
        reference=licence.number,
        issued_on=licence.issued_on,
    )


def _notices(case: Case) -> list[CaseNotice]:
    return list(case.notices.defer("pdf", "document").order_by("issued_at", "pk"))


def _licences(case: Case) -> list[Licence]:
    rows = case.licences.filter(status=LicenceStatus.VALID)
    return list(rows.select_related("licence_type").order_by("issued_on", "pk"))


def case_documents(case: Case) -> list[TerminalDocument]:
    """The case's notices (in the order issued), then its valid e-licences."""
    return [*map(_notice_document, _notices(case)), *map(_licence_document, _licences(case))]


def _find(case: Case, *, kind: str, pk: int) -> tuple[TerminalDocument, CaseNotice | Licence]:
    if kind == NOTICE:
        notice = case.notices.filter(pk=pk).first()
        if notice is not None:
            return _notice_document(notice), notice
    elif kind == LICENCE:
        licences = case.licences.filter(pk=pk, status=LicenceStatus.VALID)
        licence = licences.select_related("licence_type", "issuer", "seal", "holder").first()
        if licence is not None:
            return _licence_document(licence), licence
    raise NotFoundError("未找到该文书或证照")


def case_document(case: Case, *, kind: str, pk: int) -> TerminalDocument:
    """One printable document of ``case``; another case's (or an unknown one) is a 404."""
    return _find(case, kind=kind, pk=pk)[0]


def case_document_pdf(case: Case, *, kind: str, pk: int) -> tuple[TerminalDocument, bytes]:
    """The document and its PDF: the notice as issued (rendered once and cached by the cases app), or the
    licence's A4 rendering with its embedded licence file."""
    document, row = _find(case, kind=kind, pk=pk)
    if isinstance(row, CaseNotice):
        return document, case_notices.notice_pdf(row)
    return document, licence_pdf(row)
