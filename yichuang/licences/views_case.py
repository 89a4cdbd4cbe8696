"""免证办 on the case page: the window fetches the applicant's licences (with him present and agreeing),
and the department reads a licence that stands for a material — under the holder's authorisation, logged,
and refused once it has lapsed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from yichuang.cases.views_staff import run_action, staff_case
from yichuang.core.errors import ConflictError
from yichuang.licences import authorisations
from yichuang.licences.exemption import Exemption, case_fetch_licences
from yichuang.licences.verification import licence_verify


def _fetched(result: Exemption) -> str:
    if not result.satisfied:
        return "未查到申请人持有的有效电子证照，请收取纸质材料"
    text = f"已调取 {len(result.satisfied)} 项电子证照，相应材料免提交"
    if result.not_held:
        text += f"；另有 {len(result.not_held)} 项未查到，请收取纸质材料"
    return text


@login_required
@require_POST
def case_fetch(request: HttpRequest, case_id: int) -> HttpResponse:
    case = staff_case(request, case_id)
    return run_action(
        request, case, lambda: case_fetch_licences(actor=request.user, case=case), success=_fetched
    )


@login_required
@require_GET
def case_licence(request: HttpRequest, case_id: int, reference: str) -> HttpResponse:
    case = staff_case(request, case_id)
    context = {"case": case, "reference": reference}
    try:
        licence = authorisations.licence_use(
            actor=request.user, reference=reference, purpose=f"{case.number} 审查时查看证照"
        )
    except ConflictError as error:  # lapsed or withdrawn: say so, show nothing of the licence
        return render(request, "licences/case_licence.html", {**context, "error": error.message}, status=409)
    context |= {
        "licence": licence,
        "fields": [
            (item["label"], licence.data.get(item["key"], "")) for item in licence.licence_type.schema
        ],
        "verdict": licence_verify(licence),
    }
    return render(request, "licences/case_licence.html", context)
