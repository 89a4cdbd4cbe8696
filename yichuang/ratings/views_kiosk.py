"""评价 at the self-service kiosk (自助终端): find one's service — a case by its number and the applicant's
ID number (or credit code), or today's hall number by the number and the ID number given when taking it —
then rate it. Lookups are rate-limited per address like the progress lookup, a wrong number and a wrong ID
get the same answer, and the service found travels to the rating step only as a signed, short-lived value
(never the ID number). Anonymous numbers are rated on the window's rating screen instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yichuang.cases import selectors as case_selectors
from yichuang.cases.views_track import RATE_LIMITED_MESSAGE, lookup_allowed, lookups_per_minute
from yichuang.core.crypto_fields import keyed_hash
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.validators import normalize_id_number
from yichuang.hall.models import Ticket
from yichuang.ratings import services
from yichuang.ratings.forms import RatingForm
from yichuang.ratings.models import Channel, SubjectKind
from yichuang.ratings.subjects import Served, served, served_case, served_hall_ticket
from yichuang.ratings.views_public import _apply_error

_SALT = "yichuang.ratings.kiosk"
_MAX_AGE = 600  # seconds between finding the service and rating it


class KioskLookupForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("评价什么"),
        choices=[
            (SubjectKind.CASE, gettext_lazy("办件（办件编号）")),
            (SubjectKind.HALL_TICKET, gettext_lazy("今天的窗口服务（排队号码）")),
        ],
        widget=forms.RadioSelect,
        initial=SubjectKind.CASE,
    )
    number = forms.CharField(label=gettext_lazy("办件编号或排队号码"), max_length=43)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号码（法人为统一社会信用代码）"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].error_messages["required"] = _("请填写办件编号或排队号码")
        self.fields["id_number"].error_messages["required"] = _("请填写身份证号码或统一社会信用代码")

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()

    def clean_id_number(self) -> str:
        return "".join(self.cleaned_data["id_number"].split()).upper()


def _find(kind: str, number: str, id_number: str) -> Served:
    if kind == SubjectKind.CASE:
        return served_case(case_selectors.case_public_lookup(number=number, id_number=id_number))
    ticket = (
        Ticket.objects.select_related("window__department", "hall", "category", "clerk", "user")
        .filter(
            day=timezone.localdate(), number=number, id_number_hash=keyed_hash(normalize_id_number(id_number))
        )
        .exclude(id_number_hash="")
        .first()
    )
    if ticket is None:
        raise NotFoundError(_("未找到与号码和证件号码相符的服务"))
    return served_hall_ticket(ticket)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "ratings/kiosk.html", {"lookup": KioskLookupForm()})
    if "subject" in request.POST:
        return _rate(request)
    lookup = KioskLookupForm(request.POST)
    if not lookup_allowed(request):
        lookup.is_valid()
        message = _(RATE_LIMITED_MESSAGE) % {"n": lookups_per_minute()}
        return render(request, "ratings/kiosk.html", {"lookup": lookup, "refused": message}, status=429)
    if not lookup.is_valid():
        return render(request, "ratings/kiosk.html", {"lookup": lookup}, status=400)
    try:
        found = _find(
            lookup.cleaned_data["kind"], lookup.cleaned_data["number"], lookup.cleaned_data["id_number"]
        )
    except ApplicationError as error:
        return render(request, "ratings/kiosk.html", {"lookup": lookup, "refused": error.message}, status=404)
    subject = signing.dumps({"kind": found.kind, "id": found.id}, salt=_SALT)
    form = RatingForm(mode=found.mode)
    return render(request, "ratings/kiosk.html", {"served": found, "form": form, "subject": subject})


def _rate(request: HttpRequest) -> HttpResponse:
    try:
        value = signing.loads(request.POST["subject"], salt=_SALT, max_age=_MAX_AGE)
        found = served(str(value["kind"]), int(value["id"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        message = _("评价已超时，请重新查询")
        return render(
            request, "ratings/kiosk.html", {"lookup": KioskLookupForm(), "refused": message}, status=400
        )
    form = RatingForm(request.POST, mode=found.mode)
    if form.is_valid():
        try:
            services.evaluation_submit(
                served=found,
                channel=Channel.KIOSK,
                level=form.cleaned_data["level"],
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            _apply_error(form, error)
        else:
            return render(request, "ratings/kiosk.html", {"done": True})
    context = {"served": found, "form": form, "subject": request.POST["subject"]}
    return render(request, "ratings/kiosk.html", context, status=400)
