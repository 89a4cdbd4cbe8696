"""A hall open all day with bookable slots, and cases reached through the real services: one accepted (its
受理通知书 issued), one approved with its e-licence signed — what a self-service terminal shows and prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from yichuang.accounts.models import Applicant, ApplicantKind
from yichuang.accounts.tests.factories import ApplicantFactory, valid_credit_code
from yichuang.cases import services as case_services
from yichuang.cases.models import Case, CaseMaterialState
from yichuang.catalog.tests.helpers import publish_item
from yichuang.hall.models import SlotPlan
from yichuang.hall.tests.helpers import HallSetup, make_hall, open_all_day
from yichuang.licences import services as licence_services
from yichuang.licences.tests.helpers import FOOD_DATA, FOOD_LICENCE

PERSON_NAME = "乌云其其格"
PERSON_PHONE = "13912345678"


@dataclass
class Cases:
    person: Applicant
    accepted: Case  # 食品经营许可, accepted at the window: a 受理通知书
    company: Applicant
    approved: Case  # the company's 食品经营许可, approved: 受理通知书, 准予决定书 and the signed food licence


def terminal_hall(org: Any) -> HallSetup:
    """The test hall, open round the clock today, with 综合受理 bookable 09–10 (1 place) and 10–11 (2) on
    working days and weekends alike, for up to 7 days ahead."""
    setup = make_hall(org, tidal=False)
    open_all_day(setup.hall)
    for days in (SlotPlan.Days.WORKING, SlotPlan.Days.WEEKEND):
        SlotPlan.objects.create(
            category=setup.general, days=days, starts_at=dt.time(9), ends_at=dt.time(10), capacity=1
        )
        SlotPlan.objects.create(
            category=setup.general, days=days, starts_at=dt.time(10), ends_at=dt.time(11), capacity=2
        )
    return setup


def _received(org: Any, item: Any, applicant: Applicant) -> Case:
    case = case_services.case_submit(
        actor=org.user("clerk"), item=item, applicant=applicant, channel="window"
    )
    findings = {row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "") for row in case.materials.all()}
    case_services.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)
    return case_services.case_accept(actor=org.user("clerk"), case=case)


def make_cases(org: Any) -> Cases:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100001",
        result_licence_type_code=FOOD_LICENCE,
    )
    person = ApplicantFactory(name=PERSON_NAME, phone=PERSON_PHONE)
    accepted = _received(org, item, person)
    company = ApplicantFactory(
        kind=ApplicantKind.LEGAL,
        name="草原牧歌餐饮有限公司",
        id_number="",
        credit_code=valid_credit_code("91"),
        legal_representative="乌云",
    )
    licence_services.seal_create(actor=org.user("admin"), department=org.scjg)
    approved = _received(org, item, company)
    approved = case_services.case_start_review(actor=org.user("reviewer"), case=approved)
    approved = case_services.case_decide(
        actor=org.user("reviewer"), case=approved, decision="approve", result={"licence": FOOD_DATA}
    )
    return Cases(person=person, accepted=accepted, company=company, approved=approved)
