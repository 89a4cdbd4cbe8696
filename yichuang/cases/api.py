"""API of the case lifecycle (``/api/v1/cases``): submit with an idempotency key, lists and details in the
caller's scope, the public progress lookup; the steps of the lifecycle are in ``api_actions`` and files,
notices, extensions, verifications and credit marks in ``api_records``. Handlers only fetch through the
selectors and call the services: every check (who, which department, which state) is theirs.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from yichuang.accounts import selectors as accounts_selectors
from yichuang.cases import selectors, services, views_track
from yichuang.cases.api_actions import router as actions_router
from yichuang.cases.api_records import router as records_router
from yichuang.cases.models import CaseStatus, DeadlineState
from yichuang.cases.schemas import (
    CASE_OUT_FIELDS,
    CaseDetailOut,
    CasePageOut,
    SubmitIn,
    TrackOut,
    case_detail_out,
    case_out,
    track_out,
)
from yichuang.catalog.models import ServiceItem
from yichuang.core.errors import ApplicationError, TooManyRequestsError
from yichuang.core.http import idempotency_key_from

router = Router(tags=["办件"])


class CaseFilter(Schema):
    status: str = Field("", description="状态，多个用逗号分隔，如 accepted,in_review")
    deadline_state: str = Field("", description="none · normal · warning · overdue · paused")
    q: str = Field("", description="办件编号（前缀）、事项名称或申请人姓名")
    open_only: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


def _idempotency_key(header: str | None, body: str | None) -> str | None:
    return idempotency_key_from(header, body)


@router.post("/", response={200: CaseDetailOut, 201: CaseDetailOut}, summary="提交申请（网上申请或窗口接件）")
def case_submit(
    request: HttpRequest,
    payload: SubmitIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status:
    """同一提交人用同一幂等键重复提交，返回原办件（200）；该键已用于另一份申请时返回 409。"""
    key = _idempotency_key(idempotency_key, payload.idempotency_key)
    item = ServiceItem(pk=payload.item_id)  # the service reads it (404 when there is none)
    applicant = accounts_selectors.applicant_get(actor=request.user, applicant_id=payload.applicant_id)
    # A repeat (a double click, a client retrying after a timeout, even at the same moment) gets the
    # first one's case back: one case, and 200 for the repeat.
    submission = services.case_submit_or_repeat(
        actor=request.user,
        item=item,
        applicant=applicant,
        channel=payload.channel,
        idempotency_key=key,
        by_commitment=payload.by_commitment,
        use_licences=payload.use_licences,
    )
    if submission.repeat:
        return Status(
            200, case_detail_out(selectors.case_get(actor=request.user, case_id=submission.case.pk))
        )
    return Status(201, case_detail_out(submission.case, received=submission))


def _statuses(value: str) -> list[str]:
    statuses = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [status for status in statuses if status not in CaseStatus.values]
    if unknown:
        raise ApplicationError(f"状态无效：{'、'.join(unknown)}", fields={"status": ["无效"]})
    return statuses


@router.get("/", response=CasePageOut, summary="办件列表（本人或本部门可见范围）")
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    if filters.deadline_state and filters.deadline_state not in DeadlineState.values:
        raise ApplicationError("时限状态无效", fields={"deadline_state": ["无效"]})
    cases = selectors.case_list(
        actor=request.user,
        statuses=_statuses(filters.status),
        query=filters.q,
        deadline_state=filters.deadline_state,
        open_only=filters.open_only,
    ).only(*CASE_OUT_FIELDS)
    today = timezone.localdate()
    page = cases[filters.offset : filters.offset + filters.limit]
    return {
        "total": cases.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "cases": [case_out(case, today=today) for case in page],
    }


@router.get("/track", response=TrackOut, auth=None, summary="办件进度查询（公开）")
def case_track(request: HttpRequest, number: str = "", id_number: str = "") -> dict[str, Any]:
    """凭办件编号和申请人身份证号码（或统一社会信用代码）查询进度；只返回不含个人信息的进度。
    与页面 /track/ 共用每个地址每分钟的查询次数上限（防止猜测证件号码）。"""
    if not views_track.lookup_allowed(request):
        raise TooManyRequestsError(
            views_track.RATE_LIMITED_MESSAGE % {"n": views_track.lookups_per_minute()}, code="rate_limited"
        )
    return track_out(selectors.case_public_lookup(number=number, id_number=id_number))


@router.get("/by-number/{number}", response=CaseDetailOut, summary="按办件编号查看办件")
def case_by_number(request: HttpRequest, number: str) -> dict[str, Any]:
    return case_detail_out(selectors.case_get(actor=request.user, number=number))


@router.get("/{case_id}", response=CaseDetailOut, summary="办件详情：材料、时间线、文书、文件、时限")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_detail_out(selectors.case_get(actor=request.user, case_id=case_id))


router.add_router("", actions_router)
router.add_router("", records_router)
