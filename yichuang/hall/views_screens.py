"""The hall's public screens — the kiosk (自助取号), the printed ticket and its live status page, the display
board (叫号大屏) and the counter screen above each window — and the applicant's 网上取号.

Every screen is server-rendered and refreshes itself by polling a partial through htmx (no reload, no
outside assets: it runs on the hall's intranet). The board's voice is ``static/hall/board.js``.

Personal data never reach a public screen: the ticket and the board show numbers, categories and windows
only. The printed ticket is shown to the kiosk session that took it (and to staff); its live status page
is reached through the QR code, whose address carries a short HMAC of the ticket's id.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.permissions import has_capability, require_capability
from yichuang.hall import hooks, selectors, tickets
from yichuang.hall.forms_screens import TakeNumberForm
from yichuang.hall.models import Hall, Ticket, TicketSource, TicketStatus

KIOSK_SESSION_KEY = "hall_kiosk_tickets"
KIOSK_SESSION_KEEP = 20


# ——— helpers ———


def _choose_hall(request: HttpRequest, target: str, title: str) -> HttpResponse:
    """Several halls and none named: list them, each linking to its own screen."""
    halls = [{"hall": hall, "url": reverse(target, args=[hall.code])} for hall in selectors.halls_active()]
    return render(request, "hall/kiosk_choose.html", {"halls": halls, "title": title})


def _hall_code(request: HttpRequest, hall_code: str | None) -> str | None:
    return hall_code or request.GET.get("hall") or request.POST.get("hall") or None


def _remember(request: HttpRequest, ticket: Ticket) -> None:
    kept = [pk for pk in request.session.get(KIOSK_SESSION_KEY, []) if pk != ticket.pk]
    request.session[KIOSK_SESSION_KEY] = [*kept, ticket.pk][-KIOSK_SESSION_KEEP:]


def _may_see_ticket(request: HttpRequest, ticket: Ticket) -> bool:
    user = request.user
    if ticket.pk in request.session.get(KIOSK_SESSION_KEY, []):
        return True
    if ticket.user_id is not None and ticket.user_id == getattr(user, "pk", None):
        return True
    return has_capability(user, "hall.issue") or has_capability(user, "hall.serve")


def _status_url(request: HttpRequest, ticket: Ticket) -> str:
    return request.build_absolute_uri(
        reverse("hall:ticket_status", args=[ticket.pk, selectors.ticket_token(ticket.pk)])
    )


def _qr_svg(url: str) -> str:
    code = segno.make(url, error="m", micro=False)
    # segno's own SVG of our own URL: safe to put in the page as it is.
    return mark_safe(code.svg_inline(scale=3, border=2, dark="#000", light="#fff", omitsize=False))


def issue_ticket(
    form: TakeNumberForm, *, hall: Hall, source: str, actor: Any, holder_name: str = ""
) -> Ticket | None:
    """Issue from a valid form; a refusal goes onto the form (next to its field) and None comes back."""
    data = form.cleaned_data
    try:
        return tickets.ticket_issue(
            hall=hall,
            category=data["category"],
            source=source,
            actor=actor,
            holder_name=holder_name,
            id_number=data.get("id_number") or "",
            phone=data.get("phone") or "",
            priority=data.get("priority") or "",
            idempotency_key=data.get("idempotency_key") or None,
        )
    except ApplicationError as error:
        form.add_service_error(error)
        return None


# ——— the kiosk ———


def _check_in_url() -> str | None:
    """预约签到 is the appointments' screen; the link shows once it exists."""
    try:
        return reverse("hall:appointment_check_in")
    except NoReverseMatch:
        return None


def _kiosk_context(hall: Hall) -> dict[str, Any]:
    is_open, label = selectors.hall_hours(hall)
    return {
        "hall": hall,
        "is_open": is_open,
        "hours_label": label,
        "lines": selectors.category_lines(hall) if is_open else [],
        "check_in_url": _check_in_url(),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, hall_code: str | None = None) -> HttpResponse:
    hall = selectors.hall_for_screen(_hall_code(request, hall_code))
    if hall is None:
        return _choose_hall(request, "hall:kiosk_for", _("自助取号"))
    form = TakeNumberForm(request.POST if request.method == "POST" else None, hall=hall)
    autoprint = (request.POST if request.method == "POST" else request.GET).get("autoprint") == "1"
    if request.method == "POST" and form.is_valid():
        ticket = issue_ticket(form, hall=hall, source=TicketSource.KIOSK, actor=None)
        if ticket is not None:
            _remember(request, ticket)
            url = reverse("hall:ticket_print", args=[ticket.pk])
            return redirect(f"{url}?kiosk=1" + ("&autoprint=1" if autoprint else ""))
    context = _kiosk_context(hall) | {"form": form, "autoprint": autoprint}
    return render(request, "hall/kiosk.html", context, status=400 if form.errors else 200)


@never_cache
@require_GET
def kiosk_partial(request: HttpRequest) -> HttpResponse:
    hall = selectors.hall_for_screen(_hall_code(request, None))
    if hall is None:
        raise NotFoundError(_("请指定服务大厅"))
    return render(request, "hall/partials/kiosk_categories.html", _kiosk_context(hall))


# ——— the printed ticket and its status page ———


@never_cache
@require_GET
def ticket_print(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = Ticket.objects.select_related("hall", "category", "appointment__slot").filter(pk=pk).first()
    if ticket is None or not _may_see_ticket(request, ticket):
        raise NotFoundError(_("未找到该号码"))
    info = tickets.ticket_info(ticket)
    status_url = _status_url(request, ticket)
    return render(
        request,
        "hall/ticket_print.html",
        {
            "ticket": ticket,
            "info": info,
            "status_url": status_url,
            "qr_svg": _qr_svg(status_url),
            "from_kiosk": request.GET.get("kiosk") == "1",
            "autoprint": request.GET.get("autoprint") == "1",
        },
    )


@never_cache
@require_GET
def ticket_status(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    ticket = selectors.ticket_by_token(pk, token)
    info = tickets.ticket_info(ticket) if ticket.status == TicketStatus.WAITING else None
    context = {"ticket": ticket, "info": info, "token": token, "now": timezone.now()}
    if getattr(request, "htmx", False):
        return render(request, "hall/partials/ticket_status.html", context)
    return render(request, "hall/ticket_status.html", context)


# ——— the display board ———


@never_cache
@require_GET
def board(request: HttpRequest, hall_code: str | None = None) -> HttpResponse:
    hall = selectors.hall_for_screen(_hall_code(request, hall_code))
    if hall is None:
        return _choose_hall(request, "hall:board_for", _("叫号显示屏"))
    return render(request, "hall/board.html", {"state": selectors.board_state(hall), "hall": hall})


@never_cache
@require_GET
def board_partial(request: HttpRequest) -> HttpResponse:
    hall = selectors.hall_for_screen(_hall_code(request, None))
    if hall is None:
        raise NotFoundError(_("请指定服务大厅"))
    return render(
        request, "hall/partials/board_live.html", {"state": selectors.board_state(hall), "hall": hall}
    )


# ——— the counter screen ———


@never_cache
@require_GET
def counter(request: HttpRequest, window_id: int) -> HttpResponse:
    window = selectors.window_for_screen(window_id)
    return render(request, "hall/counter.html", {"state": selectors.counter_state(window)})


@never_cache
@require_GET
def counter_partial(request: HttpRequest, window_id: int) -> HttpResponse:
    window = selectors.window_for_screen(window_id)
    return render(request, "hall/partials/counter_live.html", {"state": selectors.counter_state(window)})


@never_cache
@require_GET
def counter_rating(request: HttpRequest, window_id: int) -> HttpResponse:
    """The rating page of the ticket just finished at this window: whose rating is open, and the rating
    form (一次一评) that the ratings app provides through ``hooks.on_rating_panel``."""
    window = selectors.window_for_screen(window_id)
    state = selectors.counter_state(window)
    panel = hooks.rating_panel(request, state) if state.rating_ticket else None
    return render(request, "hall/counter_rating.html", {"state": state, "rating_panel": panel})


# ——— 网上取号 (the applicant) ———


def _require_applicant(request: HttpRequest) -> None:
    require_capability(request.user, "hall.book", _("只有申请人可以网上取号"))


@login_required
@require_http_methods(["GET", "POST"])
def portal_ticket(request: HttpRequest) -> HttpResponse:
    _require_applicant(request)
    hall = selectors.hall_for_screen(_hall_code(request, None))
    if hall is None:
        halls = [
            {"hall": h, "url": f"{reverse('hall:portal_ticket')}?hall={h.code}"}
            for h in selectors.halls_active()
        ]
        return render(request, "hall/kiosk_choose.html", {"halls": halls, "title": _("网上取号")})
    initial = {"phone": getattr(request.user, "phone", "")}
    form = TakeNumberForm(request.POST if request.method == "POST" else None, hall=hall, initial=initial)
    if request.method == "POST" and form.is_valid():
        ticket = issue_ticket(form, hall=hall, source=TicketSource.PORTAL, actor=request.user)
        if ticket is not None:
            messages.success(request, _("取号成功：%(number)s") % {"number": ticket.number})
            return redirect("hall:portal_tickets")
    context = _kiosk_context(hall) | {"form": form, "portal": True}
    return render(request, "hall/portal_ticket.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_GET
def portal_tickets(request: HttpRequest) -> HttpResponse:
    _require_applicant(request)
    context = {"rows": selectors.tickets_of_today(request.user)}
    if getattr(request, "htmx", False):
        return render(request, "hall/partials/portal_tickets.html", context)
    return render(request, "hall/portal_tickets.html", context)


@login_required
@require_POST
def portal_ticket_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_applicant(request)
    ticket = Ticket.objects.filter(pk=pk, user_id=request.user.pk or 0).first()
    if ticket is None:
        raise NotFoundError(_("未找到该号码"))
    try:
        tickets.ticket_cancel(ticket=ticket, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消号码 %(number)s") % {"number": ticket.number})
    return redirect("hall:portal_tickets")
