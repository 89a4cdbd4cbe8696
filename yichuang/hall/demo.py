"""The demo hall: 乌拉特中旗政务服务中心 with the seeds' window layout (综合咨询“先导后办”, 无差别综合窗口,
分领域窗口 for 不动产 and 社保医保, 综合出证, “办不成事”, 12345线下窗口, 帮办代办/绿色通道, two 潮汐
windows), categories with ticket prefixes, tidal rules, appointment slot plans (weekday and Saturday
不打烊), and a history of the last five working days played through the real services — numbers taken on
an arrival curve with morning and afternoon peaks, called and served at the windows, some skipped, some
abandoned — so the figures, the window log and the board have data. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from yichuang.accounts.demo import DEMO_PASSWORD
from yichuang.accounts.models import Department, User
from yichuang.accounts.roles import Role
from yichuang.core.audit import audit_record
from yichuang.core.calendar import add_working_days
from yichuang.hall import calling, hours, tickets, windows
from yichuang.hall.models import (
    Hall,
    PriorityReason,
    ServiceCategory,
    SlotPlan,
    Ticket,
    TicketSource,
    TidalRule,
    Window,
    WindowKind,
    WindowStatus,
)
from yichuang.hall.sweep import hall_sweep

HALL_CODE = "150824-ZWFWZX"
# (code, name, prefix, minutes per visitor, bookable)
CATEGORIES = [
    ("business", "综合受理（企业）", "A", 15, True),
    ("personal", "综合受理（个人）", "B", 8, True),
    ("estate", "不动产登记", "C", 20, True),
    ("social", "社保医保", "D", 8, True),
    ("issuance", "综合出证", "E", 4, False),
    ("consult", "综合咨询（先导后办）", "F", 5, False),
    ("unresolved", "“办不成事”与12345线下受理", "G", 15, False),
    ("assisted", "帮办代办·绿色通道", "H", 20, True),
]
# (number, name, kind, department key, categories, reserve)
WINDOWS = [
    ("01", "综合咨询", WindowKind.CONSULT, "centre", ["consult"], False),
    ("02", "无差别综合窗口", WindowKind.COMPREHENSIVE, "centre", ["business", "personal"], False),
    ("03", "无差别综合窗口", WindowKind.COMPREHENSIVE, "centre", ["business", "personal"], False),
    ("04", "无差别综合窗口", WindowKind.COMPREHENSIVE, "centre", ["personal", "business"], False),
    ("05", "不动产登记", WindowKind.DOMAIN, "bdc", ["estate"], False),
    ("06", "社保医保", WindowKind.DOMAIN, "centre", ["social"], False),
    ("07", "综合出证", WindowKind.ISSUANCE, "centre", ["issuance"], False),
    ("08", "“办不成事”反映窗口", WindowKind.UNRESOLVED, "centre", ["unresolved"], False),
    ("09", "12345热线线下窗口", WindowKind.HOTLINE, "hotline", ["unresolved"], False),
    ("10", "帮办代办·绿色通道", WindowKind.ASSISTED, "centre", ["assisted"], False),
    ("11", "潮汐窗口", WindowKind.COMPREHENSIVE, "centre", ["business", "personal"], True),
    ("12", "潮汐窗口", WindowKind.COMPREHENSIVE, "centre", ["personal", "business"], True),
]
STANDBY = [("clerk_tide1", "王娜仁花", "13904780015"), ("clerk_tide2", "刘宇航", "13904780016")]
# More window staff: (username, full name, role, department key, phone)
WINDOW_STAFF = [
    ("clerk3", "其木格", Role.CLERK, "centre", "13904780017"),
    ("clerk4", "郝建平", Role.CLERK, "centre", "13904780018"),
    ("clerk5", "萨仁高娃", Role.CLERK, "centre", "13904780019"),
    ("chief_bdc", "孟和", Role.CHIEF_REP, "bdc", "13904780042"),
]
# Who works which window in the history (username → window number).
SHIFTS = {
    "clerk": "02",
    "clerk2": "03",
    "issuer": "07",
    "helper": "10",
    "chief_bdc": "05",
    "operator": "09",
    "clerk3": "06",
    "clerk4": "01",
}
HISTORY_DAYS = 5
VISITORS_PER_DAY = 150


def _department(key: str) -> Department:
    names = {"centre": "政务服务中心", "bdc": "不动产中心", "hotline": "12345热线"}
    return Department.objects.get(short_name=names[key])


def _staff(username: str, full_name: str, role: str, department: Department, phone: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, role=role, department=department, phone=phone)
        user.set_password(DEMO_PASSWORD)
        user.save()
        audit_record(actor=None, action="staff.create", obj=user, data={"username": username, "role": role})
    return user


def load_demo_hall(*, admin: User, out: Any = None) -> dict[str, int]:
    hall = Hall.objects.filter(code=HALL_CODE).first()
    if hall is None:
        hall = _define(admin)
    played = 0
    if not Ticket.objects.filter(hall=hall).exists():
        played = _history(hall)
    if out is not None:
        out.write(f"  服务大厅 · hall: {hall.windows.count()} 个窗口，历史排队号 {played} 个")
    return {"windows": hall.windows.count(), "tickets": played}


def _define(admin: User) -> Hall:
    centre = _department("centre")
    hall = Hall.objects.create(
        code=HALL_CODE,
        name="乌拉特中旗政务服务中心",
        department=centre,
        address="乌拉特中旗海流图镇政务服务中心一楼大厅",
        phone="0478-12345",
        opens_at=dt.time(9, 0),
        closes_at=dt.time(17, 30),
        extended_closes_at=dt.time(19, 0),
        weekend_opens_at=dt.time(9, 30),
        weekend_closes_at=dt.time(12, 30),
    )
    categories = {}
    for position, (code, name, prefix, minutes, bookable) in enumerate(CATEGORIES):
        categories[code] = ServiceCategory.objects.create(
            hall=hall,
            code=code,
            name=name,
            prefix=prefix,
            service_minutes=minutes,
            bookable=bookable,
            position=position,
        )
    for username, full_name, role, dept, phone in WINDOW_STAFF:
        _staff(username, full_name, role, _department(dept), phone)
    standby = [_staff(username, name, Role.CLERK, centre, phone) for username, name, phone in STANDBY]
    reserve_n = 0
    for position, (number, name, kind, dept, codes, reserve) in enumerate(WINDOWS):
        window = Window.objects.create(
            hall=hall,
            number=number,
            name=name,
            kind=kind,
            department=_department(dept),
            is_reserve=reserve,
            standby_clerk=standby[reserve_n] if reserve else None,
            position=position,
        )
        reserve_n += int(reserve)
        window.categories.set([categories[c] for c in codes])
    TidalRule.objects.create(
        category=categories["personal"],
        open_waiting=8,
        open_wait_minutes=25,
        close_waiting=2,
        close_wait_minutes=10,
    )
    TidalRule.objects.create(
        category=categories["business"],
        open_waiting=6,
        open_wait_minutes=30,
        close_waiting=1,
        close_wait_minutes=10,
    )
    for code in ("business", "personal", "estate", "social", "assisted"):
        for start in (
            dt.time(9, 0),
            dt.time(10, 0),
            dt.time(11, 0),
            dt.time(14, 0),
            dt.time(15, 0),
            dt.time(16, 0),
        ):
            end = (dt.datetime.combine(dt.date.today(), start) + dt.timedelta(hours=1)).time()
            SlotPlan.objects.create(category=categories[code], starts_at=start, ends_at=end, capacity=4)
    for start in (dt.time(9, 30), dt.time(10, 30), dt.time(11, 30)):
        end = (dt.datetime.combine(dt.date.today(), start) + dt.timedelta(hours=1)).time()
        SlotPlan.objects.create(
            category=categories["personal"],
            days=SlotPlan.Days.WEEKEND,
            starts_at=start,
            ends_at=end,
            capacity=6,
        )
    audit_record(actor=admin, action="hall.demo_defined", obj=hall, data={"windows": len(WINDOWS)})
    return hall


def _arrival_minutes(rng: random.Random, n: int) -> list[float]:
    """Minutes after 09:00: a morning peak around 10:00, an afternoon peak around 15:00, a thin base."""
    minutes = []
    for _ in range(n):
        draw = rng.random()
        if draw < 0.45:
            value = rng.gauss(60, 35)
        elif draw < 0.85:
            value = rng.gauss(360, 40)
        else:
            value = rng.uniform(0, 500)
        minutes.append(min(max(value, 0.0), 500.0))
    return sorted(minutes)


def _history(hall: Hall) -> int:
    rng = random.Random(20261121)
    today = hours.local_day()
    days = [add_working_days(today, -n) for n in range(HISTORY_DAYS, 0, -1)]
    categories = {c.code: c for c in hall.categories.all()}
    staff = {u.username: u for u in User.objects.filter(username__in=[*SHIFTS, "helper"])}
    by_number = {w.number: w for w in hall.windows.all()}
    codes = [code for code, *_rest in CATEGORIES]
    weights = [20, 30, 12, 14, 10, 8, 3, 3]
    played = 0
    for day in days:
        start = hours.at_local(day, hall.opens_at)
        end = hours.at_local(day, hall.closes_at)
        for name, number in SHIFTS.items():
            windows.window_sign_in(window=by_number[number], actor=staff[name], now=start)
        free_at: dict[int, dt.datetime] = {}
        for minutes in _arrival_minutes(rng, VISITORS_PER_DAY):
            arrive = start + dt.timedelta(minutes=minutes)
            # Windows that finished before this arrival call their next numbers first.
            _serve_until(hall, arrive, free_at, rng)
            tickets.ticket_issue(
                hall=hall,
                category=categories[rng.choices(codes, weights)[0]],
                source=TicketSource.DESK if rng.random() < 0.2 else TicketSource.KIOSK,
                actor=staff["helper"],
                priority=PriorityReason.ELDERLY if rng.random() < 0.06 else "",
                now=arrive,
            )
            played += 1
        _serve_until(hall, end, free_at, rng)
        for window in (
            Window.objects.filter(hall=hall, opened_by_tidal=False)
            .exclude(clerk=None)
            .select_related("clerk")
        ):
            windows.window_close(window=window, actor=window.clerk, now=max(end, free_at.get(window.pk, end)))
        hall_sweep(now=hours.at_local(day, dt.time(23, 0)))
    return played


def _serve_until(hall: Hall, until: dt.datetime, free_at: dict[int, dt.datetime], rng: random.Random) -> None:
    """Every open window (潮汐 windows too, once the rules open them) calls and serves until ``until``."""
    while True:
        serving = list(Window.objects.filter(hall=hall, status=WindowStatus.OPEN).select_related("clerk"))
        ready = [w for w in serving if free_at.setdefault(w.pk, until) < until]
        if not ready:
            return
        window = min(ready, key=lambda w: free_at[w.pk])
        at = free_at[window.pk]
        ticket = calling.ticket_call_next(window=window, actor=window.clerk, now=at)
        if ticket is None:
            free_at[window.pk] = until  # nobody waiting for it: it calls again at the next arrival
            continue
        if rng.random() < 0.04:
            calling.ticket_skip(window=window, actor=window.clerk, now=at + dt.timedelta(minutes=2))
            free_at[window.pk] = at + dt.timedelta(minutes=2)
            continue
        minutes = ticket.category.service_minutes
        service = max(1.0, rng.gauss(minutes, minutes / 3))
        calling.ticket_start(window=window, actor=window.clerk, now=at + dt.timedelta(minutes=1))
        done = at + dt.timedelta(minutes=1 + service)
        calling.ticket_finish(window=window, actor=window.clerk, now=done)
        free_at[window.pk] = done
