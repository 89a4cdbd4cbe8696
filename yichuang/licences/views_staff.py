"""电子证照 for the issuing departments: the licences their department (and those under it) issued, one
licence with its verdict and versions, 注销 (``licence.revoke``) and 变更 (``licence.issue``); and the public
免证办清单 with the share of materials e-licences satisfied.

Thin views: ``selectors.licences_issued`` scopes by department (another department's licence is a 404),
the services check who acts and audit. Lists mask the holder's name and ID number (a company's credit code is
public); the detail, for staff of the issuing department, shows them in full.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from yichuang.core.masking import mask_id_number, mask_name
from yichuang.core.permissions import has_capability
from yichuang.core.personal_data import personal_data_read, request_purpose, screen_name
from yichuang.licences import selectors, services
from yichuang.licences.forms import ChangeForm, LicenceFilterForm, RevokeForm
from yichuang.licences.models import HolderKind, Licence, LicenceStatus
from yichuang.licences.verification import licence_verify
from yichuang.licences.views_library import data_rows, pdf_response, verdict_label
from yichuang.licences.views_public import VERDICT_EXPLANATIONS, VERDICT_TONES

PAGE_SIZE = 20


# ——— reads shared with the API ———


def require_licence_staff(user: Any) -> None:
    """The issuing departments' reviewers and chief representatives, the admin and the inspector."""
    if getattr(user, "role", None) in CENTRE_WIDE_ROLES:
        return
    if has_capability(user, "licence.issue") or has_capability(user, "licence.revoke"):
        return
    raise PermissionDeniedError("只有发证部门的审批人员、负责人和政数局管理员可以查看签发的电子证照")


def licences_issued_filtered(actor: Any, *, status: str = "", query: str = "") -> QuerySet[Licence]:
    """``selectors.licences_issued`` narrowed by state (有效 and 已过有效期 told apart by date) and by a
    number or identifier (part of it)."""
    licences = selectors.licences_issued(actor)
    today = timezone.localdate()
    unexpired = Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    if status == "valid":
        licences = licences.filter(unexpired, status=LicenceStatus.VALID)
    elif status == "expired":
        licences = licences.filter(status=LicenceStatus.VALID, valid_until__lt=today)
    elif status in LicenceStatus.values:
        licences = licences.filter(status=status)
    elif status:
        raise ApplicationError("状态无效", fields={"status": ["无效"]})
    query = "".join((query or "").split())
    if query:
        licences = licences.filter(Q(number__icontains=query) | Q(identifier__icontains=query.upper()))
    return licences


def masked_holder_identifier(licence: Licence) -> str:
    """A person's ID number masked; a company's credit code is public and shown in full."""
    if licence.licence_type.holder_kind == HolderKind.NATURAL:
        return mask_id_number(licence.holder_identifier)
    return licence.holder_identifier


def masked_holder_name(licence: Licence) -> str:
    if licence.licence_type.holder_kind == HolderKind.NATURAL:
        return mask_name(licence.holder_name)
    return licence.holder_name


def share_percent(share: float) -> str:
    """0.25 → "25"; 1/3 → "33.3": one decimal where it tells something."""
    return f"{share * 100:.1f}".removesuffix(".0")


def _staff_case_url(case_id: int | None) -> str:
    if case_id is None:
        return ""
    try:
        return reverse("cases:staff_case", args=[case_id])
    except NoReverseMatch:
        return ""


# ——— pages ———


def _issued(request: HttpRequest, licence_id: int) -> Licence:
    require_licence_staff(request.user)
    return selectors.licence_issued(request.user, licence_id)


def _detail_url(licence: Licence) -> str:
    return reverse("licences:staff_detail", args=[licence.pk])


def _detail_page(
    request: HttpRequest,
    licence: Licence,
    *,
    revoke_form: RevokeForm | None = None,
    change_form: ChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    verdict = licence_verify(licence)
    valid = licence.status == LicenceStatus.VALID
    can_revoke = valid and has_capability(user, "licence.revoke")
    can_change = valid and has_capability(user, "licence.issue")
    context = {
        "licence": licence,
        "verdict": verdict,
        "verdict_label": verdict.label,
        "verdict_explanation": VERDICT_EXPLANATIONS[verdict.status],
        "verdict_tone": VERDICT_TONES.get(verdict.status, "retired"),
        "natural": licence.licence_type.holder_kind == HolderKind.NATURAL,
        "data_rows": data_rows(licence),
        "versions": _version_rows(licence),
        "case_url": _staff_case_url(licence.case_id),
        "can_revoke": can_revoke,
        "can_change": can_change,
        "revoke_form": (revoke_form or RevokeForm(prefix="revoke")) if can_revoke else None,
        "change_form": (change_form or ChangeForm(licence=licence, prefix="change")) if can_change else None,
    }
    _log_holder_read(request, licence)
    return render(request, "licences/staff_detail.html", context, status=status)


def _log_holder_read(request: HttpRequest, licence: Licence) -> None:
    """The detail and the PDF show a natural holder's ID number in full: a read of personal data."""
    if licence.licence_type.holder_kind == HolderKind.NATURAL and licence.holder_identifier:
        personal_data_read(
            actor=request.user,
            obj=licence,
            person="holder",
            fields=["holder_identifier"],
            screen=screen_name(request),
            purpose=request_purpose(request),
        )


def _version_rows(licence: Licence) -> list[dict[str, Any]]:
    """Every version of the licence, oldest first; empty when there is only this one."""
    chain = [licence]
    while chain[0].previous is not None:
        chain.insert(0, chain[0].previous)
    while True:
        following = Licence.objects.filter(previous=chain[-1]).first()
        if following is None:
            break
        chain.append(following)
    return [{"licence": row, "current": row.pk == licence.pk} for row in chain] if len(chain) > 1 else []


def _refused(
    request: HttpRequest,
    licence: Licence,
    error: ApplicationError | None,
    *,
    revoke_form: RevokeForm | None = None,
    change_form: ChangeForm | None = None,
) -> HttpResponse:
    """Why a form was refused, next to the field: in the form alone for htmx (which swaps only a 2xx),
    else on the page again — except a permission or not-found refusal, which is the error page (403/404)."""
    form: RevokeForm | ChangeForm | None = revoke_form if revoke_form is not None else change_form
    htmx = getattr(request, "htmx", False)
    if not htmx and isinstance(error, PermissionDeniedError | NotFoundError):
        raise error
    if error is not None and form is not None:
        form.add_service_error(error)
    if htmx:
        template = (
            "licences/staff_revoke_form.html"
            if revoke_form is not None
            else "licences/staff_change_form.html"
        )
        return render(request, template, {"licence": licence, "form": form})
    status = error.status if error is not None else 400
    return _detail_page(request, licence, revoke_form=revoke_form, change_form=change_form, status=status)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# ——— views ———


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    require_licence_staff(request.user)
    form = LicenceFilterForm(request.GET or None)
    status, query = form.filters()
    licences = licences_issued_filtered(request.user, status=status, query=query)
    page = Paginator(licences, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for licence in page.object_list:
        verdict = licence_verify(licence)
        rows.append(
            {
                "licence": licence,
                "holder": masked_holder_name(licence),
                "holder_identifier": masked_holder_identifier(licence),
                "verdict": verdict,
                "label": verdict_label(verdict),
            }
        )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query_string": query_string.urlencode()}
    return render(request, "licences/staff_list.html", context)


@login_required
@require_GET
def staff_detail(request: HttpRequest, licence_id: int) -> HttpResponse:
    return _detail_page(request, _issued(request, licence_id))


@login_required
@require_GET
def staff_pdf(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = _issued(request, licence_id)
    _log_holder_read(request, licence)
    return pdf_response(licence)


@login_required
@require_POST
def staff_revoke(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = _issued(request, licence_id)
    form = RevokeForm(request.POST, prefix="revoke")
    if not form.is_valid():
        return _refused(request, licence, None, revoke_form=form)
    try:
        services.licence_revoke(actor=request.user, licence=licence, reason=form.cleaned_data["reason"])
    except ConflictError as error:
        licence.refresh_from_db()
        if licence.status != LicenceStatus.REVOKED:
            return _refused(request, licence, error, revoke_form=form)
        messages.info(request, _("该证照已注销。"))  # a second click on the same button
        return _done(request, _detail_url(licence))
    except ApplicationError as error:
        return _refused(request, licence, error, revoke_form=form)
    messages.success(request, _("证照已注销，核验结果将显示为“已注销”。"))
    return _done(request, _detail_url(licence))


@login_required
@require_POST
def staff_change(request: HttpRequest, licence_id: int) -> HttpResponse:
    licence = _issued(request, licence_id)
    form = ChangeForm(request.POST, licence=licence, prefix="change")
    if not form.is_valid():
        return _refused(request, licence, None, change_form=form)
    data = form.data_changed()
    try:
        changed = services.licence_change(actor=request.user, licence=licence, data=data)
    except ConflictError as error:
        # A second click on the same form: the first made the next version with this very data.
        following = Licence.objects.filter(previous=licence).first()
        if following is not None and following.data == data:
            messages.info(request, _("该证照已变更为第 %(n)s 版。") % {"n": following.version})
            return _done(request, _detail_url(following))
        return _refused(request, licence, error, change_form=form)
    except ApplicationError as error:
        return _refused(request, licence, error, change_form=form)
    messages.success(
        request,
        _("已签发变更后的第 %(n)s 版，原证照已标记为“已变更”。") % {"n": changed.version},
    )
    return _done(request, _detail_url(changed))


@require_GET
def exemptions(request: HttpRequest) -> HttpResponse:
    """免证办清单 (public): items whose materials an e-licence replaces, and how often one did."""
    rows = [{"line": line, "percent": share_percent(line.share)} for line in selectors.exemption_list()]
    return render(request, "licences/exemptions.html", {"rows": rows})
