"""潮汐窗口: reserve windows open when a category's queue passes its rule's threshold, close when it falls.

Evaluated after every call, skip, transfer, finish or cancel and by the hall sweep; after a number is
taken only that category's rule, once its queue reaches an opening threshold (a new number never shortens
a queue, and a kiosk burst must not lock the reserve windows once per number). Each evaluation opens or
closes at most one reserve window per category, so a burst opens them one by one as the queue keeps
growing; a window closes only when nobody is at its counter. Every opening and closing is in the
window's log with the figures that caused it, and in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils import timezone

from yichuang.core.audit import audited_atomic
from yichuang.core.notifications import notify, register_template
from yichuang.hall import memo, queue
from yichuang.hall.models import (
    ServiceCategory,
    Ticket,
    TicketStatus,
    TidalRule,
    Window,
    WindowEvent,
    WindowStatus,
)
from yichuang.hall.workflow import window_transition

logger = logging.getLogger("yichuang.hall.tidal")

STANDBY_TEMPLATE = "hall.tidal_opened"
register_template(
    STANDBY_TEMPLATE,
    "【{hall}】{category}等候{waiting}人，潮汐窗口{window}号已开放，请立即到岗服务。",
    subject="潮汐窗口开放：{window}号",
)


@dataclass(frozen=True)
class TidalChange:
    window: str
    category: str
    opened: bool
    waiting: int
    wait_minutes: int


def tidal_evaluate(*, hall_id: int, now: dt.datetime | None = None) -> list[TidalChange]:
    now = now or timezone.now()
    changes: list[TidalChange] = []
    rules = TidalRule.objects.filter(
        is_active=True, category__hall_id=hall_id, category__is_active=True
    ).select_related("category", "category__hall")
    for rule in rules:
        try:
            change = _evaluate_rule(rule, now)
        except Exception:  # one category's failure must not stop the others, nor the caller's request
            logger.exception("tidal evaluation failed for category %s", rule.category_id)
            continue
        if change is not None:
            changes.append(change)
    return changes


@dataclass(frozen=True)
class _Opening:
    """A category's active rule's opening thresholds, while one of its reserve windows can still open."""

    rule_id: int
    open_waiting: int
    open_wait_minutes: int


def _opening(category_id: int) -> _Opening | None:
    rule = TidalRule.objects.filter(category_id=category_id, is_active=True, category__is_active=True).first()
    if rule is None:
        return None
    closed_reserve = Window.objects.filter(
        categories=category_id,
        is_reserve=True,
        is_active=True,
        status=WindowStatus.CLOSED,
        standby_clerk__isnull=False,
    )
    if not closed_reserve.exists():  # every reserve window is open already: nothing to open
        return None
    return _Opening(rule.pk, rule.open_waiting, rule.open_wait_minutes)


def tidal_after_issue(ticket: Ticket, now: dt.datetime) -> TidalChange | None:
    """After a number is taken: evaluate its category's rule only when the queue reaches an opening
    threshold, as a kiosk burst would otherwise lock the reserve windows once per number. The count
    comes from the issue itself (everyone ahead of a new number in the ordinary lane, plus that number);
    the rule and whether a reserve window is still closed come from the hall memo."""
    opening = memo.remembered(
        ticket.hall_id, ("tidal", ticket.category_id), lambda: _opening(ticket.category_id)
    )
    if opening is None:
        return None
    ordinary = not ticket.priority and not ticket.slot_at and ticket.ahead_at_issue is not None
    waiting = (
        ticket.ahead_at_issue + 1  # type: ignore[operator]
        if ordinary
        else queue.category_queue(ticket.category, now).count()
    )
    minutes = queue.predicted_wait_minutes(ticket.category, waiting, now=now)
    if waiting < opening.open_waiting and minutes < opening.open_wait_minutes:
        return None
    rule = TidalRule.objects.select_related("category", "category__hall").get(pk=opening.rule_id)
    try:
        return _evaluate_rule(rule, now)
    except Exception:  # the number is taken and committed; a failed evaluation must not fail the kiosk
        logger.exception("tidal evaluation failed for category %s", rule.category_id)
        return None


def _figures(category: ServiceCategory, now: dt.datetime) -> tuple[int, int]:
    waiting = queue.category_queue(category, now).count()
    return waiting, queue.predicted_wait_minutes(category, waiting, now=now)


@audited_atomic
def _evaluate_rule(rule: TidalRule, now: dt.datetime) -> TidalChange | None:
    category = rule.category
    waiting, minutes = _figures(category, now)
    reserves = Window.objects.select_for_update().filter(
        hall_id=category.hall_id, categories=category, is_reserve=True, is_active=True
    )
    data = {"waiting": waiting, "wait_minutes": minutes}
    if waiting >= rule.open_waiting or minutes >= rule.open_wait_minutes:
        busy_clerks = set(Window.objects.exclude(clerk=None).values_list("clerk_id", flat=True))
        for window in reserves.filter(status=WindowStatus.CLOSED, standby_clerk__isnull=False).order_by(
            "position", "number"
        ):
            if window.standby_clerk_id in busy_clerks or not window.standby_clerk.is_active:  # type: ignore[union-attr]
                continue
            reason = (
                f"{category.name}等候{waiting}人、预计等候{minutes}分钟，"
                f"达到开放阈值（{rule.open_waiting}人或{rule.open_wait_minutes}分钟）"
            )
            window_transition(
                window=window,
                to=WindowStatus.OPEN,
                event=WindowEvent.Kind.TIDAL_OPENED,
                actor=None,
                at=now,
                changes={"clerk": window.standby_clerk, "opened_by_tidal": True, "pause_reason": ""},
                note=reason,
                data=data,
                category=category,
            )
            clerk = window.standby_clerk
            if clerk is not None and clerk.phone:
                notify(
                    channel="sms",
                    to=clerk.phone,
                    template=STANDBY_TEMPLATE,
                    context={
                        "hall": category.hall.name,
                        "category": category.name,
                        "waiting": waiting,
                        "window": window.number,
                    },
                    related=window,
                )
            return TidalChange(window.number, category.name, True, waiting, minutes)
        return None
    if waiting <= rule.close_waiting and minutes <= rule.close_wait_minutes:
        busy = set(
            Ticket.objects.filter(
                status__in=[TicketStatus.CALLED, TicketStatus.SERVING], window__in=reserves
            ).values_list("window_id", flat=True)
        )
        # A window just opened serves its minimum time first, so a short dip does not close it.
        opened_before = now - dt.timedelta(minutes=rule.min_open_minutes)
        for window in (
            reserves.filter(opened_by_tidal=True)
            .exclude(status=WindowStatus.CLOSED)
            .order_by("-position", "-number")
        ):
            if window.pk in busy or (window.status_changed_at and window.status_changed_at > opened_before):
                continue
            window_transition(
                window=window,
                to=WindowStatus.CLOSED,
                event=WindowEvent.Kind.TIDAL_CLOSED,
                actor=None,
                at=now,
                changes={"clerk": None, "opened_by_tidal": False, "rating_ticket": None},
                note=f"{category.name}等候{waiting}人、预计等候{minutes}分钟，回落到关闭阈值",
                data=data,
                category=category,
            )
            return TidalChange(window.number, category.name, False, waiting, minutes)
    return None
