"""A small hall for the tests: three categories, four windows and one 潮汐 reserve window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import UserFactory
from yichuang.core import calendar
from yichuang.core.errors import ApplicationError
from yichuang.core.models import CalendarDay
from yichuang.hall import hours
from yichuang.hall.models import Hall, ServiceCategory, TidalRule, Window, WindowKind

# Monday 23 November 2026, a working day; the hall serves 09:00–17:00, 延时 to 18:30, Saturdays 09:00–12:00.
MONDAY = dt.date(2026, 11, 23)
SATURDAY = dt.date(2026, 11, 28)


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute, second))


@dataclass
class HallSetup:
    hall: Hall
    general: ServiceCategory  # A 综合受理
    estate: ServiceCategory  # B 不动产登记
    issuance: ServiceCategory  # C 综合出证
    w1: Window  # 01 综合 (A)
    w2: Window  # 02 综合 (A, B)
    w3: Window  # 03 出证 (C)
    w4: Window  # 04 不动产 (B), staffed by 不动产中心
    reserve: Window  # 08 潮汐 (A), standby clerk
    clerks: dict[str, Any]


def make_hall(org: Any, *, tidal: bool = True) -> HallSetup:
    hall = Hall.objects.create(
        code="150824-ZWFWZX",
        name="乌拉特中旗政务服务中心",
        department=org.centre,
        opens_at=dt.time(9, 0),
        closes_at=dt.time(17, 0),
        extended_closes_at=dt.time(18, 30),
        weekend_opens_at=dt.time(9, 0),
        weekend_closes_at=dt.time(12, 0),
    )
    general = ServiceCategory.objects.create(
        hall=hall, code="general", name="综合受理", prefix="A", service_minutes=10
    )
    estate = ServiceCategory.objects.create(
        hall=hall, code="estate", name="不动产登记", prefix="B", service_minutes=20
    )
    issuance = ServiceCategory.objects.create(
        hall=hall, code="issuance", name="综合出证", prefix="C", service_minutes=5
    )
    clerks = {
        "clerk": org.user("clerk"),
        "clerk2": UserFactory(username="clerk2", role=Role.CLERK, department=org.centre),
        "standby": UserFactory(
            username="standby", role=Role.CLERK, department=org.centre, phone="13900000008"
        ),
        "issuer": org.user("issuer"),
        "estate": UserFactory(username="estate_chief", role=Role.CHIEF_REP, department=org.bdc),
    }

    def window(
        number: str, name: str, kind: str, department: Any, categories: list[ServiceCategory], **extra: Any
    ) -> Window:
        w = Window.objects.create(
            hall=hall, number=number, name=name, kind=kind, department=department, **extra
        )
        w.categories.set(categories)
        return w

    setup = HallSetup(
        hall=hall,
        general=general,
        estate=estate,
        issuance=issuance,
        w1=window("01", "综合受理", WindowKind.COMPREHENSIVE, org.centre, [general]),
        w2=window("02", "综合受理", WindowKind.COMPREHENSIVE, org.centre, [general, estate]),
        w3=window("03", "综合出证", WindowKind.ISSUANCE, org.centre, [issuance]),
        w4=window("04", "不动产登记", WindowKind.DOMAIN, org.bdc, [estate]),
        reserve=window(
            "08",
            "潮汐窗口",
            WindowKind.COMPREHENSIVE,
            org.centre,
            [general],
            is_reserve=True,
            standby_clerk=clerks["standby"],
        ),
        clerks=clerks,
    )
    if tidal:
        TidalRule.objects.create(
            category=general, open_waiting=6, open_wait_minutes=30, close_waiting=1, close_wait_minutes=10
        )
    return setup


def open_all_day(hall: Hall) -> None:
    """Open 00:00–23:59:59 on working days and weekends; a holiday today becomes a working day."""
    hall.opens_at = dt.time(0, 0)
    hall.closes_at = dt.time(23, 59, 59)
    hall.extended_closes_at = None
    hall.weekend_opens_at = dt.time(0, 0)
    hall.weekend_closes_at = dt.time(23, 59, 59)
    hall.save()
    today = hours.local_day()
    try:
        open_today = hours.hours_on(hall, today) is not None
    except ApplicationError:  # a year the calendar does not know yet
        open_today = False
    if not open_today:
        CalendarDay.objects.update_or_create(
            date=today, defaults={"is_working_day": True, "note": "浏览器测试：大厅开放"}
        )
        calendar.invalidate_year(today.year)
