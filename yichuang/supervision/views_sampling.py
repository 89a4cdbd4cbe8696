"""The 事项抽查 screens: the year (coverage, the twelve months, the button to draw), a draw (its items by
department with their inspection status) and a sampled item (the item, the inspection form, the record).

Inspectors and admins (``supervision.sample``) draw and record; a chief representative (``supervision.view``)
reads his own department's sampled items and findings. Thin: read the request, call ``sampling`` and
``selectors_sampling``, render; POST-redirect-GET (htmx: the form swaps itself, success redirects the page).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.permissions import require_capability
from yichuang.supervision import sampling
from yichuang.supervision import selectors_sampling as selectors
from yichuang.supervision.forms_sampling import DrawForm, InspectionForm
from yichuang.supervision.models_sampling import SampledItem, SampleDraw

FORM_PARTIAL = "supervision/partials/sampling_inspection_form.html"


def _year(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and sampling.FIRST_YEAR <= int(raw) <= default:
        return int(raw)
    return default


def _index_url(year: int | None = None) -> str:
    url = reverse("supervision:sampling")
    return f"{url}?year={year}" if year else url


@login_required
@require_GET
def sampling_index(request: HttpRequest) -> HttpResponse:
    """The year: coverage (drawn x of N, inspected y), the twelve months and their draws."""
    selectors.require_view(request.user)
    today = timezone.localdate()
    year = _year(request, today.year)
    coverage = selectors.year_coverage(year=year, actor=request.user)
    first_year = SampleDraw.objects.order_by("year").values_list("year", flat=True).first() or today.year
    current = coverage.months[today.month - 1] if year == today.year else None
    context = {
        "coverage": coverage,
        "year": year,
        "years": list(range(min(first_year, year), today.year + 1)),
        "today": today,
        "current": current,
        "can_draw": selectors.can_sample(request.user),
        "drawable": [
            m.month
            for m in coverage.months
            if m.draw is None and (year, m.month) <= (today.year, today.month)
        ],
        "scoped": not selectors.can_sample(request.user),
    }
    return render(request, "supervision/sampling.html", context)


@login_required
@require_POST
def sampling_draw_new(request: HttpRequest) -> HttpResponse:
    """抽取 a month (the current one from the button, a missed past one from the months table)."""
    require_capability(request.user, sampling.CAPABILITY, _("只有监察员和管理员可以抽取抽查事项"))
    form = DrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("年度或月份不正确"))
        return redirect(_index_url())
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    try:
        draw, created = sampling.sample_draw(actor=request.user, year=year, month=month)
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_index_url(year))
    if created:
        messages.success(
            request,
            _("已抽取%(year)s年%(month)s月的抽查事项：%(size)s项（进驻事项共%(population)s项）")
            % {"year": year, "month": month, "size": draw.sample_size, "population": draw.population_size},
        )
    else:
        messages.info(
            request,
            _("%(year)s年%(month)s月已经抽取过，以下为该月的抽查事项") % {"year": year, "month": month},
        )
    return redirect("supervision:sampling_draw", draw_id=draw.pk)


@login_required
@require_GET
def sampling_draw(request: HttpRequest, draw_id: int) -> HttpResponse:
    """A draw: its items by department with their inspection status, and the month's summary."""
    draw = selectors.draw_get(actor=request.user, draw_id=draw_id)
    items = list(selectors.draw_items(actor=request.user, draw=draw))
    departments = [
        (department, list(rows)) for department, rows in groupby(items, key=lambda row: row.department)
    ]
    summary = selectors.sampling_summary(year=draw.year, month=draw.month, actor=request.user)
    context = {
        "draw": draw,
        "departments": departments,
        "summary": summary,
        "can_record": selectors.can_sample(request.user),
        "scoped": not selectors.can_sample(request.user),
    }
    return render(request, "supervision/sampling_draw.html", context)


def _item_page(
    request: HttpRequest, sampled: SampledItem, form: InspectionForm | None, status: int = 200
) -> HttpResponse:
    inspection = selectors.inspection_of(sampled)
    can_record = inspection is None and selectors.can_sample(request.user)
    if can_record and form is None:
        form = InspectionForm()
    context: dict[str, Any] = {
        "sampled": sampled,
        "item": sampled.item,
        "version": sampled.item.current_version,
        "inspection": inspection,
        "form": form if can_record else None,
        "recent_cases": selectors.item_recent_cases(item=sampled.item) if can_record else [],
    }
    return render(request, "supervision/sampling_item.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sampling_item(request: HttpRequest, sampled_item_id: int) -> HttpResponse:
    """A sampled item: the item, the form to record its inspection, the recorded inspection."""
    sampled = selectors.sampled_item_get(actor=request.user, sampled_item_id=sampled_item_id)
    if request.method != "POST":
        return _item_page(request, sampled, None)
    require_capability(request.user, sampling.CAPABILITY, _("只有监察员和管理员可以登记抽查结果"))
    url = reverse("supervision:sampling_item", args=[sampled.pk])
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            sampling.inspection_record(actor=request.user, sampled_item=sampled, **form.cleaned_data)
        except PermissionDeniedError:
            raise
        except ApplicationError as error:
            if error.code == "already_inspected":  # a second submit: show what was recorded
                messages.info(request, error.message)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]
            form.add_service_error(error)
        else:
            messages.success(request, _("检查结果已登记"))
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, FORM_PARTIAL, {"form": form, "sampled": sampled})
    return _item_page(request, sampled, form, status=400)
