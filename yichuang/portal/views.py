"""The self-service terminal (自助终端): a full-screen touch UI for the 24-hour self-service area of a
government-service centre — take a queue number, check a case's progress by its number and the applicant's ID
number, print that case's notices and e-licences, book an appointment — in Chinese or Mongolian.

Every screen is under ``/terminal/<hall_code>/`` (``/terminal/`` lists the halls when there are several, as
the hall's kiosk does), is public, and is sent with ``Cache-Control: no-store``. What the person in front of
the terminal opened is held server-side in the session (``portal.session``) for a short time and is dropped
on 结束, on the idle timeout (``static/terminal/terminal.js`` posts to ``terminal_end``), after printing and
whenever the start screen is shown. Thin views: the hall's forms and services take numbers and book, the
portal's services verify, audit and book, its selectors read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.core.accessibility import COOKIE_NAME as A11Y_COOKIE
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.http import client_address
from yichuang.core.i18n.languages import bcp47, language_choices, supported_language
from yichuang.core.masking import mask_id_number, mask_name, mask_phone
from yichuang.hall import appointments, tickets
from yichuang.hall import selectors as hall_selectors
from yichuang.hall.forms_appointments import day_label
from yichuang.hall.models import Hall, TicketSource
from yichuang.hall.views_screens import issue_ticket
from yichuang.portal import selectors, services, session
from yichuang.portal.forms import CaseLookupForm, TerminalBookForm, terminal_take_number_form
from yichuang.portal.services import LookupLockedError, TerminalActor

WARN_SECONDS = 10  # the countdown shown before the idle timeout
PDF_VIEW = "#toolbar=0&navpanes=0&view=FitH"
END_REASONS = frozenset({"end", "timeout", "printed"})
# Entries that held someone's personal data; ending a visit that had any of them is audited.
PERSONAL_KEYS = frozenset({session.CASE_KEY, session.PRINT_KEY, session.BOOKING_KEY})


# ——— helpers ———


def terminal_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A refusal (not found, conflict …) is shown on a terminal screen, with the way back to the start and
    the idle timeout, instead of the site's error page, which a kiosk could not leave."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, hall_code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, hall_code, *args, **kwargs)
        except ApplicationError as error:
            try:
                hall = _hall(hall_code)
            except ApplicationError:
                raise error from None
            return _screen(request, "terminal_error.html", hall, {"error": error}, status=error.status)

    return wrapper


def _hall(hall_code: str) -> Hall:
    hall = hall_selectors.hall_for_screen(hall_code)
    if hall is None:  # only when no code is given, which the URLs never do
        raise NotFoundError("未找到该服务大厅")
    return hall


def _terminal(request: HttpRequest, hall: Hall) -> TerminalActor:
    return TerminalActor(hall_code=hall.code, address=client_address(request))


def idle_seconds() -> int:
    return max(int(settings.YICHUANG_TERMINAL_IDLE_SECONDS), WARN_SECONDS + 5)


def _url(name: str, hall: Hall, *args: Any) -> str:
    return reverse(f"portal:{name}", args=[hall.code, *args])


def terminal_language() -> str:
    """The language every visit starts in (the last visitor's choice is not kept)."""
    configured = getattr(settings, "YICHUANG_TERMINAL_LANGUAGE", "") or settings.LANGUAGE_CODE
    return supported_language(configured) or settings.LANGUAGE_CODE


def _start_url(hall: Hall) -> str:
    """The start screen for the next visitor: the terminal's language (``?lang=`` resets the cookie) and a
    new visit (``visit=new`` clears the display modes the last visitor turned on)."""
    return f"{_url('terminal_start', hall)}?{urlencode({'lang': terminal_language(), 'visit': 'new'})}"


def _screen(
    request: HttpRequest,
    template: str,
    hall: Hall,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    idle: bool = True,
) -> HttpResponse:
    """Render a terminal screen: the hall, the idle timeout's settings and the start and end addresses."""
    base = {
        "hall": hall,
        "idle": idle,
        "idle_seconds": idle_seconds(),
        "warn_seconds": WARN_SECONDS,
        "start_url": _start_url(hall),
        "end_url": _url("terminal_end", hall),
    }
    return render(request, f"portal/{template}", base | (context or {}), status=status)


def _qr_svg(text: str) -> str:
    # segno's own SVG of our own text: safe to put in the page as it is.
    code = segno.make(text, error="m", micro=False)
    return mark_safe(code.svg_inline(border=2, dark="#000", light="#fff", omitsize=True))


def _ended(request: HttpRequest, hall: Hall, reason: str) -> None:
    held = session.state_clear(request.session)
    if PERSONAL_KEYS & set(held):
        services.terminal_session_ended(terminal=_terminal(request, hall), reason=reason, held=held)


# ——— choosing the hall, the start screen, the end of a visit ———


@never_cache
@require_GET
def terminal_choose(request: HttpRequest) -> HttpResponse:
    """``/terminal/``: the only hall's terminal, or the list of halls (the hall kiosk's choice)."""
    hall = hall_selectors.hall_for_screen(request.GET.get("hall") or None)
    if hall is not None:
        return redirect("portal:terminal_start", hall.code)
    halls = [
        {"hall": row, "url": reverse("portal:terminal_start", args=[row.code])}
        for row in hall_selectors.halls_active()
    ]
    return render(request, "portal/terminal_choose.html", {"halls": halls})


@never_cache
@require_GET
@terminal_errors
def terminal_start(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The start screen: the four services and the language, with nothing of the last person left."""
    hall = _hall(hall_code)
    _ended(request, hall, "start")
    current = supported_language(get_language())
    languages = [
        {"code": code, "name": name, "tag": bcp47(code), "current": code == current, "url": f"?lang={code}"}
        for code, name in language_choices()
    ]
    is_open, hours_label = hall_selectors.hall_hours(hall)
    context = {"languages": languages, "is_open": is_open, "hours_label": hours_label}
    new_visit = request.GET.get("visit") == "new"
    if new_visit:
        request.COOKIES.pop(A11Y_COOKIE, None)  # this page already without them
    response = _screen(request, "terminal_start.html", hall, context, idle=False)
    if new_visit:
        response.delete_cookie(A11Y_COOKIE)
    return response


@never_cache
@require_POST
@terminal_errors
def terminal_end(request: HttpRequest, hall_code: str) -> HttpResponse:
    """结束/退出 and the idle timeout (``reason=timeout``, posted by the script): forget everything."""
    hall = _hall(hall_code)
    reason = request.POST.get("reason", "end")
    _ended(request, hall, reason if reason in END_REASONS else "end")
    if request.headers.get("X-Terminal") == "fetch":
        return HttpResponse(status=204)
    return redirect(_start_url(hall))


# ——— 取号 ———


@never_cache
@require_http_methods(["GET", "POST"])
@terminal_errors
def terminal_ticket(request: HttpRequest, hall_code: str) -> HttpResponse:
    hall = _hall(hall_code)
    form = terminal_take_number_form(request.POST if request.method == "POST" else None, hall=hall)
    if request.method == "POST" and form.is_valid():
        ticket = issue_ticket(form, hall=hall, source=TicketSource.KIOSK, actor=None)
        if ticket is not None:
            session.ticket_remember(request.session, ticket_id=ticket.pk, hall_code=hall.code)
            return redirect("portal:terminal_ticket_done", hall.code, ticket.pk)
    is_open, hours_label = hall_selectors.hall_hours(hall)
    context = {
        "form": form,
        "is_open": is_open,
        "hours_label": hours_label,
        "lines": hall_selectors.category_lines(hall) if is_open else [],
    }
    return _screen(request, "terminal_ticket.html", hall, context, status=400 if form.errors else 200)


@never_cache
@require_GET
@terminal_errors
def terminal_ticket_done(request: HttpRequest, hall_code: str, pk: int) -> HttpResponse:
    """The number just taken (shown to the session that took it only), with its slip to print."""
    hall = _hall(hall_code)
    if not session.ticket_held(request.session, ticket_id=pk, hall_code=hall.code):
        return redirect("portal:terminal_ticket", hall.code)
    token = hall_selectors.ticket_token(pk)
    ticket = hall_selectors.ticket_by_token(pk, token)
    status_url = request.build_absolute_uri(reverse("hall:ticket_status", args=[pk, token]))
    context = {
        "ticket": ticket,
        "info": tickets.ticket_info(ticket),
        "status_url": status_url,
        "qr_svg": _qr_svg(status_url),
    }
    return _screen(request, "terminal_ticket_done.html", hall, context)


# ——— 办件进度查询 ———


@never_cache
@require_http_methods(["GET", "POST"])
@terminal_errors
def terminal_lookup(request: HttpRequest, hall_code: str) -> HttpResponse:
    hall = _hall(hall_code)
    terminal = _terminal(request, hall)
    purpose = (request.POST if request.method == "POST" else request.GET).get("purpose", "")
    context: dict[str, Any] = {"expired": request.GET.get("expired") == "1", "purpose": _purpose(purpose)}
    status = 200
    if request.method == "GET":
        session.case_drop(request.session)
        form = CaseLookupForm()
    else:
        form = CaseLookupForm(request.POST)
        if form.is_valid():
            try:
                case = services.terminal_case_verify(
                    terminal=terminal,
                    number=form.cleaned_data["number"],
                    identifier=form.cleaned_data["id_number"],
                )
            except LookupLockedError as error:
                context["locked"], status = error.message, error.status
            except NotFoundError as error:
                context["not_found"] = error.message
                # The number stays for a retry; the ID number typed is not sent back into the page.
                form = CaseLookupForm(initial={"number": form.cleaned_data["number"]})
            else:
                session.case_grant(request.session, case_id=case.pk, hall_code=hall.code)
                query = "?purpose=print#t-documents" if context["purpose"] == "print" else ""
                return redirect(_url("terminal_case", hall) + query)
        else:
            status = 400
    context["form"] = form
    return _screen(request, "terminal_lookup.html", hall, context, status=status)


def _purpose(value: str) -> str:
    """Why the case is looked up: "print" (the start screen's 打印 button) puts the documents first."""
    return "print" if value == "print" else ""


def _expired(hall: Hall) -> HttpResponse:
    return redirect(_url("terminal_lookup", hall) + "?expired=1")


@never_cache
@require_GET
@terminal_errors
def terminal_case(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The verified case: where it stands, its steps in plain words, and what can be printed here."""
    hall = _hall(hall_code)
    case_id = session.case_held(request.session, hall_code=hall.code)
    case = selectors.verified_case(case_id) if case_id is not None else None
    if case is None:
        return _expired(hall)
    context = {
        "progress": selectors.case_progress(case),
        "documents": selectors.case_documents(case),
        "purpose": _purpose(request.GET.get("purpose", "")),
    }
    return _screen(request, "terminal_case.html", hall, context)


# ——— 打印 ———


@never_cache
@require_POST
@terminal_errors
def terminal_print_open(request: HttpRequest, hall_code: str) -> HttpResponse:
    """Open one document of the verified case for printing: audited, and from now on only that document is
    reachable (the case's page is closed); a second tap on the same button lands on the same print view."""
    hall = _hall(hall_code)
    kind = request.POST.get("kind", "")
    raw_pk = request.POST.get("pk", "")
    pk = int(raw_pk) if raw_pk.isdigit() else 0
    case_id = session.case_held(request.session, hall_code=hall.code)
    if case_id is None:
        permit = session.print_held(request.session, hall_code=hall.code)
        if permit is not None and (permit["kind"], permit["pk"]) == (kind, pk):
            return redirect("portal:terminal_print", hall.code)
        return _expired(hall)
    case = selectors.verified_case(case_id)
    if case is None or kind not in selectors.DOCUMENT_KINDS:
        raise NotFoundError("未找到该文书或证照")
    document = selectors.case_document(case, kind=kind, pk=pk)
    services.terminal_print_record(terminal=_terminal(request, hall), case=case, document=document)
    session.print_grant(request.session, kind=kind, pk=pk, case_id=case.pk, hall_code=hall.code)
    session.case_drop(request.session)
    return redirect("portal:terminal_print", hall.code)


def _permit_document(request: HttpRequest, hall: Hall) -> Any:
    permit = session.print_held(request.session, hall_code=hall.code)
    case = selectors.verified_case(permit["case"]) if permit is not None else None
    if permit is None or case is None:
        return None, None
    return case, permit


@never_cache
@require_GET
@terminal_errors
def terminal_print(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The print view: the document's PDF in a frame, and a 打印 button."""
    hall = _hall(hall_code)
    case, permit = _permit_document(request, hall)
    if case is None:
        return _expired(hall)
    document = selectors.case_document(case, kind=permit["kind"], pk=permit["pk"])
    # The PDF viewer without its toolbar: nothing to download or save at a public terminal.
    context = {"document": document, "pdf_url": _url("terminal_print_pdf", hall) + PDF_VIEW}
    return _screen(request, "terminal_print.html", hall, context)


@never_cache
@xframe_options_sameorigin
@require_GET
def terminal_print_pdf(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The PDF of the one document opened for printing (shown in the print view's frame)."""
    hall = _hall(hall_code)
    case, permit = _permit_document(request, hall)
    if case is None:
        raise NotFoundError("打印已结束，请重新查询")
    document, pdf = selectors.case_document_pdf(case, kind=permit["kind"], pk=permit["pk"])
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{document.title}-{document.reference}.pdf"
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename) or ""
    return response


# ——— 预约 ———


def _booking_step(form: TerminalBookForm, query: Any) -> str:
    if form.picked_category is None:
        return "category"
    if not query.get("day") or form.picked_day is None:
        return "day"
    if form.starts_at_value not in {slot.key for slot in form.slots if slot.remaining > 0}:
        return "slot"
    return "details"


@never_cache
@require_http_methods(["GET", "POST"])
@terminal_errors
def terminal_appointment(request: HttpRequest, hall_code: str) -> HttpResponse:
    """预约, one choice per screen: the business, the day, the time, then name, ID number and mobile."""
    hall = _hall(hall_code)
    if request.method == "POST":
        form = TerminalBookForm(request.POST, hall=hall)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.terminal_appointment_book(
                    terminal=_terminal(request, hall),
                    hall=hall,
                    category=data["category"],
                    day=data["day"],
                    starts_at=data["starts_at"],
                    holder_name=data["holder_name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    idempotency_key=data["idempotency_key"] or None,
                )
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                session.booking_remember(request.session, code=appointment.code, hall_code=hall.code)
                return redirect("portal:terminal_appointment_done", hall.code)
        step = "details"
    else:
        query = request.GET
        initial = {name: query.get(name, "") for name in ("category", "day", "starts_at")}
        form = TerminalBookForm(initial=initial, hall=hall)
        step = _booking_step(form, query)
    category_field: Any = form.fields["category"]
    context = {
        "form": form,
        "step": step,
        "categories": list(category_field.queryset.order_by("position", "pk")),
        "days": [{"value": day.isoformat(), "label": day_label(day)} for day in form.days],
        "slots": form.slots,
        "day_text": day_label(form.picked_day) if form.picked_day is not None else "",
        "slot_text": next((s.label for s in form.slots if s.key == form.starts_at_value), ""),
    }
    failed = request.method == "POST"
    return _screen(request, "terminal_appointment.html", hall, context, status=400 if failed else 200)


@never_cache
@require_GET
@terminal_errors
def terminal_appointment_done(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The booking just made: its code large and as a QR code, to check in with at the kiosk."""
    hall = _hall(hall_code)
    code = session.booking_held(request.session, hall_code=hall.code)
    if code is None:
        return redirect("portal:terminal_appointment", hall.code)
    appointment = services.terminal_appointment_get(terminal=_terminal(request, hall), hall=hall, code=code)
    opens, closes = appointments.checkin_window(appointment)
    context = {
        "appointment": appointment,
        "day_text": day_label(appointment.day),
        "slot_text": f"{appointment.slot.starts_at:%H:%M}—{appointment.slot.ends_at:%H:%M}",
        "holder_name": mask_name(appointment.holder_name),
        "id_number": mask_id_number(appointment.id_number),
        "phone": mask_phone(appointment.phone),
        "checkin_opens": timezone.localtime(opens),
        "checkin_closes": timezone.localtime(closes),
        "qr_svg": _qr_svg(appointment.code),
    }
    return _screen(request, "terminal_appointment_done.html", hall, context)
