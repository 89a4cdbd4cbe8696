"""API of the case lifecycle: one POST per service (materials, accept, refuse, correction, supply, review,
decide, result, delivery, withdraw, terminate, revoke, special procedures, extension request). Illegal
moves come back as 409 with the service's message, refusals as 403/404 from the policies."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from yichuang.accounts.models import User
from yichuang.cases import services, timing
from yichuang.cases.models import Case
from yichuang.cases.schemas import (
    AcceptIn,
    CaseOut,
    DecideIn,
    DeliverIn,
    ExtensionIn,
    ExtensionOut,
    FindingsIn,
    MaterialOut,
    NoteIn,
    ReasonIn,
    RefuseIn,
    ReviewIn,
    SpecialProcedureFinishIn,
    SpecialProcedureIn,
    SpecialProcedureOut,
    case_out,
    extension_out,
    materials_out,
    procedure_out,
)
from yichuang.core.errors import NotFoundError

router = Router(tags=["办件"])


def _case(case_id: int) -> Case:
    """The case the path names, for the service to lock and read: it answers 404 outside the caller's
    scope before anything else, and its read brings what the answer shows (``case_out``)."""
    return Case(pk=case_id)


@router.post("/{case_id}/materials", response=list[MaterialOut], summary="核验材料（逐项记录核验结果）")
def case_materials_check(request: HttpRequest, case_id: int, payload: FindingsIn) -> list[dict[str, Any]]:
    rows = services.case_check_materials(
        actor=request.user,
        case=_case(case_id),
        findings={row.case_material_id: (row.state, row.note) for row in payload.findings},
    )
    return materials_out(rows)


@router.post("/{case_id}/accept", response=CaseOut, summary="受理（含容缺受理）")
def case_accept(request: HttpRequest, case_id: int, payload: AcceptIn) -> dict[str, Any]:
    case = services.case_accept(
        actor=request.user,
        case=_case(case_id),
        deficiency_commitment=payload.deficiency_commitment,
        note=payload.note,
    )
    return case_out(case)


@router.post("/{case_id}/refuse", response=CaseOut, summary="不予受理")
def case_refuse(request: HttpRequest, case_id: int, payload: RefuseIn) -> dict[str, Any]:
    case = services.case_refuse(
        actor=request.user,
        case=_case(case_id),
        reason=payload.reason,
        competent_office=payload.competent_office,
    )
    return case_out(case)


@router.post("/{case_id}/correction", response=CaseOut, summary="一次性告知补正")
def case_correction(request: HttpRequest, case_id: int, payload: NoteIn) -> dict[str, Any]:
    case = services.case_request_correction(actor=request.user, case=_case(case_id), note=payload.note)
    return case_out(case)


@router.post("/{case_id}/supply", response=CaseOut, summary="提交补正材料")
def case_supply(request: HttpRequest, case_id: int, payload: NoteIn) -> dict[str, Any]:
    case = services.case_supply_correction(actor=request.user, case=_case(case_id), note=payload.note)
    return case_out(case)


@router.post("/{case_id}/review", response=CaseOut, summary="开始审查（指定本部门审查人）")
def case_review(request: HttpRequest, case_id: int, payload: ReviewIn) -> dict[str, Any]:
    reviewer = None
    if payload.reviewer_id is not None:
        reviewer = User.objects.filter(pk=payload.reviewer_id, is_active=True).first()
        if reviewer is None:
            raise NotFoundError("未找到该审查人员", fields={"reviewer_id": ["不存在"]})
    case = services.case_start_review(actor=request.user, case=_case(case_id), reviewer=reviewer)
    return case_out(case)


@router.post("/{case_id}/decide", response=CaseOut, summary="作出准予或不予决定")
def case_decide(request: HttpRequest, case_id: int, payload: DecideIn) -> dict[str, Any]:
    case = services.case_decide(
        actor=request.user,
        case=_case(case_id),
        decision=payload.decision,
        reason=payload.reason,
        result=payload.result.dict() if payload.result is not None else None,
    )
    return case_out(case)


@router.post("/{case_id}/result-ready", response=CaseOut, summary="办理结果已制作，待送达")
def case_result_ready(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = services.case_result_ready(actor=request.user, case=_case(case_id))
    return case_out(case)


@router.post("/{case_id}/deliver", response=CaseOut, summary="送达（窗口领取或邮寄）")
def case_deliver(request: HttpRequest, case_id: int, payload: DeliverIn) -> dict[str, Any]:
    case = services.case_deliver(
        actor=request.user,
        case=_case(case_id),
        method=payload.method,
        recipient=payload.recipient,
        tracking_number=payload.tracking_number,
    )
    return case_out(case)


@router.post("/{case_id}/withdraw", response=CaseOut, summary="撤回申请")
def case_withdraw(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict[str, Any]:
    case = services.case_withdraw(actor=request.user, case=_case(case_id), reason=payload.reason)
    return case_out(case)


@router.post("/{case_id}/terminate", response=CaseOut, summary="终止办理")
def case_terminate(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict[str, Any]:
    case = services.case_terminate(actor=request.user, case=_case(case_id), reason=payload.reason)
    return case_out(case)


@router.post("/{case_id}/revoke", response=CaseOut, summary="撤销")
def case_revoke(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict[str, Any]:
    case = services.case_revoke(actor=request.user, case=_case(case_id), reason=payload.reason)
    return case_out(case)


@router.post(
    "/{case_id}/special-procedures", response={201: SpecialProcedureOut}, summary="启动特别程序（暂停计时）"
)
def case_special_procedure_start(request: HttpRequest, case_id: int, payload: SpecialProcedureIn) -> Status:
    procedure = timing.case_special_procedure_start(
        actor=request.user,
        case=_case(case_id),
        kind=payload.kind,
        name=payload.name,
        days=payload.days,
        reason=payload.reason,
    )
    return Status(201, procedure_out(procedure))


@router.post("/{case_id}/special-procedures/finish", response=CaseOut, summary="结束特别程序（恢复计时）")
def case_special_procedure_finish(
    request: HttpRequest, case_id: int, payload: SpecialProcedureFinishIn
) -> dict[str, Any]:
    case = timing.case_special_procedure_finish(
        actor=request.user, case=_case(case_id), result=payload.result
    )
    return case_out(case)


@router.post("/{case_id}/extensions", response={201: ExtensionOut}, summary="申请延长办理期限")
def case_extension_request(request: HttpRequest, case_id: int, payload: ExtensionIn) -> Status:
    extension = timing.case_extension_request(
        actor=request.user, case=_case(case_id), days=payload.days, reason=payload.reason
    )
    return Status(201, extension_out(extension))
