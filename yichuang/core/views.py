"""Screens of the core app: the working-day calendar and the audit log."""

from __future__ import annotations

import calendar as month_grid
import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yichuang.core import calendar, services
from yichuang.core import notifications as notifications_module
from yichuang.core.audit import audit_verify_chain
from yichuang.core.errors import ApplicationError
from yichuang.core.masking import mask_text
from yichuang.core.models import AuditEvent, Notification
from yichuang.core.permissions import has_capability, require_capability

MONTH_NAMES = [f"{m}月" for m in range(1, 13)]
WEEKDAY_NAMES = ["一", "二", "三", "四", "五", "六", "日"]


def _months(year: int) -> list[dict]:
    by_date = {info.date: info for info in calendar.year_days(year)}
    grid = month_grid.Calendar(firstweekday=0)
    return [
        {
            "name": MONTH_NAMES[month - 1],
            "weeks": [
                [by_date.get(day) if day.month == month else None for day in week]
                for week in grid.monthdatescalendar(year, month)
            ],
        }
        for month in range(1, 13)
    ]


@login_required
def calendar_year(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "calendar.view")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2004), today.year + 5)
    context = {
        "year": year,
        "years": range(today.year - 2, today.year + 3),
        "today": today,
        "weekday_names": WEEKDAY_NAMES,
        "can_manage": has_capability(request.user, "calendar.manage"),
        "national_data": calendar.year_has_national_data(year),
    }
    try:
        context["months"] = _months(year)
        context["working_days"] = sum(
            1 for m in context["months"] for w in m["weeks"] for d in w if d and d.is_working_day
        )
    except calendar.CalendarYearNotCoveredError as error:
        context["not_covered"] = error
    return render(request, "core/calendar.html", context)


@login_required
@require_POST
def calendar_day_update(request: HttpRequest) -> HttpResponse:
    """Set or clear one day's override (htmx form on the calendar screen)."""
    try:
        date = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        raise ApplicationError("日期格式应为 YYYY-MM-DD", fields={"date": ["格式不正确"]}) from None
    action = request.POST.get("action")
    if action == "clear":
        services.calendar_day_clear(actor=request.user, date=date)
        messages.success(request, f"已恢复 {date:%Y-%m-%d} 的国家安排")
    else:
        services.calendar_day_set(
            actor=request.user,
            date=date,
            is_working_day=action == "workday",
            note=request.POST.get("note", ""),
        )
        messages.success(request, f"已将 {date:%Y-%m-%d} 设为{'工作日' if action == 'workday' else '休息日'}")
    return redirect(f"{reverse('core:calendar')}?year={date.year}")


@login_required
@require_POST
def calendar_year_enter(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        raise ApplicationError("年份格式不正确") from None
    services.calendar_year_enter(actor=request.user, year=year, note=request.POST.get("note", ""))
    messages.success(request, f"已录入 {year} 年日历；请继续逐日标注节假日和调休上班日")
    return redirect(f"{reverse('core:calendar')}?year={year}")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "audit.view", "只有管理员和监察员可以查看审计日志")
    events = AuditEvent.objects.order_by("-seq")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    # Who read whose data: filter by the actor and by the object (type, and id).
    actor = request.GET.get("actor", "").strip()
    if actor:
        events = events.filter(actor_label=actor)
    object_type = request.GET.get("object_type", "").strip()
    if object_type:
        events = events.filter(object_type=object_type)
    object_id = request.GET.get("object_id", "").strip()
    if object_id:
        events = events.filter(object_id=object_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    report = audit_verify_chain() if request.GET.get("verify") else None
    filters = {"action": action, "actor": actor, "object_type": object_type, "object_id": object_id}
    query = urlencode({key: value for key, value in filters.items() if value})
    context = {"page": page, "report": report, "query": query, **filters}
    return render(request, "core/audit_list.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Every SMS and e-mail the platform sent or failed to send; recipients masked."""
    filters = {
        "recipient": request.GET.get("recipient", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
        "status": request.GET.get("status", "").strip(),
    }
    notifications = notifications_module.notification_list(actor=request.user, **filters)
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    rows = [
        {"notification": n, "to": n.to_masked, "body": mask_text(n.body), "error": mask_text(n.error)}
        for n in page
    ]
    query = urlencode({key: value for key, value in filters.items() if value})
    return render(
        request,
        "core/notification_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": query,
            "statuses": Notification.Status.choices,
        },
    )
