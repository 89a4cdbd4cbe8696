"""Demo case history: a dozen cases of the demo centre in every state a desk meets — waiting at the
window, in correction, refused, accepted with 容缺, under review (normal, near due, overdue), paused for an
inspection, on a commitment awaiting verification, ready for pickup, closed. Made through the real
services (so every case has its timeline, notices, messages and audit events); only the dates of a few are
moved back afterwards so the deadline colours show. Loaded by ``manage.py demo_load``; skipped when any
case exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yichuang.accounts.models import Applicant, User
from yichuang.cases import services, timing
from yichuang.cases.models import Case, CaseMaterialState
from yichuang.catalog.models import ItemKind, ItemStatus, ServiceItem
from yichuang.core.calendar import add_working_days


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _items(department_username: str) -> QuerySet[ServiceItem]:
    reviewer = _user(department_username)
    return (
        ServiceItem.objects.filter(
            kind=ItemKind.HANDLING,
            status=ItemStatus.ACTIVE,
            department=reviewer.department,
            current_version__isnull=False,
        )
        .filter(current_version__implementation_code__regex=r"^.{31}$")
        .select_related("current_version")
        .order_by("pk")
    )


def _check_all(case: Case, clerk: User, *, defer: bool = False) -> None:
    """Every material checked; with ``defer`` the 容缺后补 ones are left for later."""
    findings = {
        row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "")
        for row in case.materials.select_related("material")
        if not (defer and row.material.necessity == "3") and row.state != CaseMaterialState.COMMITTED
    }
    if findings:
        services.case_check_materials(actor=clerk, case=case, findings=findings)


def _shift(case: Case, *, due_in: int) -> None:
    """Move a running case so its due date is ``due_in`` working days from today (negative: overdue)."""
    today = timezone.localdate()
    due = add_working_days(today, due_in)
    back = add_working_days(due, -case.limit_days) if case.limit_days else today
    moved = dt.datetime.combine(back, dt.time(9, 30), tzinfo=timezone.get_current_timezone())
    Case.objects.filter(pk=case.pk).update(due_date=due, accepted_at=moved, submitted_at=moved)


@transaction.atomic
def load_demo_cases(
    *,
    out: Any = None,
    result_for: Callable[[Case], dict[str, Any]] | None = None,
    fits: Callable[[ServiceItem, Applicant], bool] | None = None,
) -> dict[str, int]:
    """``result_for(case)``: the result data an approval of ``case`` carries, and ``fits(item, applicant)``
    whether the applicant may hold the item's result (the demo loader passes the licences app's, so
    approvals of licence items issue their e-licences to fitting holders)."""
    if Case.objects.exists():
        return {"cases": Case.objects.count(), "created": 0}
    clerk, clerk2, chief_rep = _user("clerk"), _user("clerk2"), _user("chief_rep")
    reviewer, issuer = _user("reviewer"), _user("issuer")
    applicants = list(Applicant.objects.order_by("pk")[:8])
    own = Applicant.objects.filter(user__username="applicant").first()
    items = list(_items("reviewer").filter(current_version__case_kind="2"))
    if not items or not applicants or own is None:
        return {"cases": 0, "created": 0}

    def result(case: Case) -> dict[str, Any] | None:
        return result_for(case) if result_for is not None else None

    def pick(index: int, applicant: Applicant) -> ServiceItem:
        """The index-th item, or the next one whose result this applicant may hold."""
        for step in range(len(items)):
            item = items[(index + step) % len(items)]
            if fits is None or fits(item, applicant):
                return item
        return items[index % len(items)]

    def who(index: int) -> Applicant:
        return applicants[index % len(applicants)]

    def intake(index: int, applicant: Applicant | None = None) -> Case:
        applicant = applicant or who(index)
        return services.case_submit(
            actor=clerk if index % 2 else clerk2,
            item=pick(index, applicant),
            applicant=applicant,
            channel="window",
        )

    def accepted(index: int, applicant: Applicant | None = None, *, defer: bool = False) -> Case:
        case = intake(index, applicant)
        _check_all(case, clerk, defer=defer)
        return services.case_accept(actor=clerk, case=case, deficiency_commitment=defer)

    def reviewing(index: int, applicant: Applicant | None = None) -> Case:
        case = accepted(index, applicant)
        return services.case_start_review(actor=reviewer, case=case)

    created: list[Case] = []
    # 1. Closed: the whole road, for the applicant who logs in to the portal.
    case = reviewing(0, own)
    services.case_decide(actor=reviewer, case=case, decision="approve", result=result(case))
    services.case_result_ready(actor=reviewer, case=case)
    created.append(services.case_deliver(actor=issuer, case=case, method="pickup", recipient=own.name))
    # 2. Ready for pickup at the issuance window.
    case = reviewing(1)
    services.case_decide(actor=reviewer, case=case, decision="approve", result=result(case))
    created.append(services.case_result_ready(actor=reviewer, case=case))
    # 3–5. Under review: normal, near due, overdue.
    created.append(reviewing(2, own))
    near = reviewing(3)
    _shift(near, due_in=1)
    late = reviewing(4)
    _shift(late, due_in=-2)
    created += [near, late]
    # 6. Accepted, waiting for a reviewer (容缺 where the item has a material that may follow).
    created.append(accepted(5, defer=True))
    # 7. Paused for an inspection.
    case = reviewing(6)
    timing.case_special_procedure_start(
        actor=reviewer, case=case, kind="inspection", days=5, name="经营场所现场核查", reason="需现场核查"
    )
    created.append(case)
    # 8. Waiting at the window (received today), and 9. told to correct.
    created.append(intake(7, own))
    case = intake(8)
    first = case.materials.select_related("material").first()
    if first is not None:
        services.case_check_materials(
            actor=clerk, case=case, findings={first.pk: (CaseMaterialState.DEFICIENT, "缺少申请人签字")}
        )
        created.append(services.case_request_correction(actor=clerk, case=case, note="请补充后一并提交"))
    # 10. Refused: the matter belongs to another office.
    case = intake(9)
    created.append(
        services.case_refuse(
            actor=clerk,
            case=case,
            reason="申请事项不属于本机关职权范围",
            competent_office="乌拉特中旗住房和城乡建设局",
        )
    )
    # 11. Denied with reasons, 12. an extension asked for and approved.
    case = reviewing(10)
    created.append(
        services.case_decide(actor=reviewer, case=case, decision="deny", reason="经营场所与食品安全要求不符")
    )
    case = reviewing(11)
    extension = timing.case_extension_request(actor=reviewer, case=case, days=5, reason="需征求卫健部门意见")
    timing.case_extension_decide(actor=chief_rep, extension=extension, approve=True, note="同意延期")
    created.append(case)
    # 13. A commitment case awaiting verification, where the catalogue allows one.
    commitment_items = [
        item for item in items if item.current_version and item.current_version.commitment_allowed
    ]
    if commitment_items:
        applicant = who(12)
        fitting = [
            item for item in commitment_items if fits is None or fits(item, applicant)
        ] or commitment_items
        case = services.case_submit(
            actor=clerk, item=fitting[0], applicant=applicant, channel="window", by_commitment=True
        )
        _check_all(case, clerk)
        services.case_accept(actor=clerk, case=case, deficiency_commitment=True)
        services.case_start_review(actor=reviewer, case=case)
        if not case.materials.filter(state=CaseMaterialState.DEFERRED).exists():
            created.append(
                services.case_decide(actor=reviewer, case=case, decision="approve", result=result(case))
            )
    timing.cases_sweep()
    count = Case.objects.filter(Q(pk__in=[c.pk for c in created])).count()
    if out is not None:
        out.write(f"  办件 · cases: {count}")
    return {"cases": Case.objects.count(), "created": count}
