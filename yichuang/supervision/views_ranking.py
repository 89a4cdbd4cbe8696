"""评比排名 (/supervision/ranking/): the month's or the quarter's department ranking with its composite score,
and the window and staff rankings from which the admin chooses the 示范窗口 and 服务标兵."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yichuang.core.errors import ApplicationError
from yichuang.core.periods import previous_month
from yichuang.core.permissions import has_capability, require_capability
from yichuang.supervision import ranking
from yichuang.supervision.dashboard import scope_of
from yichuang.supervision.models import Honour, HonourKind, PeriodKind
from yichuang.supervision.views_dashboard import VIEW_MESSAGE


def _chosen(request: HttpRequest) -> tuple[str, dt.date]:
    kind = request.GET.get("period", PeriodKind.MONTH)
    kind = kind if kind in PeriodKind.values else PeriodKind.MONTH
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = previous_month(timezone.localdate())  # the last closed month by default
    return kind, day


@login_required
@require_GET
def ranking_page(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "supervision.view", str(VIEW_MESSAGE))
    kind, day = _chosen(request)
    start, end = ranking.period_of(kind, day)
    _departments, ids, scope = scope_of(request.user)
    departments = ranking.department_ranking(start=start, end=end, departments=ids)
    centre_wide = ids is None
    may_award = has_capability(request.user, "supervision.rank")
    context = {
        "period_kind": kind,
        "period_kinds": PeriodKind.choices,
        "start": start,
        "end": end,
        "label": ranking.period_label(kind, start),
        "previous": ranking.period_of(kind, start - dt.timedelta(days=1))[0],
        "next": end + dt.timedelta(days=1),
        "departments": departments,
        "indicators": ranking.DEPARTMENT_INDICATORS,
        "scheme": ranking.scheme(),
        "windows": ranking.window_ranking(start=start, end=end) if centre_wide else [],
        "staff": ranking.staff_ranking(start=start, end=end) if centre_wide else [],
        "candidates": ranking.CANDIDATES,
        "honours": Honour.objects.filter(period_kind=kind, period_start=start).select_related(
            "window__hall", "staff"
        ),
        "may_award": may_award and end < timezone.localdate(),
        "scope": scope,
        "kinds": HonourKind,
    }
    return render(request, "supervision/ranking.html", context)


@login_required
@require_POST
def honour_award(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "supervision.rank", _("只有政数局管理员可以评选示范窗口和服务标兵"))
    period_kind = request.POST.get("period", "")
    target = reverse("supervision:ranking")
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
        key = int(request.POST.get("key", ""))
    except ValueError:
        messages.error(request, _("评选信息不完整，请重试"))
        return redirect(target)
    try:
        honour = ranking.honour_award(
            actor=request.user,
            kind=request.POST.get("kind", ""),
            period_kind=period_kind,
            day=day,
            key=key,
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已评选为%(kind)s") % {"kind": honour.get_kind_display()})
    return redirect(f"{target}?period={period_kind}&day={day:%Y-%m-%d}")
