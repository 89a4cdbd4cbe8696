"""月度报告 (/supervision/reports/): a month's report as PDF or Excel, for ``supervision.view``."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from yichuang.core.audit import audit_record
from yichuang.core.periods import month_start, previous_month
from yichuang.core.permissions import require_capability
from yichuang.core.xlsx import xlsx_response
from yichuang.supervision.report_pdf import report_pdf
from yichuang.supervision.report_xlsx import report_xlsx
from yichuang.supervision.reports import monthly_report
from yichuang.supervision.views_dashboard import VIEW_MESSAGE

MONTHS = 12


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "supervision.view", str(VIEW_MESSAGE))
    months, month = [], month_start(timezone.localdate())
    for _step in range(MONTHS + 1):
        months.append(month)
        month = previous_month(month)
    return render(request, "supervision/reports.html", {"months": months, "current": months[0]})


def _month(year: int, month: int) -> dt.date:
    try:
        first = dt.date(year, month, 1)
    except ValueError as error:
        raise Http404 from error
    if first > timezone.localdate():
        raise Http404
    return first


@login_required
@require_GET
def report_file(request: HttpRequest, year: int, month: int, fmt: str) -> HttpResponse:
    require_capability(request.user, "supervision.view", str(VIEW_MESSAGE))
    first = _month(year, month)
    document = monthly_report(user=request.user, month=first)
    audit_record(
        actor=request.user,
        action="supervision.report_downloaded",
        object_type="supervision.report",
        object_id=f"{first:%Y-%m}",
        data={"format": fmt},
    )
    if fmt == "xlsx":
        return xlsx_response(report_xlsx(document), document.file_stem)
    response = HttpResponse(report_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.file_stem}.pdf"'
    return response
