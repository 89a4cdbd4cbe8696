"""大厅管理 (/hall/manage/, ``hall.manage``): the admin's view of each hall — hours, categories and their
live queues, windows and who is at them, tidal rules — and the window log, where every tidal opening and
closing is listed with the figures that caused it. Edits are made in the system admin (audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from yichuang.core.permissions import require_capability
from yichuang.hall import hours, queue
from yichuang.hall.models import Hall, TidalRule, WindowEvent

LOG_PAGE = 50


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "hall.manage")
    now = timezone.now()
    today = hours.local_day(now)
    halls = []
    for hall in Hall.objects.select_related("department").order_by("code"):
        waiting = queue.waiting_by_category(hall.pk, now)
        categories = list(hall.categories.all())
        rules = {r.category_id: r for r in TidalRule.objects.filter(category__hall=hall)}
        halls.append(
            {
                "hall": hall,
                "hours_today": hours.hours_label(hall, today),
                "open_now": hours.is_open(hall, now),
                "categories": [
                    {"category": c, "waiting": waiting.get(c.pk, 0), "rule": rules.get(c.pk)}
                    for c in categories
                ],
                "windows": hall.windows.select_related(
                    "clerk", "department", "standby_clerk"
                ).prefetch_related("categories"),
            }
        )
    return render(request, "hall/manage.html", {"halls": halls})


@login_required
@require_GET
def window_log(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "hall.manage")
    events = WindowEvent.objects.select_related("window", "clerk", "actor", "category").order_by("-at", "-id")
    kind = request.GET.get("kind", "")
    if kind == "tidal":
        events = events.filter(kind__in=[WindowEvent.Kind.TIDAL_OPENED, WindowEvent.Kind.TIDAL_CLOSED])
    elif kind in WindowEvent.Kind.values:
        events = events.filter(kind=kind)
    page = Paginator(events, LOG_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "hall/window_log.html", {"page": page, "kind": kind, "kinds": WindowEvent.Kind.choices}
    )
