"""我的证照 (the holder's licence library, 亮证): an applicant's own licences as verified now, one licence
with its data, a QR code to show a clerk and the PDF, and the 用证授权 the holder gives (and withdraws) for
his own open cases, each with the uses made under it.

Thin views: ``selectors.licences_held`` reaches only the signed-in applicant's licences (anyone else's is a
404), the services in ``authorisations`` decide and audit. POSTs redirect (PRG); an htmx form gets itself
back with the service's message next to the field, or a redirect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from yichuang.cases import selectors as case_selectors
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.permissions import require_capability
from yichuang.licences import authorisations, selectors
from yichuang.licences.forms import AuthoriseForm
from yichuang.licences.models import (
    AuthorisationChannel,
    Licence,
    LicenceAuthorisation,
    LicenceUse,
)
from yichuang.licences.rendering import licence_pdf, verify_url
from yichuang.licences.verification import Verdict, licence_verify

# The verdict in a list's few words (the full labels are the verification page's).
SHORT_LABELS = {"superseded": "已变更"}
AUTHORISATION_STATES = {"active": "有效", "expired": "已过期", "withdrawn": "已撤回"}
QR_TITLE = "亮证二维码：扫码核验本证照"


def verdict_label(verdict: Verdict) -> str:
    return _(SHORT_LABELS.get(verdict.status, verdict.label))


def data_rows(licence: Licence) -> list[dict[str, str]]:
    """Every data item with its label from the type's schema, in the schema's order (items the schema no
    longer names follow under their keys)."""
    rows = []
    for item in licence.licence_type.schema:
        value = licence.data.get(item["key"])
        rows.append(
            {
                "key": str(item["key"]),
                "label": str(item.get("label") or item["key"]),
                "value": "" if value is None else str(value),
            }
        )
    named = {row["key"] for row in rows}
    rows += [
        {"key": key, "label": key, "value": str(value)}
        for key, value in sorted(licence.data.items())
        if key not in named
    ]
    return rows


def qr_svg(licence: Licence) -> SafeString:
    """The QR code a clerk scans (亮证): the public verification page with the identifier filled in."""
    code = segno.make(verify_url(licence), error="m", micro=False)
    # segno writes the SVG itself and escapes the title; the URL is only encoded in the modules.
    # omitsize: a viewBox instead of a fixed 6-px module, so CSS sizes it to the screen (掌上办, 出示二维码).
    return mark_safe(code.svg_inline(scale=6, border=2, title=_(QR_TITLE), svgclass="qr-code", omitsize=True))


def authorisation_state(authorisation: LicenceAuthorisation, now: dt.datetime) -> str:
    if authorisation.withdrawn_at is not None:
        return "withdrawn"
    return "active" if authorisation.active(now) else "expired"


def use_department(use: LicenceUse) -> str:
    """Who used the licence, as the holder sees it: the department, never the person."""
    user = use.used_by
    if user is None:
        return _("系统")
    department = getattr(user, "department", None)
    return department.name if department is not None else str(user.get_role_display())


def with_uses(authorisations: QuerySet[LicenceAuthorisation]) -> QuerySet[LicenceAuthorisation]:
    """Authorisations with their case and their uses (and who used them), newest first, in three queries."""
    uses = Prefetch("uses", queryset=LicenceUse.objects.select_related("used_by__department"))
    return (
        authorisations.select_related("case__item_version")
        .prefetch_related(uses)
        .order_by("-granted_at", "-pk")
    )


def licence_filename(licence: Licence) -> str:
    version = f"（第{licence.version}版）" if licence.version > 1 else ""
    return f"{licence.licence_type.name}{licence.number}{version}.pdf"


def pdf_response(licence: Licence) -> HttpResponse:
    response = HttpResponse(licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=licence_filename(licence)) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def open_case_choices(actor: Any, licence: Licence) -> list[tuple[int, str]]:
    """The holder's own cases still being handled: the ones a licence may be authorised for."""
    cases = (
        case_selectors.case_list(actor=actor, open_only=True)
        .filter(applicant=licence.holder)
        .select_related("item_version")
        .order_by("-submitted_at", "-pk")
    )
    return [(case.pk, f"{case.number} · {case.item_version.name}") for case in cases]


# ——— checks and pages ———


def _require_holder(request: HttpRequest) -> None:
    require_capability(request.user, "case.apply", "只有申请人可以使用“我的证照”")


def _held(request: HttpRequest, licence_id: int) -> Licence:
    _require_holder(request)
    return selectors.licence_held(request.user, licence_id)


def _detail_url(licence: Licence) -> str:
    return reverse("licences:library_detail", args=[licence.pk])


def _authorise_form(request: HttpRequest, licence: Licence, data: Any = None) -> AuthoriseForm:
    return AuthoriseForm(data, cases=open_case_choices(request.user, licence), prefix="authorise")


def _detail_page(
    request: HttpRequest, licence: Licence, *, form: AuthoriseForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    verdict = licence_verify(licence)
    rows = [
        {
            "authorisation": authorisation,
            "state": authorisation_state(authorisation, now),
            "state_label": _(AUTHORISATION_STATES[authorisation_state(authorisation, now)]),
            "uses": [{"use": use, "department": use_department(use)} for use in authorisation.uses.all()],
        }
        for authorisation in with_uses(licence.authorisations.all())
    ]
    context = {
        "licence": licence,
        "verdict": verdict,
        "verdict_label": verdict_label(verdict),
        "data_rows": data_rows(licence),
        "qr": qr_svg(licence),
        "verify_url": verify_url(licence),
        "authorisations": rows,
        "can_authorise": verdict.status == "valid",
        "form": form or _authorise_form(request, licence),
    }
    return render(request, "licences/library_detail.html", context, status=status)


def _form_refused(
    request: HttpRequest, licence: Licence, form: AuthoriseForm, error: ApplicationError | None
) -> HttpResponse:
    """The form again with why: alone for htmx (which swaps only a 2xx), else the whole page."""
    if error is not None:
        form.add_service_error(error)
    if getattr(request, "htmx", False):
        context = {"licence": licence, "form": form, "can_authorise": True}
        return render(request, "licences/library_authorise_form.html", context)
    return _detail_page(request, licence, form=form, status=error.status if error is not None else 400)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# ——— views ———


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    _require_holder(request)
    page = Paginator(selectors.licences_held(request.user), 20).get_page(request.GET.get("page"))
    rows = []
    for licence in page.object_list:
        verdict = licence_verify(licence)
        rows.append({"licence": licence, "verdict": verdict, "label": verdict_label(verdict)})
    context = {"page": page, "rows": rows, "applicant": getattr(request.user, "applicant", None)}
    return render(request, "licences/library_list.html", context)


@login_required
@require_GET
def library_detail(request: HttpRequest, licence_id: int) -> HttpResponse:
    return _detail_page(request, _held(request, licence_id))


@login_required
@require_GET
def library_pdf(request: HttpRequest, licence_id: int) -> HttpResponse:
    return pdf_response(_held(request, licence_id))


@login_required
@require_POST
def library_authorise(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = _held(request, licence_id)
    form = _authorise_form(request, licence, request.POST)
    if not form.is_valid():
        return _form_refused(request, licence, form, None)
    try:
        case = case_selectors.case_get(actor=request.user, case_id=form.cleaned_data["case"])
        # A repeat (a double click) gets the authorisation in force back: still one row.
        granted = authorisations.authorisation_grant(
            actor=request.user,
            licence=licence,
            case=case,
            channel=AuthorisationChannel.ONLINE,
            days=form.cleaned_data["days"],
        )
    except ApplicationError as error:
        return _form_refused(request, licence, form, error)
    messages.success(
        request,
        _("已授权办件 %(case)s 使用本证照，至 %(until)s，授权编号 %(reference)s。")
        % {
            "case": case.number,
            "until": timezone.localtime(granted.valid_until).strftime("%Y-%m-%d %H:%M"),
            "reference": granted.reference,
        },
    )
    return _done(request, _detail_url(licence))


@login_required
@require_POST
def library_withdraw(request: HttpRequest, licence_id: int, reference: str) -> HttpResponse:
    licence = _held(request, licence_id)
    authorisation = licence.authorisations.filter(reference=reference).first()
    if authorisation is None:
        raise NotFoundError("未找到该授权")
    try:
        authorisations.authorisation_withdraw(actor=request.user, authorisation=authorisation)
    except ApplicationError as error:
        if getattr(request, "htmx", False):
            return render(request, "core/_error_fragment.html", {"error": error})
        raise
    messages.success(
        request, _("已撤回授权 %(reference)s，该办件不能再使用本证照。") % {"reference": reference}
    )
    return _done(request, _detail_url(licence))
