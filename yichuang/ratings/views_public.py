"""The rater's screens: the one-time link of a case or a rectification (一事一评), and the rating form on a
window's rating page (一次一评, posted here by the counter screen's form)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.http import idempotency_key_from
from yichuang.hall import selectors as hall_selectors
from yichuang.hall.models import Ticket, Window
from yichuang.hall.windows import window_rating_closed
from yichuang.ratings import services
from yichuang.ratings.forms import RatingForm
from yichuang.ratings.models import Channel, Invitation, Rectification, ServiceMode
from yichuang.ratings.subjects import served, served_hall_ticket


def _apply_error(form: RatingForm, error: ApplicationError) -> None:
    """Put a service's structured error on the form: on its fields when it names them."""
    fields = error.fields or {}
    for name, messages in fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
    if not fields:
        form.add_error(None, error.message)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page a texted link opens: rate the case, or the rectification of one's bad rating. The link
    works once and expires with the rating period; the applicant need not log in."""
    found = services.invitation_find(token)
    subject = served(found.subject_kind, found.subject_id)
    if found.purpose == Invitation.Purpose.RECTIFICATION:
        rectification = (
            Rectification.objects.select_related("evaluation")
            .filter(evaluation__subject_kind=found.subject_kind, evaluation__subject_id=found.subject_id)
            .first()
        )
        if rectification is None:
            raise NotFoundError(_("评价链接无效、已使用或已过期"), code="invitation_invalid")
        form = RatingForm(request.POST or None, mode=ServiceMode.OFFLINE, indicators=False)
        context = {"rectification": rectification, "form": form}
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.invitation_use(found, timezone.now())
                    services.rectification_rate(
                        rectification=rectification,
                        level=form.cleaned_data["level"],
                        comment=form.cleaned_data["comment"],
                    )
            except ApplicationError as error:
                _apply_error(form, error)
            else:
                return render(request, "ratings/invitation.html", {"done": True})
        return render(request, "ratings/invitation.html", context, status=400 if form.errors else 200)

    form = RatingForm(request.POST or None, mode=subject.mode)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.invitation_use(found, timezone.now())
                services.evaluation_submit(
                    served=subject,
                    channel=Channel.ONLINE,
                    level=form.cleaned_data["level"],
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            return render(request, "ratings/invitation.html", {"done": True})
    status = 400 if form.errors else 200
    return render(request, "ratings/invitation.html", {"served": subject, "form": form}, status=status)


def counter_panel_html(
    request: HttpRequest, window: Window, ticket: Ticket, form: RatingForm | None = None
) -> str:
    return render_to_string(
        "ratings/partials/counter_form.html",
        {
            "form": form or RatingForm(mode=ServiceMode.OFFLINE),
            "window": window,
            "ticket": ticket,
            "idempotency_key": (request.POST.get("idempotency_key") if form else None) or uuid.uuid4().hex,
        },
        request=request,
    )


@never_cache
@require_POST
def counter_rate(request: HttpRequest, window_id: int) -> HttpResponse:
    """一次一评 on the window's rating page: the rating of the number just finished there. Only that
    number, once; then the counter screen leaves its rating page."""
    window = hall_selectors.window_for_screen(window_id)
    state = hall_selectors.counter_state(window)
    ticket = state.rating_ticket
    if ticket is None or str(ticket.pk) != request.POST.get("ticket", ""):
        raise ApplicationError(_("该窗口当前没有待评价的服务，或评价已提交"), code="rating_closed")
    form = RatingForm(request.POST, mode=ServiceMode.OFFLINE)
    if form.is_valid():
        ticket = Ticket.objects.select_related("window__department", "hall", "category", "clerk", "user").get(
            pk=ticket.pk
        )
        try:
            services.evaluation_submit(
                served=served_hall_ticket(ticket),
                channel=Channel.WINDOW,
                level=form.cleaned_data["level"],
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                idempotency_key=idempotency_key_from(None, request.POST.get("idempotency_key")),
            )
        except ApplicationError as error:
            if error.code != "already_rated":
                _apply_error(form, error)
        if not form.errors:
            window_rating_closed(window_id=window.pk, ticket_id=ticket.pk)
            return redirect(f"{redirect('hall:counter_rating', window.pk).url}?rated=1")
    panel = counter_panel_html(request, window, ticket, form)
    return render(request, "hall/counter_rating.html", {"state": state, "rating_panel": panel}, status=400)
