"""出证窗口 — the unified issuance window (/cases/issue/).

Decided cases whose result is being produced or waits to be handed over; mark the result ready, then
deliver it by pickup (the recipient's name, checked against his ID) or by mail (the tracking number).
Delivery issues the 送达回证, printed from the case page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from yichuang.cases import selectors, services
from yichuang.cases.forms import DeliverForm
from yichuang.cases.views_staff import masked_rows, require_staff, run_action, staff_case
from yichuang.catalog.models import DeliveryMethod
from yichuang.core.permissions import require_capability

PAGE_SIZE = 50
DELIVERY_LABELS = dict(DeliveryMethod.choices)


def _require_issue_desk(user: Any) -> None:
    require_staff(user)
    require_capability(user, "case.deliver", "只有综合出证窗口工作人员可以使用出证窗口")


@login_required
@require_GET
def issue_desk(request: HttpRequest) -> HttpResponse:
    _require_issue_desk(request.user)
    page = Paginator(selectors.case_issuance_queue(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = masked_rows(page.object_list)
    for row in rows:
        methods = row["case"].item_version.delivery_methods or []
        row["delivery"] = "、".join(str(DELIVERY_LABELS.get(m, m)) for m in methods)
    return render(request, "cases/issue_desk.html", {"page": page, "rows": rows})


@login_required
@require_POST
def issue_deliver(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    form = DeliverForm(request.POST, prefix="deliver")
    form.is_valid()
    data = form.cleaned_data
    method = data.get("method") or request.POST.get("deliver-method", "")
    return run_action(
        request,
        case,
        lambda: services.case_deliver(
            actor=request.user,
            case=case,
            method=method,
            recipient=data.get("recipient", ""),
            tracking_number=data.get("tracking_number", ""),
        ),
        success="已送达，办件已办结：请打印送达回证交受送达人签收",
        form=form,
        form_key="deliver",
    )
