"""办理进度查询: anyone with the case number and the applicant's ID number (or credit code) sees where the
case stands — status, item, department, the dates and the timeline's steps — and nothing personal beyond
a masked name. The QR code on every notice opens this page with the number filled in
(``notices.case_track_url``).

A wrong number and a wrong ID number get the same answer, the ID number travels only in a POST body (not
in URLs or access logs), and each address may look up only so many times a minute, so numbers cannot be
guessed by trying.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yichuang.cases import selectors
from yichuang.cases.forms_portal import TrackForm
from yichuang.cases.models import Case, CaseStatus
from yichuang.cases.views_portal import action_label, applicant_timeline, remaining_days
from yichuang.core.errors import NotFoundError
from yichuang.core.http import rate_allowed
from yichuang.core.masking import mask_name

RATE_LIMITED_MESSAGE = "查询过于频繁，请稍后再试（每分钟最多查询%(n)d次）"


def lookups_per_minute() -> int:
    return int(settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE)


def lookup_allowed(request: HttpRequest) -> bool:
    """Count this lookup against the address's budget for the current minute (shared cache)."""
    return rate_allowed(request, bucket="cases:track", per_minute=lookups_per_minute())


def _public_view(case: Case) -> dict[str, object]:
    events = applicant_timeline(case)
    return {
        "case": case,
        "masked_name": mask_name(case.applicant.name),
        "remaining": remaining_days(case),
        "steps": [{"label": action_label(event), "at": event.at} for event in events],
        "closed": case.status
        in (
            CaseStatus.CLOSED,
            CaseStatus.REFUSED,
            CaseStatus.WITHDRAWN,
            CaseStatus.TERMINATED,
            CaseStatus.REVOKED,
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = TrackForm(initial={"number": request.GET.get("number", "")[:43]})
        return render(request, "cases/track_form.html", {"form": form})
    form = TrackForm(request.POST)
    if not lookup_allowed(request):
        form.is_valid()
        message = _(RATE_LIMITED_MESSAGE) % {"n": lookups_per_minute()}
        return render(request, "cases/track_form.html", {"form": form, "refused": message}, status=429)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        try:
            case = selectors.case_public_lookup(
                number=form.cleaned_data["number"], id_number=form.cleaned_data["id_number"]
            )
        except NotFoundError as error:
            context["not_found"] = error.message
        else:
            context["result"] = _public_view(case)
            # Found: the ID number is not echoed back into the page.
            context["form"] = TrackForm(initial={"number": case.number})
    return render(request, "cases/track_form.html", context)
