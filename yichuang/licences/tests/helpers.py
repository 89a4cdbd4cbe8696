"""Shared by the licence tests that go through cases and screens: a company with a portal login, its
business licence, a marriage certificate, the 食品经营许可 item, a case at the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yichuang.accounts.models import Applicant, User
from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import ApplicantFactory, UserFactory, valid_credit_code
from yichuang.cases import services as case_services
from yichuang.cases.models import Case
from yichuang.catalog.models import ServiceItem
from yichuang.catalog.tests.helpers import publish_item
from yichuang.licences import services
from yichuang.licences.models import Licence, LicenceType

# The 食品经营许可 the licence tests (and the terminal's) issue: its licence type code and its fields.
FOOD_LICENCE = "11100000000013338W019"
FOOD_DATA = {
    "f1": "草原牧歌餐饮有限公司",
    "f2": "乌云",
    "f3": "海流图镇团结路8号",
    "f4": "海流图镇团结路8号一层",
    "f5": "餐饮服务经营者（小型餐饮）",
    "f6": "热食类食品制售",
}


CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=CST)
BUSINESS_LICENCE = "11100000000013338W001"  # 营业执照: legal holder, long-term
MARRIAGE_CERTIFICATE = "11100000000013100M001"  # 结婚证: natural holder
BUSINESS_DATA = {
    "f1": "草原牧歌餐饮有限公司",
    "f2": "有限责任公司",
    "f3": "乌云",
    "f5": "2026-03-01",
    "f6": "海流图镇团结路8号",
    "f7": "餐饮服务",
}


def make_company(org: Any, user: User | None = None, name: str = "草原牧歌餐饮有限公司") -> Applicant:
    return ApplicantFactory(
        kind="legal",
        name=name,
        id_number="",
        credit_code=valid_credit_code("91"),
        legal_representative="乌云",
        address="海流图镇团结路8号",
        user=user if user is not None else org.user("applicant"),
    )


def issue_business_licence(org: Any, holder: Applicant, **more: Any) -> Licence:
    if not org.scjg.seals.exists():
        services.seal_create(actor=org.user("admin"), department=org.scjg)
    return services.licence_issue(
        actor=org.user("reviewer"),
        licence_type=LicenceType.objects.get(code=BUSINESS_LICENCE),
        holder=holder,
        issuer=org.scjg,
        data={**BUSINESS_DATA, "f1": holder.name},
        **more,
    )


def issue_marriage_certificate(org: Any, holder: Applicant) -> Licence:
    if not org.scjg.seals.exists():
        services.seal_create(actor=org.user("admin"), department=org.scjg)
    return services.licence_issue(
        actor=org.user("reviewer"),
        licence_type=LicenceType.objects.get(code=MARRIAGE_CERTIFICATE),
        holder=holder,
        issuer=org.scjg,
        data={
            "f1": holder.name,
            "f2": "2026-05-20",
            "f3": "其其格",
            "f4": "150824199001011234",
            "f5": "民政局",
        },
    )


def make_item(org: Any, basic_code: str = "11A000100001") -> ServiceItem:
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code=basic_code)


def open_case(org: Any, item: ServiceItem, applicant: Applicant) -> Case:
    return case_services.case_submit(
        actor=org.user("clerk"), item=item, applicant=applicant, channel="window"
    )


def another_applicant_user() -> tuple[User, Applicant]:
    user = UserFactory(username="other-applicant", role=Role.APPLICANT, department=None)
    return user, make_company(None, user=user, name="另一家公司")
