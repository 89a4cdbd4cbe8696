"""API of the service hall (``/api/v1/hall``): halls and their live queue, taking a number (kiosk, portal,
desk), and the window's steps (sign in, pause, call next, recall, skip, transfer, finish …).

Taking a number at a kiosk needs no login (the hall's terminals are public) and is rate-limited per
address; a device or integration with a bearer token of a ``hall.issue`` user is not. Handlers fetch,
check and call the services: every rule is theirs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Header, Router, Schema, Status
from pydantic import Field

from yichuang.accounts.models import User
from yichuang.accounts.services import api_token_authenticate
from yichuang.core.errors import ApplicationError, NotFoundError, PermissionDeniedError, TooManyRequestsError
from yichuang.core.http import idempotency_key_from, rate_allowed
from yichuang.core.masking import mask_name
from yichuang.core.permissions import has_capability
from yichuang.hall import calling, hours, queue, selectors, tickets, windows
from yichuang.hall.models import Hall, Ticket, TicketEvent, TicketSource, Window

router = Router(tags=["服务大厅"])


def kiosk_tickets_per_minute() -> int:
    return int(settings.YICHUANG_KIOSK_TICKETS_PER_MINUTE)


class CategoryOut(Schema):
    code: str
    name: str
    prefix: str
    waiting: int
    wait_minutes: int = Field(description="新取号的预计等候时间（分钟）")
    bookable: bool


class HallOut(Schema):
    code: str
    name: str
    address: str
    phone: str
    open_now: bool
    hours_today: str
    categories: list[CategoryOut]


class CallOut(Schema):
    event_id: int
    number: str
    window: str
    kind: str
    at: dt.datetime


class WindowOut(Schema):
    id: int
    number: str
    name: str
    kind: str
    status: str
    status_label: str
    clerk: str
    current: str = Field(description="当前叫号或办理中的号码")
    categories: list[str]
    is_reserve: bool
    opened_by_tidal: bool


class QueueOut(Schema):
    hall: HallOut
    calls: list[CallOut]
    windows: list[WindowOut]


class TicketIn(Schema):
    hall: str = Field(description="大厅编码")
    category: str = Field(description="业务类别编码")
    source: str = Field("kiosk", description="kiosk 自助取号机 · portal 网上取号 · desk 窗口/导办取号")
    holder_name: str = ""
    id_number: str = Field("", description="可选；65周岁以上自动进入绿色通道")
    phone: str = Field("", description="可选；前面还剩3人时短信提醒")
    priority: str = Field("", description="绿色通道：elderly、disabled、pregnant、serviceman、key_project")
    idempotency_key: str | None = None


class TicketOut(Schema):
    id: int
    number: str
    category: str
    category_name: str
    status: str
    status_label: str
    priority: str
    source: str
    issued_at: dt.datetime
    ahead: int
    wait_minutes: int
    window: str = Field(description="叫号窗口（已叫号、办理中时）")
    target_window: str = Field(description="转入的窗口（转窗等候时）")


class QueueEntryOut(Schema):
    id: int
    number: str
    category: str
    priority: str
    appointment_at: dt.datetime | None
    waited_minutes: int
    holder: str


class PauseIn(Schema):
    reason: str = ""


class HandOverIn(Schema):
    to_clerk: int = Field(description="接班工作人员的用户ID")


class TransferIn(Schema):
    to_window: int = Field(description="转入窗口的ID")
    note: str = ""


class StepOut(Schema):
    window: WindowOut
    ticket: TicketOut | None


def _hall(code: str) -> Hall:
    hall = Hall.objects.filter(code=code, is_active=True).first()
    if hall is None:
        raise NotFoundError("未找到该服务大厅")
    return hall


def hall_out(hall: Hall, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    categories = list(hall.categories.filter(is_active=True))
    waiting = queue.waiting_by_category(hall.pk, now)
    return {
        "code": hall.code,
        "name": hall.name,
        "address": hall.address,
        "phone": hall.phone,
        "open_now": hours.is_open(hall, now),
        "hours_today": hours.hours_label(hall, hours.local_day(now)),
        "categories": [
            {
                "code": c.code,
                "name": c.name,
                "prefix": c.prefix,
                "waiting": waiting.get(c.pk, 0),
                "wait_minutes": queue.predicted_wait_minutes(c, waiting.get(c.pk, 0), now=now),
                "bookable": c.bookable,
            }
            for c in categories
        ],
    }


def window_out(window: Window, current: Ticket | None = None) -> dict[str, Any]:
    return {
        "id": window.pk,
        "number": window.number,
        "name": window.name,
        "kind": window.kind,
        "status": window.status,
        "status_label": window.get_status_display(),
        "clerk": str(window.clerk) if window.clerk_id else "",
        "current": current.number if current else "",
        "categories": [c.code for c in window.categories.all()],
        "is_reserve": window.is_reserve,
        "opened_by_tidal": window.opened_by_tidal,
    }


def ticket_out(
    ticket: Ticket, now: dt.datetime | None = None, info: tickets.TicketInfo | None = None
) -> dict[str, Any]:
    info = info or tickets.ticket_info(ticket, now)
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "category": ticket.category.code,
        "category_name": ticket.category.name,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "priority": ticket.priority,
        "source": ticket.source,
        "issued_at": ticket.issued_at,
        "ahead": info.ahead,
        "wait_minutes": info.wait_minutes,
        "window": ticket.window.number if ticket.window_id and ticket.window else "",
        "target_window": ticket.target_window.number
        if ticket.target_window_id and ticket.target_window
        else "",
    }


@router.get("/halls", response=list[HallOut], auth=None, summary="服务大厅、业务类别与当前等候情况（公开）")
def hall_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [hall_out(hall) for hall in Hall.objects.filter(is_active=True).order_by("code")]


@router.get(
    "/halls/{code}/queue",
    response=QueueOut,
    auth=None,
    summary="大厅实时叫号：最近叫号、窗口、等候（公开，供显示屏）",
)
def hall_queue(request: HttpRequest, code: str) -> dict[str, Any]:
    hall = _hall(code)
    now = timezone.now()
    calls = (
        TicketEvent.objects.filter(
            ticket__hall=hall,
            ticket__day=hours.local_day(now),
            kind__in=[TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED],
        )
        .select_related("ticket", "window")
        .order_by("-at", "-id")[:10]
    )
    hall_windows = list(
        Window.objects.filter(hall=hall, is_active=True)
        .select_related("clerk")
        .prefetch_related("categories")
    )
    current = {
        t.window_id: t
        for t in Ticket.objects.filter(window__in=hall_windows, status__in=["called", "serving"]).only(
            "number", "window_id"
        )
    }
    return {
        "hall": hall_out(hall, now),
        "calls": [
            {
                "event_id": e.pk,
                "number": e.ticket.number,
                "window": e.window.number if e.window else "",
                "kind": e.kind,
                "at": e.at,
            }
            for e in calls
        ],
        "windows": [window_out(w, current.get(w.pk)) for w in hall_windows],
    }


def _bearer_user(request: HttpRequest) -> User | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        user = api_token_authenticate(header[7:].strip())
        if user is None:
            raise ApplicationError("接口令牌无效或已吊销", code="not_authenticated")
        return user
    return None


def _session_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    # This endpoint skips the API's session scheme (kiosks post without a session): check CSRF here.
    if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:  # type: ignore[arg-type]
        raise PermissionDeniedError("请求缺少有效的 CSRF 令牌，请刷新页面后重试", code="csrf_failed")
    return user


@router.post(
    "/tickets",
    response={201: TicketOut},
    auth=None,
    summary="取号（自助机无需登录；网上取号、导办取号需登录）",
)
def ticket_issue(
    request: HttpRequest,
    payload: TicketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status:
    actor = _bearer_user(request) or _session_user(request)
    if actor is None or not has_capability(actor, "hall.issue"):
        if payload.source != TicketSource.KIOSK and actor is None:
            raise ApplicationError("网上取号、导办取号请先登录", code="not_authenticated")
        if not rate_allowed(request, bucket="hall:kiosk", per_minute=kiosk_tickets_per_minute()):
            raise TooManyRequestsError(
                f"取号过于频繁，请稍后再试（每分钟最多{kiosk_tickets_per_minute()}次）", code="rate_limited"
            )
    category = selectors.category_by_codes(payload.hall, payload.category)
    if category is None:
        _hall(payload.hall)  # 404 for an unknown hall
        raise ApplicationError("该业务类别不在本大厅办理", fields={"category": ["请选择本大厅的业务类别"]})
    ticket = tickets.ticket_issue(
        hall=category.hall,
        category=category,
        source=payload.source,
        actor=actor,
        holder_name=payload.holder_name,
        id_number=payload.id_number,
        phone=payload.phone,
        priority=payload.priority,
        idempotency_key=idempotency_key_from(idempotency_key, payload.idempotency_key),
    )
    return Status(201, ticket_out(ticket, info=tickets.issued_info(ticket)))


@router.get("/tickets/mine", response=list[TicketOut], summary="我今天的排队号")
def ticket_mine(request: HttpRequest) -> list[dict[str, Any]]:
    now = timezone.now()
    mine = Ticket.objects.filter(user_id=int(request.user.pk or 0), day=hours.local_day(now)).select_related(
        "category", "window", "target_window"
    )
    return [ticket_out(t, now) for t in mine]


@router.post("/tickets/{ticket_id}/cancel", response=TicketOut, summary="取消等候中的号码（本人或导办人员）")
def ticket_cancel(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    ticket = get_object_or_404(Ticket.objects.select_related("category"), pk=ticket_id)
    if ticket.user_id != request.user.pk and not has_capability(request.user, "hall.issue"):
        raise NotFoundError("未找到该号码")
    return ticket_out(tickets.ticket_cancel(ticket=ticket, actor=request.user))


def _window(request: HttpRequest, window_id: int) -> Window:
    window = get_object_or_404(Window.objects.select_related("hall", "department", "clerk"), pk=window_id)
    if not windows.may_serve_at(request.user, window):
        raise NotFoundError("未找到该窗口，或您不能在此窗口服务")
    return window


def _step(window: Window, ticket: Ticket | None) -> dict[str, Any]:
    window = Window.objects.select_related("clerk").prefetch_related("categories").get(pk=window.pk)
    current = windows.current_ticket(window)
    return {"window": window_out(window, current), "ticket": ticket_out(ticket) if ticket else None}


@router.get("/windows", response=list[WindowOut], summary="我可以签到服务的窗口")
def window_list(request: HttpRequest, hall: str = "") -> list[dict[str, Any]]:
    rows = (
        Window.objects.filter(is_active=True)
        .select_related("clerk", "department")
        .prefetch_related("categories")
    )
    if hall:
        rows = rows.filter(hall__code=hall)
    return [window_out(w, windows.current_ticket(w)) for w in rows if windows.may_serve_at(request.user, w)]


@router.get(
    "/windows/{window_id}/queue", response=list[QueueEntryOut], summary="本窗口的等候队列（叫号顺序）"
)
def window_queue(request: HttpRequest, window_id: int, limit: int = 50) -> list[dict[str, Any]]:
    window = _window(request, window_id)
    now = timezone.now()
    rows = queue.window_queue(window, now).select_related("category")[: max(1, min(limit, 200))]
    return [
        {
            "id": t.pk,
            "number": t.number,
            "category": t.category.code,
            "priority": t.priority,
            "appointment_at": t.slot_at,
            "waited_minutes": int((now - t.issued_at).total_seconds() // 60),
            "holder": mask_name(t.holder_name),
        }
        for t in rows
    ]


@router.post("/windows/{window_id}/sign-in", response=StepOut, summary="签到开窗")
def window_sign_in(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = windows.window_sign_in(window=_window(request, window_id), actor=request.user)
    return _step(window, None)


@router.post("/windows/{window_id}/pause", response=StepOut, summary="暂停服务")
def window_pause(request: HttpRequest, window_id: int, payload: PauseIn) -> dict[str, Any]:
    window = windows.window_pause(
        window=_window(request, window_id), actor=request.user, reason=payload.reason
    )
    return _step(window, None)


@router.post("/windows/{window_id}/resume", response=StepOut, summary="恢复服务")
def window_resume(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = windows.window_resume(window=_window(request, window_id), actor=request.user)
    return _step(window, None)


@router.post("/windows/{window_id}/close", response=StepOut, summary="签退关窗")
def window_close(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = windows.window_close(window=_window(request, window_id), actor=request.user)
    return _step(window, None)


@router.post("/windows/{window_id}/hand-over", response=StepOut, summary="窗口移交给接班人员")
def window_hand_over(request: HttpRequest, window_id: int, payload: HandOverIn) -> dict[str, Any]:
    to_clerk = User.objects.filter(pk=payload.to_clerk, is_active=True).first()
    if to_clerk is None:
        raise ApplicationError("未找到接班人员", fields={"to_clerk": ["未找到该工作人员"]})
    window = windows.window_hand_over(
        window=_window(request, window_id), actor=request.user, to_clerk=to_clerk
    )
    return _step(window, None)


@router.post(
    "/windows/{window_id}/call-next", response=StepOut, summary="叫号：下一位（绿色通道、到时预约优先）"
)
def call_next(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = _window(request, window_id)
    return _step(window, calling.ticket_call_next(window=window, actor=request.user))


@router.post("/windows/{window_id}/recall", response=StepOut, summary="重呼")
def recall(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = _window(request, window_id)
    return _step(window, calling.ticket_recall(window=window, actor=request.user))


@router.post("/windows/{window_id}/start", response=StepOut, summary="开始办理")
def start(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = _window(request, window_id)
    return _step(window, calling.ticket_start(window=window, actor=request.user))


@router.post("/windows/{window_id}/skip", response=StepOut, summary="过号（首次重新排队，再次作废）")
def skip(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = _window(request, window_id)
    return _step(window, calling.ticket_skip(window=window, actor=request.user))


@router.post("/windows/{window_id}/transfer", response=StepOut, summary="转窗（保留排队位置）")
def transfer(request: HttpRequest, window_id: int, payload: TransferIn) -> dict[str, Any]:
    window = _window(request, window_id)
    target = Window.objects.filter(pk=payload.to_window, hall_id=window.hall_id).first()
    if target is None:
        raise ApplicationError("请选择本大厅的其他窗口", fields={"to_window": ["未找到该窗口"]})
    return _step(
        window,
        calling.ticket_transfer(window=window, actor=request.user, to_window=target, note=payload.note),
    )


@router.post("/windows/{window_id}/finish", response=StepOut, summary="办结（窗口评价器转到评价页）")
def finish(request: HttpRequest, window_id: int) -> dict[str, Any]:
    window = _window(request, window_id)
    return _step(window, calling.ticket_finish(window=window, actor=request.user))
