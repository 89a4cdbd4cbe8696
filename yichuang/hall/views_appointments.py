"""Screens of 预约: the applicant's appointments and booking (category → day → slot, the slot list refreshed
by htmx), the confirmation with the booking code as a QR code, cancelling; the desk's booking for a caller;
the kiosk's check-in (booking code and ID number → the ticket).

A booking form carries an idempotency key in a hidden field: a double click books once and shows the same
confirmation. A refused booking shows the form again with the reason next to its field.
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

from yichuang.core.errors import ApplicationError
from yichuang.core.masking import mask_id_number, mask_phone
from yichuang.core.permissions import has_capability, require_capability
from yichuang.hall import appointments, tickets
from yichuang.hall.forms_appointments import AppointmentBookForm, CheckInForm, day_label
from yichuang.hall.models import Appointment, AppointmentStatus, Ticket

PICK_FIELDS = ("category", "day", "starts_at", "holder_name", "id_number", "phone", "idempotency_key")


def _initial_holder(user: Any) -> dict[str, str]:
    applicant: Any = getattr(user, "applicant", None)
    if applicant is not None and applicant.id_number:
        return {"holder_name": applicant.name, "id_number": applicant.id_number, "phone": applicant.phone}
    return {
        "holder_name": str(getattr(user, "full_name", "") or ""),
        "phone": str(getattr(user, "phone", "") or ""),
    }


def _rows(items: list[Appointment]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "appointment": a,
            "day": day_label(a.day),
            "slot": f"{a.slot.starts_at:%H:%M}—{a.slot.ends_at:%H:%M}",
            "id_number": mask_id_number(a.id_number),
            "cancellable": a.status == AppointmentStatus.BOOKED and appointments.slot_start(a) > now,
        }
        for a in items
    ]


def _book(request: HttpRequest, *, desk: bool) -> HttpResponse:
    initial = {} if desk else _initial_holder(request.user)
    if request.method == "GET":
        category = request.GET.get("category", "")
        form = AppointmentBookForm(
            initial={**initial, "category": category, "day": request.GET.get("day", "")}
        )
    elif request.POST.get("step") == "pick":  # only choosing (no script): no errors yet
        form = AppointmentBookForm(initial={name: request.POST.get(name, "") for name in PICK_FIELDS})
    else:
        form = AppointmentBookForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = appointments.appointment_book(
                    category=data["category"],
                    day=data["day"],
                    starts_at=data["starts_at"],
                    actor=request.user,
                    holder_name=data["holder_name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    idempotency_key=data["idempotency_key"] or None,
                )
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request, _("预约成功，预约码 %(code)s。已发送短信提醒。") % {"code": appointment.code}
                )
                return redirect("hall:appointment_detail", code=appointment.code)
    context: dict[str, Any] = {"form": form, "desk": desk}
    if not desk:
        context["rows"] = _rows(list(appointments.appointments_of(request.user)[:50]))
    return render(request, "hall/appointments/book.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def appointment_list(request: HttpRequest) -> HttpResponse:
    """我的预约 and booking a new one."""
    if not has_capability(request.user, "hall.book") and has_capability(request.user, "hall.issue"):
        return redirect("hall:appointments_desk")
    require_capability(request.user, "hall.book", _("请以申请人身份登录后预约"))
    return _book(request, desk=False)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def appointment_desk(request: HttpRequest) -> HttpResponse:
    """A clerk books for a caller (phone or counter), or looks up a booking by its code."""
    require_capability(request.user, "hall.issue", _("只有窗口工作人员可以代为预约"))
    code = request.GET.get("code", "").strip()
    if code:
        try:
            appointment = appointments.appointment_get_for(actor=request.user, code=code)
        except ApplicationError:
            messages.error(request, _("未找到预约码 %(code)s") % {"code": code[:12]})
        else:
            return redirect("hall:appointment_detail", code=appointment.code)
    return _book(request, desk=True)


@login_required
@require_GET
def appointment_slots(request: HttpRequest) -> HttpResponse:
    """The day and slot choices for the picked category (htmx fragment)."""
    if not (has_capability(request.user, "hall.book") or has_capability(request.user, "hall.issue")):
        require_capability(request.user, "hall.book", _("请以申请人身份登录后预约"))
    form = AppointmentBookForm(
        initial={"category": request.GET.get("category", ""), "day": request.GET.get("day", "")}
    )
    return render(request, "hall/appointments/_picker.html", {"form": form})


def _qr_svg(text: str) -> str:
    return segno.make(text, error="m", micro=False).svg_inline(scale=6, border=2, title=text)


@login_required
@never_cache
@require_GET
def appointment_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation: the booking code and its QR code to show at the kiosk."""
    appointment = appointments.appointment_get_for(actor=request.user, code=code)
    ticket = Ticket.objects.filter(appointment=appointment).first()
    opens, closes = appointments.checkin_window(appointment)
    context = {
        "appointment": appointment,
        "row": _rows([appointment])[0],
        "qr": mark_safe(_qr_svg(appointment.code)),  # segno's own SVG of the code
        "phone": mask_phone(appointment.phone),
        "checkin_opens": timezone.localtime(opens),
        "checkin_closes": timezone.localtime(closes),
        "ticket": ticket,
        "staff": has_capability(request.user, "hall.issue"),
        "checkin_form": CheckInForm(initial={"code": appointment.code}),
    }
    return render(request, "hall/appointments/detail.html", context)


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, code: str) -> HttpResponse:
    appointment = appointments.appointment_get_for(actor=request.user, code=code)
    try:
        appointments.appointment_cancel(appointment=appointment, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("预约 %(code)s 已取消，该时段已释放。") % {"code": appointment.code})
    if has_capability(request.user, "hall.book"):
        return redirect("hall:appointments")
    return redirect("hall:appointment_detail", code=appointment.code)


def _ticket_page(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    try:
        return redirect(reverse("hall:ticket_print", args=[ticket.pk]))
    except NoReverseMatch:  # the kiosk's ticket page is not installed: show the number here
        info = tickets.ticket_info(ticket)
        return render(request, "hall/appointments/checked_in.html", {"info": info, "ticket": ticket})


@never_cache
@require_http_methods(["GET", "POST"])
def appointment_check_in(request: HttpRequest) -> HttpResponse:
    """The kiosk's 预约签到: the booking code (typed or scanned) and the booker's ID number → the ticket."""
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        actor = request.user if request.user.is_authenticated else None
        try:
            ticket = appointments.appointment_check_in(
                code=form.cleaned_data["code"], id_number=form.cleaned_data["id_number"], actor=actor
            )
        except ApplicationError as error:
            form.add_service_error(error)
            if error.fields:  # the kiosk says what went wrong on top too
                form.add_error(None, error.message)
        else:
            return _ticket_page(request, ticket)
    return render(request, "hall/appointments/check_in.html", {"form": form})
