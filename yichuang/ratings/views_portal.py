"""一事一评 from the applicant's own case page (掌上办): a logged-in applicant rates his closed case with the
same five levels the texted link and the API offer. One rating per case whatever the channel; a phone's
rating is recorded as 掌上办, a computer's as 网上. Another applicant's case, or one that does not exist,
is not found (``selectors.served_for_rater``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yichuang.core.errors import ApplicationError
from yichuang.core.http import idempotency_key_from
from yichuang.ratings import selectors, services
from yichuang.ratings.forms import RatingForm
from yichuang.ratings.models import Channel, Evaluation, SubjectKind
from yichuang.ratings.views_public import _apply_error

_PHONE_AGENT = re.compile(r"Mobile|Android|iPhone|iPad|HarmonyOS|MicroMessenger", re.IGNORECASE)


def _channel(request: HttpRequest) -> str:
    return Channel.MOBILE if _PHONE_AGENT.search(request.headers.get("User-Agent", "")) else Channel.ONLINE


def _own_key(request: HttpRequest, raw: str | None) -> str | None:
    """The form's key, scoped to the user as the API scopes it: two users' equal keys never meet."""
    return hashlib.sha256(f"ratings:{request.user.pk}:{raw}".encode()).hexdigest() if raw else None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_rate(request: HttpRequest, case_id: int) -> HttpResponse:
    detail = redirect("cases:portal_detail", case_id=case_id)
    try:
        served = selectors.served_for_rater(user=request.user, kind=SubjectKind.CASE, subject_id=case_id)
    except ApplicationError as error:
        if error.status == 404:
            raise
        messages.info(request, error.message)  # not closed yet: "办件办结后才能评价"
        return detail
    rated = Evaluation.objects.filter(subject_kind=SubjectKind.CASE, subject_id=served.id).first()
    if rated is not None and request.method == "POST":
        # A second click of the same form ends where the first did; any other post is told it is done.
        key = _own_key(request, (request.POST.get("idempotency_key") or "").strip() or None)
        if key is not None and rated.idempotency_key == key:
            messages.success(request, _("感谢您的评价！您的评价将用于改进政务服务。"))
        else:
            messages.info(request, _("该服务已经评价过了，每项服务只能评价一次"))
        return detail
    period = services.rating_policy().rating_period_days
    context = {"served": served, "case_id": case_id, "rated": rated}
    if rated is None and timezone.now() > served.served_at + dt.timedelta(days=period):
        context["period_over"] = _("办结已超过%(n)d天，评价期已过") % {"n": period}
    if rated is not None or "period_over" in context:
        return render(request, "ratings/case_rate.html", context)
    form = RatingForm(request.POST or None, mode=served.mode)
    raw_key = request.POST.get("idempotency_key") if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(
                served=served,
                channel=_channel(request),
                level=form.cleaned_data["level"],
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                actor=request.user,
                idempotency_key=_own_key(request, idempotency_key_from(None, raw_key)),
            )
        except ApplicationError as error:
            if error.code != "already_rated":
                _apply_error(form, error)
        if not form.errors:
            messages.success(request, _("感谢您的评价！您的评价将用于改进政务服务。"))
            return detail
    context.update(form=form, idempotency_key=raw_key or uuid.uuid4().hex)
    return render(request, "ratings/case_rate.html", context, status=400 if form.errors else 200)
