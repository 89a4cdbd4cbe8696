"""The staff screens of 好差评: the bad ratings to call back and rectify (差评整改), the ratings of a
department (评价查询) with their appeals (申诉复核), and the admin's decision on an appeal.

Thin: fetch through ``selectors`` (scoped by ``policies``: a rectification, rating or appeal of another
department is a 404), check the capability (403), call a service, redirect (POST-redirect-GET). A
service's ApplicationError is shown on the form in its own Chinese words; permission and not-found
errors go to the error middleware (403/404).

The rater's identity never appears in a list; on a rectification it is shown in full only to who must
call him back (``policies.rater_view``), with his phone number in full so that he can be called.

Removed ratings (申诉成立后删除) are hidden from the ratings list; the admin (``ratings.decide``) alone may
list them with the filter "已删除", which then shows the removed ones only.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.masking import mask_name
from yichuang.core.permissions import has_capability
from yichuang.core.personal_data import request_purpose, screen_name
from yichuang.ratings import policies, selectors, services
from yichuang.ratings.forms_staff import (
    AnswerForm,
    AppealForm,
    CallBackForm,
    DecideForm,
    EvaluationFilterForm,
    RectificationFilterForm,
)
from yichuang.ratings.models import (
    INDICATORS,
    Appeal,
    AppealStatus,
    Evaluation,
    Rectification,
    RectificationStatus,
)

PAGE_SIZE = 50

# ——— checks ———


def require_any(user: Any, capabilities: tuple[str, ...], message: str) -> None:
    if not any(has_capability(user, capability) for capability in capabilities):
        raise PermissionDeniedError(message, extra={"needs": " | ".join(capabilities)})


def require_rectifications(user: Any) -> None:
    require_any(user, ("ratings.rectify", "ratings.view"), _("您没有查看差评整改的权限"))


def require_evaluations(user: Any) -> None:
    require_any(user, ("ratings.view", "ratings.rectify"), _("您没有查看评价的权限"))


def require_appeals(user: Any) -> None:
    require_any(user, ("ratings.decide", "ratings.appeal", "ratings.view"), _("您没有查看申诉复核的权限"))


def _page(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _filters_query(request: HttpRequest) -> str:
    """The list's filters, for the pager's links."""
    return urlencode([(key, value) for key, value in request.GET.items() if key != "page" and value])


# ——— rectifications ———


@login_required
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    """差评整改: the rectifications of the user's department (all of them for the admin and inspector),
    soonest due first; the due date is red once overdue, and "已上报" once escalated."""
    user = request.user
    require_rectifications(user)
    wide = policies.centre_wide(user)
    form = RectificationFilterForm(
        request.GET or None, departments=selectors.departments_for_filter() if wide else None
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    rows = selectors.rectification_list(
        user=user,
        status=data.get("status") or "",
        overdue_only=bool(data.get("overdue")),
        department=data.get("department"),
        today=today,
    )
    page = _page(request, rows)
    context = {
        "form": form,
        "page": page,
        "rows": [{"rectification": r, "overdue": selectors.rectification_is_overdue(r, today)} for r in page],
        "query": _filters_query(request),
        "wide": wide,
    }
    return render(request, "ratings/staff_rectification_list.html", context)


def _indicators(evaluation: Evaluation) -> list[tuple[str, int]]:
    scores = evaluation.scores or {}
    return [
        (label, scores[key])
        for key, label in INDICATORS.get(evaluation.service_mode, ())
        if scores.get(key) is not None
    ]


def _timeline(rectification: Rectification) -> list[dict[str, Any]]:
    return [
        {
            "at": event.at,
            "kind": event.kind,
            "label": selectors.EVENT_LABELS.get(event.kind, event.kind),
            "actor": event.actor,
            "note": event.note,
            "data": event.data,
        }
        for event in selectors.rectification_timeline(rectification)
    ]


def _last_event(rectification: Rectification) -> int | None:
    return rectification.events.order_by("-at", "-pk").values_list("pk", flat=True).first()


def _rater_shown(request: HttpRequest, evaluation: Evaluation) -> dict[str, str]:
    """The rater as the user may see him; seeing him in full is logged."""
    rater = policies.rater_view(request.user, evaluation)
    services.rater_read_record(
        actor=request.user,
        evaluation=evaluation,
        rater=rater,
        screen=screen_name(request),
        purpose=request_purpose(request),
    )
    return rater


def rectification_page(
    request: HttpRequest,
    rectification: Rectification,
    *,
    bound: dict[str, Form] | None = None,
    error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    evaluation = rectification.evaluation
    may_rectify = policies.may_rectify(user, rectification)
    last = _last_event(rectification)
    forms: dict[str, Form] = {}
    if may_rectify and rectification.status == RectificationStatus.CALL_BACK:
        forms["call_back"] = CallBackForm(prefix="call", initial={"last_event": last})
    if may_rectify and rectification.status == RectificationStatus.RECTIFYING:
        forms["answer"] = AnswerForm(prefix="answer", initial={"last_event": last})
    forms.update(bound or {})
    rater = _rater_shown(request, evaluation)
    context = {
        "rectification": rectification,
        "evaluation": evaluation,
        "indicators": _indicators(evaluation),
        "rater": rater,
        "timeline": _timeline(rectification),
        "overdue": selectors.rectification_is_overdue(rectification),
        "is_open": rectification.status in selectors.OPEN_STATUSES,
        "may_rectify": may_rectify,
        "forms": forms,
        "error": error,
    }
    return render(request, "ratings/staff_rectification_detail.html", context, status=status)


@login_required
@require_GET
def rectification_detail(request: HttpRequest, rectification_id: int) -> HttpResponse:
    require_rectifications(request.user)
    rectification = selectors.rectification_get(user=request.user, rectification_id=rectification_id)
    return rectification_page(request, rectification)


def _rectification_step(
    request: HttpRequest,
    rectification_id: int,
    *,
    form: Form,
    key: str,
    expect: str,
    step: Callable[[Rectification, dict[str, Any]], Any],
    success: str,
) -> HttpResponse:
    """Run one step of a rectification from its form; the form's ``last_event`` must still be the latest
    (a double submit finds the first one's step and is refused, see ``selectors.rectification_for_step``)."""
    user = request.user
    require_any(user, ("ratings.rectify",), _("您没有整改差评的权限"))
    rectification = selectors.rectification_get(user=user, rectification_id=rectification_id)
    if not policies.may_rectify(user, rectification):
        raise PermissionDeniedError(_("您无权处理该差评整改"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                locked = selectors.rectification_for_step(
                    rectification_id=rectification.pk, status=expect, last_event=data.get("last_event")
                )
                step(locked, data)
        except PermissionDeniedError:
            raise
        except ConflictError as error:
            # Done already (a double submit) or moved on meanwhile: the page as it is now, and why.
            refreshed = selectors.rectification_get(user=user, rectification_id=rectification.pk)
            return rectification_page(request, refreshed, error=error, status=error.status)
        except ApplicationError as error:
            form.add_service_error(error)  # type: ignore[attr-defined]
            return rectification_page(request, rectification, bound={key: form}, status=error.status)
        else:
            messages.success(request, success)
            return redirect("ratings:rectification_detail", rectification.pk)
    return rectification_page(request, rectification, bound={key: form}, status=400)


@login_required
@require_POST
def rectification_call_back(request: HttpRequest, rectification_id: int) -> HttpResponse:
    """回访核实: record a call to the rater (reached or not; reached, whether the facts are confirmed)."""

    def step(locked: Rectification, data: dict[str, Any]) -> Any:
        return services.rectification_call_back(
            rectification=locked,
            actor=request.user,
            reached=bool(data["reached"]),
            facts_confirmed=data.get("facts_confirmed"),
            note=data.get("note") or "",
        )

    return _rectification_step(
        request,
        rectification_id,
        form=CallBackForm(request.POST, prefix="call"),
        key="call_back",
        expect=RectificationStatus.CALL_BACK,
        step=step,
        success=_("回访记录已保存"),
    )


@login_required
@require_POST
def rectification_answer(request: HttpRequest, rectification_id: int) -> HttpResponse:
    """整改 and 反馈: the measure and the answer to the rater, who is texted a link to rate it."""

    def step(locked: Rectification, data: dict[str, Any]) -> Any:
        return services.rectification_answer(
            rectification=locked,
            actor=request.user,
            measure=data.get("measure") or "",
            answer=data.get("answer") or "",
        )

    return _rectification_step(
        request,
        rectification_id,
        form=AnswerForm(request.POST, prefix="answer"),
        key="answer",
        expect=RectificationStatus.RECTIFYING,
        step=step,
        success=_("整改情况已反馈评价人"),
    )


# ——— ratings ———


@login_required
@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    """评价查询: the ratings of the user's department (all for the admin and inspector), newest first, the
    rater masked. Removed ratings are hidden; the admin may list them alone with the filter "已删除"."""
    user = request.user
    require_evaluations(user)
    wide = policies.centre_wide(user)
    may_list_removed = has_capability(user, "ratings.decide")
    form = EvaluationFilterForm(
        request.GET or None,
        departments=selectors.departments_for_filter() if wide else None,
        removed_filter=may_list_removed,
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.evaluation_list(
        user=user,
        start=data.get("start"),
        end=data.get("end"),
        level=data.get("level"),
        channel=data.get("channel") or "",
        bad_only=bool(data.get("bad")),
        department=data.get("department"),
        removed=bool(data.get("removed")),
    )
    page = _page(request, rows)
    appeal_days = services.rating_policy().appeal_days
    now = timezone.now()
    may_see_rectifications = has_capability(user, "ratings.rectify") or has_capability(user, "ratings.view")
    context = {
        "form": form,
        "page": page,
        "rows": [
            {
                "evaluation": evaluation,
                "rater": mask_name(evaluation.rater_name),
                "rectification": getattr(evaluation, "rectification", None) if evaluation.is_bad else None,
                "may_appeal": selectors.may_appeal_now(user, evaluation, appeal_days=appeal_days, now=now),
            }
            for evaluation in page
        ],
        "may_see_rectifications": may_see_rectifications,
        "query": _filters_query(request),
        "removed": bool(data.get("removed")) and may_list_removed,
        "form_invalid": form.is_bound and not form.is_valid(),
    }
    return render(request, "ratings/staff_evaluation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    """申诉: the rated department's chief representative asks to remove a mistaken or malicious rating,
    with evidence (PDF, JPG or PNG, at most 5 MB)."""
    user = request.user
    require_any(user, ("ratings.appeal",), _("只有被评价部门的首席代表可以申诉"))
    evaluation = selectors.evaluation_get(user=user, evaluation_id=evaluation_id)
    if not policies.may_appeal(user, evaluation):
        raise PermissionDeniedError(_("只有被评价部门的首席代表可以申诉"))
    form = AppealForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                appeal = services.appeal_file(
                    evaluation=evaluation,
                    actor=user,
                    ground=form.cleaned_data["ground"],
                    reason=form.cleaned_data.get("reason") or "",
                    evidence=form.cleaned_data.get("evidence"),
                )
            except PermissionDeniedError:
                raise
            except ApplicationError as error:
                form.add_service_error(error)
                status = error.status
            else:
                messages.success(request, _("申诉已提交，等待政数局复核"))
                return redirect("ratings:appeal_detail", appeal.pk)
    context = {
        "evaluation": evaluation,
        "indicators": _indicators(evaluation),
        "form": form,
        "deadline": selectors.appeal_deadline(evaluation, services.rating_policy().appeal_days),
    }
    return render(request, "ratings/staff_appeal_new.html", context, status=status)


# ——— appeals ———


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """申诉复核: every appeal for the admin (who decides) and the inspector; a department's own for it."""
    user = request.user
    require_appeals(user)
    status = request.GET.get("status", "")
    status = status if status in AppealStatus.values else ""
    page = _page(request, selectors.appeal_list(user=user, status=status))
    context = {
        "page": page,
        "status": status,
        "statuses": AppealStatus.choices,
        "may_decide": has_capability(user, "ratings.decide"),
        "query": _filters_query(request),
    }
    return render(request, "ratings/staff_appeal_list.html", context)


def appeal_page(
    request: HttpRequest,
    appeal: Appeal,
    *,
    form: DecideForm | None = None,
    error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    evaluation = appeal.evaluation
    may_decide = has_capability(user, "ratings.decide") and appeal.status == AppealStatus.PENDING
    context = {
        "appeal": appeal,
        "evaluation": evaluation,
        "indicators": _indicators(evaluation),
        "rater": _rater_shown(request, evaluation),
        "may_decide": may_decide,
        "form": form or (DecideForm() if may_decide else None),
        "others": evaluation.appeals.exclude(pk=appeal.pk).order_by("-filed_at"),
        "error": error,
    }
    return render(request, "ratings/staff_appeal_detail.html", context, status=status)


@login_required
@require_GET
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    require_appeals(request.user)
    return appeal_page(request, selectors.appeal_get(user=request.user, appeal_id=appeal_id))


@login_required
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """复核: uphold (the rating leaves the figures, its rectification is withdrawn) or reject."""
    user = request.user
    require_any(user, ("ratings.decide",), _("只有政数局管理员可以复核申诉"))
    appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return appeal_page(request, appeal, form=form, status=400)
    try:
        services.appeal_decide(
            appeal=appeal,
            actor=user,
            uphold=form.cleaned_data["decision"] == "uphold",
            note=form.cleaned_data.get("note") or "",
        )
    except PermissionDeniedError:
        raise
    except ConflictError as error:
        # Decided already (a double submit, or another admin): the appeal as it is now, and why.
        refreshed = selectors.appeal_get(user=user, appeal_id=appeal.pk)
        return appeal_page(request, refreshed, error=error, status=error.status)
    except ApplicationError as error:
        form.add_service_error(error)
        return appeal_page(request, appeal, form=form, status=error.status)
    messages.success(request, _("复核结论已保存"))
    return redirect("ratings:appeal_detail", appeal.pk)


@login_required
@require_GET
def appeal_evidence(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The appeal's evidence, for who may see the appeal; always a download (never a public media URL)."""
    require_appeals(request.user)
    appeal = selectors.appeal_get(user=request.user, appeal_id=appeal_id)
    if not appeal.evidence:
        raise NotFoundError(_("该申诉没有上传证明材料"))
    filename = appeal.evidence_name or "evidence"
    content_type = appeal.evidence_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = HttpResponse(bytes(appeal.evidence), content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
