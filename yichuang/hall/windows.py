"""A window's shift: a clerk signs in at it, pauses and resumes it, hands it over, signs out.

A staff member may serve at a window of a department in his scope (the comprehensive windows belong to
the centre, a 分领域 window to the department that staffs it); the admin may act at any window, e.g. to
close one a clerk left open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from yichuang.accounts.models import User
from yichuang.accounts.policies import department_in_scope
from yichuang.accounts.roles import Role
from yichuang.core.audit import audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.permissions import has_capability, require_capability
from yichuang.hall.models import Ticket, TicketStatus, Window, WindowEvent, WindowStatus
from yichuang.hall.workflow import window_transition


def may_serve_at(user: Any, window: Window) -> bool:
    if not has_capability(user, "hall.serve"):
        return False
    return bool(user.role == Role.ADMIN or department_in_scope(user, window.department))


def _require_may_serve(user: Any, window: Window) -> None:
    require_capability(user, "hall.serve", "您没有在窗口服务的权限")
    if not may_serve_at(user, window):
        raise PermissionDeniedError(f"您不属于{window.department}，不能在{window}服务")


def _lock(window: Window) -> Window:
    return (
        Window.objects.select_related("hall", "department").select_for_update(of=("self",)).get(pk=window.pk)
    )


def _require_own(window: Window, actor: Any) -> None:
    if window.clerk_id != actor.pk and getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDeniedError(f"{window}当前由其他工作人员签到服务")


def current_ticket(window: Window) -> Ticket | None:
    return (
        Ticket.objects.select_related("category")
        .filter(window=window, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .first()
    )


def _refuse_other_window(user: Any, window: Window) -> None:
    other = Window.objects.filter(clerk=user).exclude(pk=window.pk).first()
    if other is not None:
        raise ConflictError(f"{user}已在{other}签到，请先在该窗口签退", code="clerk_busy")


@audited_atomic
def window_sign_in(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Window:
    _require_may_serve(actor, window)
    locked = _lock(window)
    if not locked.is_active:
        raise ApplicationError(f"{locked}已停用", code="window_inactive")
    if locked.status != WindowStatus.CLOSED:
        if locked.clerk_id == actor.pk:
            return locked  # signed in already (a double submit)
        raise ConflictError(f"{locked}已由{locked.clerk}签到，如需接班请由其移交窗口", code="window_taken")
    _refuse_other_window(actor, locked)
    window_transition(
        window=locked,
        to=WindowStatus.OPEN,
        event=WindowEvent.Kind.SIGNED_IN,
        actor=actor,
        at=now or timezone.now(),
        changes={"clerk": actor, "pause_reason": "", "opened_by_tidal": False},
    )
    return locked


@audited_atomic
def window_pause(*, window: Window, actor: Any, reason: str = "", now: dt.datetime | None = None) -> Window:
    locked = _lock(window)
    _require_own(locked, actor)
    reason = (reason or "").strip()[:100] or "暂停服务"
    window_transition(
        window=locked,
        to=WindowStatus.PAUSED,
        event=WindowEvent.Kind.PAUSED,
        actor=actor,
        at=now or timezone.now(),
        changes={"pause_reason": reason},
        note=reason,
    )
    return locked


@audited_atomic
def window_resume(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Window:
    locked = _lock(window)
    _require_own(locked, actor)
    if locked.status != WindowStatus.PAUSED:  # a closed window opens by signing in, with its clerk
        raise ConflictError(
            f"{locked}当前为“{locked.get_status_display()}”，不能恢复服务",
            code="window_state",
            extra={"status": locked.status},
        )
    window_transition(
        window=locked,
        to=WindowStatus.OPEN,
        event=WindowEvent.Kind.RESUMED,
        actor=actor,
        at=now or timezone.now(),
        changes={"pause_reason": ""},
    )
    return locked


@audited_atomic
def window_close(*, window: Window, actor: Any, now: dt.datetime | None = None) -> Window:
    """Sign out. A ticket still at the counter must be finished, skipped or transferred first."""
    locked = _lock(window)
    _require_own(locked, actor)
    at_counter = current_ticket(locked)
    if at_counter is not None:
        raise ConflictError(
            f"号码 {at_counter.number} 尚在窗口办理，请先办结、过号或转窗后再签退", code="window_busy"
        )
    window_transition(
        window=locked,
        to=WindowStatus.CLOSED,
        event=WindowEvent.Kind.CLOSED,
        actor=actor,
        at=now or timezone.now(),
        changes={"clerk": None, "pause_reason": "", "opened_by_tidal": False, "rating_ticket": None},
    )
    return locked


@audited_atomic
def window_hand_over(*, window: Window, actor: Any, to_clerk: User, now: dt.datetime | None = None) -> Window:
    """窗口移交: the next clerk takes the window over as it is, ticket at the counter included."""
    locked = _lock(window)
    _require_own(locked, actor)
    if locked.status == WindowStatus.CLOSED:
        raise ConflictError(f"{locked}未开放，无需移交", code="window_state")
    if to_clerk.pk == locked.clerk_id:
        raise ApplicationError(
            "接班人员不能是当前签到人员", code="invalid", fields={"to_clerk": ["请选择其他工作人员"]}
        )
    if not to_clerk.is_active or not may_serve_at(to_clerk, locked):
        raise ApplicationError(
            f"{to_clerk}不能在{locked}服务（须为本窗口所属部门的窗口工作人员）",
            code="invalid",
            fields={"to_clerk": ["该人员不能在此窗口服务"]},
        )
    _refuse_other_window(to_clerk, locked)
    before = locked.clerk
    window_transition(
        window=locked,
        to=locked.status,
        event=WindowEvent.Kind.HANDED_OVER,
        actor=actor,
        at=now or timezone.now(),
        changes={"clerk": to_clerk},
        note=f"{before} → {to_clerk}",
    )
    Ticket.objects.filter(window=locked, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]).update(
        clerk=to_clerk
    )
    return locked


def window_rating_closed(*, window_id: int, ticket_id: int) -> bool:
    """The rating of ``ticket_id`` was given: the window's counter screen leaves its rating page (only if
    that ticket's rating is still the one open there; the next call may have replaced it)."""
    return bool(Window.objects.filter(pk=window_id, rating_ticket_id=ticket_id).update(rating_ticket=None))
