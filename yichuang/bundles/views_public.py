"""The public side of 一件事, no login: the 一件事专区 (published bundles by life event), a bundle's own guide
(what it covers, when each item applies, the one material list, the questionnaire) and the progress
lookup the QR code on a bundle notice opens (``notices.application_track_url``).

The lookup is as careful as a case's (``cases.views_track``): the application number and the applicant's
ID number (or credit code) must both match, a wrong one of either gets the same answer, the ID number
travels only in a POST body, lookups per address are limited (the cases' budget), and the answer shows a
masked name and the members' progress — nothing the applicant wrote on the form.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from yichuang.bundles import selection as bundle_selection
from yichuang.bundles import selectors
from yichuang.bundles.forms_portal import TrackForm
from yichuang.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleEvent,
    BundleMember,
    BundleQuestion,
    EventKind,
    MemberState,
)
from yichuang.cases.models import CaseStatus
from yichuang.cases.views_track import RATE_LIMITED_MESSAGE, lookup_allowed, lookups_per_minute
from yichuang.catalog.models import ItemCaseKind
from yichuang.core.crypto_fields import keyed_hash
from yichuang.core.errors import NotFoundError
from yichuang.core.masking import mask_name
from yichuang.core.permissions import has_capability
from yichuang.core.validators import normalize_credit_code, normalize_id_number

NOT_FOUND_MESSAGE = "未找到与申请编号和证件号码相符的一件事申请"


# ——— reads the pages share ———


def departments_of(members: list[BundleMember]) -> list[str]:
    return list(dict.fromkeys(member.item.department.name for member in members))


def condition_text(member: BundleMember, questions: dict[str, BundleQuestion]) -> str:
    """When a member applies, in the questionnaire's own words ("" when always)."""
    parts = []
    for key, allowed in (member.condition or {}).items():
        question = questions.get(key)
        if question is None:
            continue
        labels = {choice["value"]: choice["label"] for choice in question.choices}
        answers = _("或").join(f"“{labels.get(value, value)}”" for value in allowed)
        parts.append(_("%(question)s 选择 %(answers)s") % {"question": question.text, "answers": answers})
    return _("；且").join(parts)


def member_promised_days(member: BundleMember) -> int:
    version = member.item.current_version
    if version is None or version.case_kind == ItemCaseKind.IMMEDIATE:
        return 0
    return int(version.promised_days)


def offline_members(members: list[BundleMember]) -> list[BundleMember]:
    return [m for m in members if m.item.current_version is None or m.item.current_version.online_depth < 3]


def user_may_apply_online(request: HttpRequest) -> bool:
    """Anonymous visitors (who log in on the way) and applicants see the button; staff do not."""
    return not request.user.is_authenticated or has_capability(request.user, "case.apply")


# ——— 一件事专区 ———


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    members = Prefetch(
        "members",
        queryset=BundleMember.objects.select_related("item__department").order_by("position", "pk"),
    )
    bundles = list(selectors.bundles_published().prefetch_related(members).order_by("position", "pk"))
    groups = []
    for kind, label in EventKind.choices:
        rows = [
            {
                "bundle": bundle,
                "member_count": len(bundle.members.all()),
                "departments": departments_of(list(bundle.members.all())),
            }
            for bundle in bundles
            if bundle.event_kind == kind
        ]
        if rows:
            groups.append({"kind": kind, "label": label, "rows": rows})
    return render(request, "bundles/public_list.html", {"groups": groups})


# ——— a bundle's guide ———


def guide_context(bundle: Bundle) -> dict[str, Any]:
    merged = bundle_selection.selection_all(bundle)
    questions = bundle_selection.questions_of(bundle)
    by_key = {question.key: question for question in questions}
    members = merged.members
    rows = [
        {
            "member": member,
            "department": member.item.department,
            "version": member.item.current_version,
            "promised_days": member_promised_days(member),
            "when": condition_text(member, by_key),
            "requires": [str(required) for required in member.requires.all()],
        }
        for member in members
    ]
    separate_days = sum(member_promised_days(member) for member in members)
    separate_visits = sum(
        member.item.current_version.visits_required for member in members if member.item.current_version
    )
    offline = offline_members(members)
    return {
        "bundle": bundle,
        "rows": rows,
        "questions": questions,
        "selection": merged,
        "departments": departments_of(members),
        "separate_days": separate_days,
        "separate_visits": separate_visits,
        "saved_days": max(separate_days - bundle.promised_days, 0),
        "separate_material_count": merged.separate_material_count,
        # Online is offered when every item the bundle always includes can be applied for online; a
        # situation that adds an offline item is told so on the second step.
        "online": not [m for m in offline if not m.condition],
        "offline_members": offline,
    }


@require_GET
def public_guide(request: HttpRequest, code: str) -> HttpResponse:
    bundle = selectors.bundle_published_get(code)
    context = guide_context(bundle)
    context["may_apply"] = user_may_apply_online(request)
    return render(request, "bundles/public_guide.html", context)


# ——— 办理进度查询 ———


def application_public_lookup(*, number: str, id_number: str) -> BundleApplication:
    """The application whose number and applicant's ID number (or credit code) both match."""
    number = (number or "").strip().upper()
    identifier = (id_number or "").strip().upper()
    if not number or not identifier:
        raise NotFoundError("请填写一件事申请编号和身份证号码（或统一社会信用代码）")
    application = (
        BundleApplication.objects.select_related("bundle", "applicant")
        .filter(number=number)
        .filter(
            Q(applicant__id_number_hash=keyed_hash(normalize_id_number(identifier)))
            | Q(applicant__credit_code=normalize_credit_code(identifier))
        )
        .exclude(applicant__id_number_hash="", applicant__credit_code="")
        .first()
    )
    if application is None:
        raise NotFoundError(NOT_FOUND_MESSAGE)
    return application


def public_view(application: BundleApplication) -> dict[str, Any]:
    links = selectors.application_members(application)
    members = []
    for link in links:
        case = link.case
        if case is not None:
            status, label = case.status, CaseStatus(case.status).label
        else:
            status, label = link.state, MemberState(link.state).label
        members.append(
            {
                "name": str(link.member),
                "department": (case.department if case is not None else link.member.item.department).name,
                "status": status,
                "label": label,
                "number": case.number if case is not None else "",
                "due_date": case.due_date if case is not None else None,
            }
        )
    steps = [
        {"label": selectors.BUNDLE_ACTIONS.get(event.action, event.action), "at": event.at}
        for event in BundleEvent.objects.filter(application=application).order_by("at", "pk")
    ]
    return {
        "application": application,
        "masked_name": mask_name(application.applicant.name),
        "members": members,
        "steps": steps,
        "finished": application.status
        in (ApplicationStatus.RESULT_READY, ApplicationStatus.CLOSED, ApplicationStatus.WITHDRAWN),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = TrackForm(initial={"number": request.GET.get("number", "")[:24]})
        return render(request, "bundles/track.html", {"form": form})
    form = TrackForm(request.POST)
    if not lookup_allowed(request):
        form.is_valid()
        message = _(RATE_LIMITED_MESSAGE) % {"n": lookups_per_minute()}
        return render(request, "bundles/track.html", {"form": form, "refused": message}, status=429)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        try:
            application = application_public_lookup(
                number=form.cleaned_data["number"], id_number=form.cleaned_data["id_number"]
            )
        except NotFoundError as error:
            context["not_found"] = error.message
        else:
            context["result"] = public_view(application)
            # Found: the ID number is not echoed back into the page.
            context["form"] = TrackForm(initial={"number": application.number})
    return render(request, "bundles/track.html", context)
