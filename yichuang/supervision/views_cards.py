"""The card screens (namespace ``supervision``): the list with its counts and filters, one card with its
case or ticket, its history, the department's answer form and the inspector's review, and the inspector's
"run the sweep" button.

Thin: read through ``selectors_cards`` (another department's card is a 404, no capability a 403), call a
service, redirect (POST-redirect-GET). A service's ApplicationError is shown on the form in its own words.
With htmx the filters refresh the results in place and the forms swap the card's main part; without
JavaScript every form still works as a plain GET or POST.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability
from yichuang.supervision import cards, selectors_cards
from yichuang.supervision.forms_cards import CardAnswerForm, CardFilterForm, CardReviewForm
from yichuang.supervision.models_cards import Card, CardEvent

PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@login_required
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    """黄牌红牌: the cards the user may see, newest first, with the counts of the filtered set on top."""
    user = request.user
    selectors_cards.require_view(user)
    wide = selectors_cards.centre_wide(user)
    departments = Department.objects.filter(is_active=True).order_by("path") if wide else None
    form = CardFilterForm(request.GET or None, departments=departments)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors_cards.card_list(user, data)
    today = timezone.localdate()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(key, value) for key, value in request.GET.items() if key != "page" and value])
    context = {
        "form": form,
        "page": page,
        "cards": list(page),
        "summary": selectors_cards.card_summary(rows, today=today),
        "today": today,
        "query": query,
        "wide": wide,
        "may_sweep": has_capability(user, "supervision.card"),
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "card-results":
        return render(request, "supervision/partials/cards_results.html", context)
    return render(request, "supervision/cards_list.html", context)


def _card_page(
    request: HttpRequest,
    card: Card,
    *,
    bound: dict[str, Form] | None = None,
    error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    forms: dict[str, Form] = {}
    if selectors_cards.may_answer(user, card):
        forms["answer"] = CardAnswerForm(prefix="answer")
    if selectors_cards.may_review(user, card):
        forms["review"] = CardReviewForm(prefix="review")
    forms.update(bound or {})
    history = selectors_cards.card_history(card)
    context = {
        "card": card,
        "subject_url": selectors_cards.card_subject_url(card),
        "history": history,
        "answers": [event for event in history if event.action == CardEvent.Action.ANSWERED],
        "answer_overdue": card.awaiting_answer and card.answer_due < timezone.localdate(),
        "forms": forms,
        "error": error,
    }
    if _is_htmx(request):
        status = 200  # htmx swaps only successful responses; the form shows the error itself
    return render(request, "supervision/cards_detail.html", context, status=status)


@login_required
@require_GET
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    return _card_page(request, selectors_cards.card_get(request.user, card_id))


def _done(request: HttpRequest, card: Card, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("supervision:card_detail", args=[card.pk]))


@login_required
@require_POST
def card_answer(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors_cards.card_get(request.user, card_id)
    form = CardAnswerForm(request.POST, prefix="answer")
    if form.is_valid():
        try:
            cards.card_answer(
                actor=request.user,
                card=card,
                reason=form.cleaned_data["reason"],
                fix=form.cleaned_data["fix"],
            )
        except (PermissionDeniedError, NotFoundError):
            raise
        except ApplicationError as error:
            form.add_service_error(error)
            card.refresh_from_db()
            return _card_page(request, card, bound={"answer": form}, error=error, status=error.status)
        return _done(request, card, _("答复已提交，等待监察员审核"))
    return _card_page(request, card, bound={"answer": form}, status=400)


@login_required
@require_POST
def card_review(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors_cards.card_get(request.user, card_id)
    form = CardReviewForm(request.POST, prefix="review")
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            cards.card_review(actor=request.user, card=card, accept=accept, note=form.cleaned_data["note"])
        except (PermissionDeniedError, NotFoundError):
            raise
        except ApplicationError as error:
            form.add_service_error(error)
            card.refresh_from_db()
            return _card_page(request, card, bound={"review": form}, error=error, status=error.status)
        return _done(request, card, _("已审核通过") if accept else _("已退回部门重新答复"))
    return _card_page(request, card, bound={"review": form}, status=400)


@login_required
@require_POST
def card_sweep(request: HttpRequest) -> HttpResponse:
    """The inspector runs the sweep now (it also runs on its schedule)."""
    report: dict[str, Any] = cards.cards_sweep_by(actor=request.user)
    messages.success(
        request,
        _("发牌检查完成：新发黄牌 %(yellow)s 张、红牌 %(red)s 张，解除黄牌 %(lifted)s 张") % report,
    )
    return redirect(reverse("supervision:card_list"))
