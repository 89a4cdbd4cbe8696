"""A fixed set of cases, made through the real services at fixed times, whose figures the tests compute by hand.

November 2026 (no holidays). Item A (市场监管局, promised 5 working days), item B (卫健委, 即办件).
The clerk signs in at window 01 (综合窗口) at 08:30 on Monday 2 November.

| case | item | channel | accepted                  | decided                        | due       |
|------|------|---------|---------------------------|--------------------------------|-----------|
| c1   | A    | window  | Mon 11-02 by clerk        | Wed 11-04 by reviewer (approve)| Mon 11-09 |
| c2   | A    | online  | Mon 11-02 by clerk; 免证办 | Tue 11-10 by reviewer (deny)   | Mon 11-09 |
| c3   | B    | window  | Mon 11-02 by clerk        | Mon 11-02 by reviewer_wjw      | Mon 11-02 |
| c4   | A    | window  | — (submitted 11-02 only)  |                                |           |
| c5   | A    | window  | Tue 11-03 by chief_rep    | — (in review by reviewer)      | Tue 11-10 |

"Today" is Thursday 12 November: c5 is overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import time_machine
from django.utils import timezone

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services
from yichuang.cases.models import Case, CaseMaterialState
from yichuang.catalog.models import ServiceItem
from yichuang.catalog.tests.helpers import publish_item
from yichuang.hall import windows
from yichuang.hall.models import Window
from yichuang.hall.tests.helpers import make_hall

TODAY = dt.date(2026, 11, 12)
START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 12)


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 11, day, hour, minute))


@dataclass
class FixedSet:
    item_a: ServiceItem
    item_b: ServiceItem
    window: Window
    cases: dict[str, Case]


def _received(org: Any, item: ServiceItem, applicant: Any, *, channel: str, by: str = "clerk") -> Case:
    actor = org.user("applicant") if channel == "online" else org.user(by)
    return services.case_submit(actor=actor, item=item, applicant=applicant, channel=channel)


def _accept(org: Any, case: Case, *, by: str = "clerk", exempt: bool = False) -> Case:
    state = CaseMaterialState.EXEMPT if exempt else CaseMaterialState.ORIGINAL_CHECKED
    if exempt:  # as if the applicant's e-licence had been fetched for every material (免证办)
        case.materials.update(licence_identifier="1.2.156.3005.2.test", licence_provider="test")
    services.case_check_materials(
        actor=org.user(by), case=case, findings={row.pk: (state, "") for row in case.materials.all()}
    )
    return services.case_accept(actor=org.user(by), case=case)


def _decide(org: Any, case: Case, reviewer: str, decision: str = "approve") -> Case:
    services.case_start_review(actor=org.user(reviewer), case=case)
    reason = "" if decision == "approve" else "不符合条件"
    return services.case_decide(actor=org.user(reviewer), case=case, decision=decision, reason=reason)


def build(org: Any) -> FixedSet:
    applicant = ApplicantFactory(user=org.user("applicant"))
    with time_machine.travel(at(1, 12), tick=False):
        item_a = publish_item(
            actor=org.user("admin"), department=org.scjg, basic_code="11A000100001", name="食品经营许可"
        )
        item_b = publish_item(
            actor=org.user("admin"),
            department=org.wjw,
            basic_code="11B000100001",
            name="医师执业注册",
            case_kind="1",
            promised_days=0,
        )
        setup = make_hall(org, tidal=False)
    cases: dict[str, Case] = {}
    with time_machine.travel(at(2, 8, 30), tick=False):
        windows.window_sign_in(window=setup.w1, actor=org.user("clerk"))
    with time_machine.travel(at(2, 9), tick=False):
        cases["c1"] = _accept(org, _received(org, item_a, applicant, channel="window"))
        cases["c2"] = _accept(org, _received(org, item_a, applicant, channel="online"), exempt=True)
        cases["c3"] = _accept(org, _received(org, item_b, applicant, channel="window"))
        cases["c4"] = _received(org, item_a, applicant, channel="window")
    with time_machine.travel(at(2, 11), tick=False):
        _decide(org, cases["c3"], "reviewer_wjw")
    with time_machine.travel(at(3, 10), tick=False):
        cases["c5"] = _accept(
            org, _received(org, item_a, applicant, channel="window", by="chief_rep"), by="chief_rep"
        )
        services.case_start_review(
            actor=org.user("chief_rep"), case=cases["c5"], reviewer=org.user("reviewer")
        )
    with time_machine.travel(at(4, 15), tick=False):
        _decide(org, cases["c1"], "reviewer")
    with time_machine.travel(at(10, 16), tick=False):
        _decide(org, cases["c2"], "reviewer", "deny")
    for key, case in cases.items():
        cases[key] = Case.objects.get(pk=case.pk)
    return FixedSet(item_a=item_a, item_b=item_b, window=setup.w1, cases=cases)
