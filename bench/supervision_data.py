"""Data for ``bench.supervision``: a league (盟) of 12 banners with their departments, items, staff, windows
and applicants written through the ORM, then a year of cases, their timeline events and some materials written
with PostgreSQL ``COPY``.

Everything is drawn from one seeded ``random.Random``, so two runs with the same ``--cases`` write the same
rows. Needs Django set up against the (empty, migrated) bench database.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

TODAY = dt.date(2026, 11, 20)
NOW = dt.time(16, 0)  # the bench's moment on TODAY, in the busiest hours: no fact of TODAY is later
DAYS = 365  # the cases' submission days: TODAY - 364 … TODAY
SEED = 20261120
LEAGUE = ("锡林郭勒盟行政公署", "152500")
BANNERS = (
    ("二连浩特市", "152501"),
    ("锡林浩特市", "152502"),
    ("阿巴嘎旗", "152522"),
    ("苏尼特左旗", "152523"),
    ("苏尼特右旗", "152524"),
    ("东乌珠穆沁旗", "152525"),
    ("西乌珠穆沁旗", "152526"),
    ("太仆寺旗", "152527"),
    ("镶黄旗", "152528"),
    ("正镶白旗", "152529"),
    ("正蓝旗", "152530"),
    ("多伦县", "152531"),
)
AGENCIES = (
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农牧和科技局",
    "商务局",
    "文化旅游体育局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "林业和草原局",
    "医疗保障局",
    "城市管理综合执法局",
    "能源局",
    "民族事务委员会",
    "税务局",
    "消防救援大队",
    "气象局",
    "烟草专卖局",
    "残疾人联合会",
    "行政审批和政务服务局",
    "公共资源交易中心",
)
ITEM_VARIANTS = (
    "许可（新办）",
    "许可（变更）",
    "许可（延续）",
    "许可（注销）",
    "备案",
    "证明开具",
    "证照补办",
    "信息变更登记",
)
PROMISED_DAYS = (3, 5, 5, 7, 10, 10, 15, 20)
CLERKS_PER_BANNER = 10
REVIEWERS_PER_DEPARTMENT = 2
APPLICANTS = 3000
OFFSET = "+08"

CASE_COLUMNS = (
    "id",
    "number",
    "item_id",
    "item_version_id",
    "department_id",
    "applicant_id",
    "channel",
    "kind",
    "status",
    "submitted_at",
    "submitted_by_id",
    "idempotency_key",
    "correction_notice_due",
    "accepted_at",
    "accepted_by_id",
    "deemed_accepted",
    "reviewer_id",
    "limit_days",
    "extension_days",
    "paused_days",
    "due_date",
    "deadline_state",
    "decision",
    "decision_reason",
    "decided_at",
    "decided_by_id",
    "refusal_reason",
    "competent_office",
    "closed_at",
    "by_commitment",
    "revoked_at",
    "revoke_reason",
)
EVENT_COLUMNS = ("case_id", "action", "from_status", "to_status", "actor_id", "at", "note", "data")
MATERIAL_COLUMNS = (
    "case_id",
    "material_id",
    "state",
    "note",
    "due_date",
    "licence_identifier",
    "licence_provider",
    "licence_authorisation",
)
FLUSH_CASES = 250_000
NULL = "\\N"


@dataclass
class Item:
    pk: int
    version: int
    code: str
    department: int
    promised: int
    immediate: bool
    material: int


@dataclass
class Reference:
    """The ids the case generator draws from."""

    banners: list[dict[str, Any]] = field(default_factory=list)  # centre, departments, clerks, windows
    items: dict[int, list[Item]] = field(default_factory=dict)  # department → items
    reviewers: dict[int, list[int]] = field(default_factory=dict)  # department → reviewers
    applicants: list[int] = field(default_factory=list)
    portal_user: int = 0
    inspector: str = "bench_inspector"
    counts: dict[str, int] = field(default_factory=dict)


# --- reference data (ORM) -------------------------------------------------------------------------


def _credit(division: str, serial: int) -> str:
    from yichuang.accounts.demo import credit_code

    return credit_code("11", division, f"9{serial:07d}")


def build_reference(today: dt.date = TODAY) -> Reference:
    """The league's departments, items, staff, halls, windows, window log and applicants."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from yichuang.accounts.demo import id_number
    from yichuang.accounts.models import Applicant, Department, User
    from yichuang.catalog.models import ItemVersion, Material, ServiceItem
    from yichuang.core import calendar
    from yichuang.hall.models import Hall, Window, WindowEvent

    rng = random.Random(SEED)
    ref = Reference()
    serial = 0
    unusable = make_password(None)
    now = timezone.now()
    with transaction.atomic():
        league = Department.add_root(
            name=LEAGUE[0], short_name="锡林郭勒盟", kind="government", division_code=LEAGUE[1] + "000000"
        )
        for banner_name, code in BANNERS:
            division = code + "000000"
            serial += 1
            league.refresh_from_db()
            government = league.add_child(
                name=f"{banner_name}人民政府",
                short_name=banner_name,
                kind="government",
                division_code=division,
                credit_code=_credit(code, serial),
            )
            serial += 1
            centre = government.add_child(
                name=f"{banner_name}政务服务中心",
                kind="centre",
                division_code=division,
                credit_code=_credit(code, serial),
            )
            departments = []
            for agency in AGENCIES:
                serial += 1
                government.refresh_from_db()
                departments.append(
                    government.add_child(
                        name=f"{banner_name}{agency}",
                        short_name=agency,
                        kind="agency",
                        division_code=division,
                        credit_code=_credit(code, serial),
                    )
                )
            ref.banners.append(
                {
                    "name": banner_name,
                    "code": code,
                    "centre": centre,
                    "departments": [d.pk for d in departments],
                }
            )
            for department in departments:
                ref.items[department.pk] = []
                ref.reviewers[department.pk] = []
        # staff
        users = [
            User(
                username=ref.inspector,
                role="inspector",
                department=league,
                full_name="监察员",
                password=unusable,
            ),
            User(username="bench_portal", role="applicant", full_name="网上申报", password=unusable),
        ]
        for b, banner in enumerate(ref.banners):
            for n in range(CLERKS_PER_BANNER):
                users.append(
                    User(
                        username=f"clerk_{b:02d}_{n:02d}",
                        role="clerk",
                        department=banner["centre"],
                        full_name=f"{banner['name']}综窗{n + 1:02d}",
                        password=unusable,
                    )
                )
            for department in banner["departments"]:
                for n in range(REVIEWERS_PER_DEPARTMENT):
                    users.append(
                        User(
                            username=f"reviewer_{department}_{n}",
                            role="reviewer",
                            department_id=department,
                            full_name=f"审批员{department}-{n + 1}",
                            password=unusable,
                        )
                    )
        User.objects.bulk_create(users)
        by_name = dict(User.objects.values_list("username", "pk"))
        ref.portal_user = by_name["bench_portal"]
        for b, banner in enumerate(ref.banners):
            banner["clerks"] = [by_name[f"clerk_{b:02d}_{n:02d}"] for n in range(CLERKS_PER_BANNER)]
            for department in banner["departments"]:
                ref.reviewers[department] = [
                    by_name[f"reviewer_{department}_{n}"] for n in range(REVIEWERS_PER_DEPARTMENT)
                ]
        # items, versions, one material each
        items: list[ServiceItem] = []
        for banner in ref.banners:
            credit = dict(
                Department.objects.filter(pk__in=banner["departments"]).values_list("pk", "credit_code")
            )
            for department in banner["departments"]:
                agency = AGENCIES[banner["departments"].index(department)]
                for v, variant in enumerate(ITEM_VARIANTS):
                    basic = f"{AGENCIES.index(agency) + 1:06d}{v + 1:06d}"
                    items.append(
                        ServiceItem(
                            kind="handling",
                            department_id=department,
                            level="4",
                            basic_code=basic,
                            name=f"{agency}{variant}",
                            implementation_code=f"{credit[department]}4{basic}",
                            status="active",
                        )
                    )
        ServiceItem.objects.bulk_create(items, batch_size=2000)
        versions = []
        for index, item in enumerate(items):
            immediate = rng.random() < 0.3
            versions.append(
                ItemVersion(
                    item=item,
                    number=1,
                    change_kind="import",
                    published_at=now,
                    implementation_code=item.implementation_code,
                    name=item.name,
                    item_type="licensing" if index % 8 < 4 else "public_service",
                    case_kind="1" if immediate else "2",
                    legal_days=20,
                    promised_days=0 if immediate else PROMISED_DAYS[index % len(PROMISED_DAYS)],
                )
            )
        ItemVersion.objects.bulk_create(versions, batch_size=2000)
        materials = [
            Material(
                version=version,
                key="m01",
                position=1,
                name="营业执照" if index % 2 else "居民身份证",
                licence_type_code="license_type_01",
            )
            for index, version in enumerate(versions)
        ]
        Material.objects.bulk_create(materials, batch_size=2000)
        for item, version in zip(items, versions, strict=True):
            item.current_version = version
        ServiceItem.objects.bulk_update(items, ["current_version"], batch_size=2000)
        for item, version, material in zip(items, versions, materials, strict=True):
            ref.items[item.department_id].append(
                Item(
                    pk=item.pk,
                    version=version.pk,
                    code=item.implementation_code,
                    department=item.department_id,
                    promised=version.promised_days,
                    immediate=version.case_kind == "1",
                    material=material.pk,
                )
            )
        # halls, windows and the window log: each clerk signs in every working day, at a window that moves
        windows: list[Window] = []
        for banner in ref.banners:
            hall = Hall.objects.create(
                code=f"{banner['code']}-hall",
                name=f"{banner['name']}政务服务大厅",
                department=banner["centre"],
                opens_at=dt.time(8, 30),
                closes_at=dt.time(17, 30),
            )
            banner_windows = [
                Window(
                    hall=hall,
                    number=f"{n + 1:02d}",
                    name=f"综合受理{n + 1}",
                    kind="comprehensive",
                    department=banner["centre"],
                    position=n,
                )
                for n in range(CLERKS_PER_BANNER)
            ]
            windows.extend(banner_windows)
            banner["window_objects"] = banner_windows
        Window.objects.bulk_create(windows)
        log: list[WindowEvent] = []
        day = today - dt.timedelta(days=DAYS + 10)
        k = 0
        while day <= today:
            if calendar.is_working_day(day):
                for banner in ref.banners:
                    for n, clerk in enumerate(banner["clerks"]):
                        window = banner["window_objects"][(n + k) % CLERKS_PER_BANNER]
                        at = dt.datetime.combine(day, dt.time(8, 20)) + dt.timedelta(
                            seconds=rng.randint(0, 1200)
                        )
                        log.append(
                            WindowEvent(
                                window=window,
                                kind="signed_in",
                                at=timezone.make_aware(at),
                                clerk_id=clerk,
                                actor_id=clerk,
                            )
                        )
                k += 1
            day += dt.timedelta(days=1)
        WindowEvent.objects.bulk_create(log, batch_size=5000)
        applicants = []
        for n in range(APPLICANTS):
            banner_code = BANNERS[n % len(BANNERS)][1]
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 50))
            applicants.append(
                Applicant(
                    kind="natural",
                    name=f"申请人{n:04d}",
                    id_number=id_number(banner_code, f"{birth:%Y%m%d}", n % 1000),
                    phone=f"139{n:08d}",
                )
            )
        Applicant.objects.bulk_create(applicants, batch_size=2000)
        ref.applicants = [a.pk for a in applicants]
    for banner in ref.banners:
        banner["centre"] = banner["centre"].pk
        banner.pop("window_objects")
    ref.counts = {
        "departments": Department.objects.count(),
        "items": len(items),
        "staff": len(users),
        "windows": len(windows),
        "window_events": len(log),
        "applicants": len(applicants),
    }
    return ref


# --- cases (COPY) ---------------------------------------------------------------------------------


class _Days:
    """Working-day arithmetic over the bench's dates, precomputed from ``yichuang.core.calendar``."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        from yichuang.core import calendar

        self.first = first
        self.dates: list[dt.date] = []
        self.working: list[bool] = []
        day = first
        while day <= last:
            self.dates.append(day)
            try:
                self.working.append(calendar.is_working_day(day))
            except calendar.CalendarYearNotCoveredError:  # 2027 not entered yet: Monday to Friday
                self.working.append(day.weekday() < 5)
            day += dt.timedelta(days=1)
        self.text = [f"{d:%Y-%m-%d}" for d in self.dates]
        self.compact = [f"{d:%Y%m%d}" for d in self.dates]
        self._add: dict[tuple[int, int], int] = {}
        self._calendar = calendar

    def add(self, index: int, days: int) -> int:
        """Index of add_working_days(dates[index], days) — through the app's calendar, cached per pair."""
        key = (index, days)
        found = self._add.get(key)
        if found is None:
            try:
                target = self._calendar.add_working_days(self.dates[index], days)
                found = (target - self.first).days
            except self._calendar.CalendarYearNotCoveredError:  # only open cases' due dates reach 2027
                found, left = index, days
                while left:
                    found += 1
                    left -= self.working[found]
            self._add[key] = found
        return found


_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


def _ts(days: _Days, index: int, second: int) -> str:
    return f"{days.text[index]} {_HMS[second]}{OFFSET}"


_NOW_SECOND = NOW.hour * 3600 + NOW.minute * 60


def _happened(index: int, second: int, today_index: int) -> bool:
    """Whether a moment (day index, second of the day) is not after the bench's now."""
    return index < today_index or (index == today_index and second <= _NOW_SECOND)


def _until_now(index: int, second: int, today_index: int) -> int:
    """The second, capped at the end of its day and, on TODAY, at the bench's now."""
    return min(second, _NOW_SECOND if index == today_index else 86399)


def case_rows(
    ref: Reference, count: int, today: dt.date = TODAY
) -> Iterator[tuple[list[str], list[str], list[str]]]:
    """Batches of (case lines, event lines, material lines), COPY text format, case ids 1…count."""
    rng = random.Random(SEED + count)
    first = today - dt.timedelta(days=DAYS - 1)
    days = _Days(first, today + dt.timedelta(days=120))
    today_index = DAYS - 1
    weights = [1.0 if days.working[i] else 0.12 for i in range(DAYS)]
    scale = count / sum(weights)
    per_day = [int(w * scale) for w in weights]
    per_day[-1] += count - sum(per_day)
    banners = ref.banners
    departments = [(banner, d) for banner in banners for d in banner["departments"]]
    applicants = ref.applicants
    portal = str(ref.portal_user)
    case_id = 0
    cases: list[str] = []
    events: list[str] = []
    materials: list[str] = []
    rand = rng.random
    randint = rng.randint
    choice = rng.choice
    for d in range(DAYS):
        working = days.working[d]
        cnd = days.add(d, 5)  # 补正告知期限: 5 working days
        cnd_text = days.text[cnd]
        sequence: dict[int, int] = {}
        for _ in range(per_day[d]):
            case_id += 1
            cid = str(case_id)
            banner, department = choice(departments)
            item = choice(ref.items[department])
            reviewers = ref.reviewers[department]
            clerks = banner["clerks"]
            u = rand()
            if working:
                channel = (
                    "window"
                    if u < 0.55
                    else "online"
                    if u < 0.90
                    else "mobile"
                    if u < 0.95
                    else "kiosk"
                    if u < 0.98
                    else "proxy"
                )
            else:
                channel = "online" if u < 0.85 else "mobile"
            at_counter = channel in ("window", "kiosk", "proxy")
            kind = "immediate" if item.immediate else ("joint" if rand() < 0.05 else "promised")
            if at_counter:
                sub_sec = randint(8 * 3600 + 30 * 60, 17 * 3600 + 15 * 60)
                submitted_by = str(choice(clerks))
            else:
                sub_sec = randint(0, 86399) if rand() < 0.3 else randint(8 * 3600, 22 * 3600)
                submitted_by = portal
            if d == today_index and sub_sec > _NOW_SECOND:  # later today has not come yet
                sub_sec = _NOW_SECOND - randint(0, 7 * 3600)
            seq = sequence.get(item.pk, 0) + 1
            sequence[item.pk] = seq
            number = f"{item.code}{days.compact[d]}{seq:04d}"
            submitted_at = _ts(days, d, sub_sec)
            events.append(f"{cid}\tsubmit\t\tsubmitted\t{submitted_by}\t{submitted_at}\t\t{{}}")
            status = "submitted"
            accepted_at = accepted_by = reviewer = due = decided_at = decided_by = closed_at = NULL
            deemed = "f"
            decision = ""
            refusal = ""
            limit_days = 0
            deadline_state = "none"
            v = rand()
            acc_index = -1
            acc_sec = 0
            if v < 0.02:
                status = "refused"
                refusal = "不属于本机关职权范围"
                closed_at = _ts(days, d, _until_now(d, sub_sec + randint(120, 3600), today_index))
                events.append(f"{cid}\trefuse\tsubmitted\trefused\t{choice(reviewers)}\t{closed_at}\t\t{{}}")
            elif v < 0.035:
                status = "withdrawn"
                closed_at = _ts(days, d, _until_now(d, sub_sec + randint(60, 7200), today_index))
                events.append(f"{cid}\twithdraw\tsubmitted\twithdrawn\t{portal}\t{closed_at}\t\t{{}}")
            elif v < 0.06:
                # 逾期未告知补正视为受理: effective once the notice deadline has passed, dated back to receipt
                if cnd < today_index:
                    deemed = "t"
                    acc_index, acc_sec = d, sub_sec
                    accepted_at = submitted_at
                    events.append(
                        f"{cid}\tdeemed_accept\tsubmitted\taccepted\t{NULL}\t"
                        f"{_ts(days, cnd + 1, randint(60, 3600))}\t\t{{}}"
                    )
            else:
                if at_counter:
                    if rand() < 0.93:
                        acc_index, acc_sec = d, min(sub_sec + randint(300, 3600), 86399)
                    else:
                        acc_index, acc_sec = (
                            days.add(d, randint(1, 2)),
                            randint(8 * 3600 + 40 * 60, 17 * 3600 + 30 * 60),
                        )
                    accepted_by = str(choice(clerks) if rand() < 0.95 else choice(reviewers))
                else:
                    if working and sub_sec < 16 * 3600 and rand() < 0.5:
                        acc_index, acc_sec = (
                            d,
                            randint(max(sub_sec, 8 * 3600 + 40 * 60) + 60, 17 * 3600 + 30 * 60),
                        )
                    else:
                        acc_index, acc_sec = (
                            days.add(d, randint(1, 3)),
                            randint(8 * 3600 + 40 * 60, 17 * 3600 + 30 * 60),
                        )
                    accepted_by = str(choice(reviewers) if rand() < 0.75 else choice(clerks))
                if not _happened(acc_index, acc_sec, today_index):
                    acc_index = -1
                    accepted_by = NULL
                else:
                    accepted_at = _ts(days, acc_index, acc_sec)
                    events.append(f"{cid}\taccept\tsubmitted\taccepted\t{accepted_by}\t{accepted_at}\t\t{{}}")
            if acc_index >= 0:
                status = "accepted"
                reviewer_id = choice(reviewers)
                reviewer = str(reviewer_id)
                if kind == "immediate":
                    dec_index, dec_sec = acc_index, min(acc_sec + randint(60, 1800), 86399)
                    stuck = False
                else:
                    limit_days = item.promised + (5 if kind == "joint" else 0)
                    due_index = days.add(acc_index, limit_days)
                    due = days.text[due_index]
                    w = rand()
                    stuck = w < 0.004
                    if w < 0.07:
                        taken = limit_days + randint(1, 6)
                    elif w < 0.2:
                        taken = limit_days
                    else:
                        taken = randint(0, max(limit_days - 1, 0))
                    dec_index = days.add(acc_index, taken)
                    dec_sec = randint(8 * 3600 + 40 * 60, 17 * 3600 + 30 * 60)
                    if dec_index == acc_index:
                        dec_sec = min(max(dec_sec, acc_sec + 600), 86399)
                if stuck or not _happened(dec_index, dec_sec, today_index):
                    status = "in_review" if rand() < 0.7 else "accepted"
                    deadline_state = "normal" if due == NULL or due_index >= today_index else "overdue"
                    if status == "accepted" and rand() < 0.02:
                        status = "withdrawn"
                        deadline_state = "none"
                        closed_at = _ts(days, today_index, randint(8 * 3600, 9 * 3600))
                        events.append(f"{cid}\twithdraw\taccepted\twithdrawn\t{portal}\t{closed_at}\t\t{{}}")
                else:
                    decided_by = reviewer
                    decision = "approve" if rand() < 0.96 else "deny"
                    decided_at = _ts(days, dec_index, dec_sec)
                    events.append(
                        f"{cid}\t{decision}\tin_review\t{'approved' if decision == 'approve' else 'denied'}\t"
                        f"{decided_by}\t{decided_at}\t\t{{}}"
                    )
                    if decision == "deny":
                        status = "denied"
                    elif dec_index + 2 <= today_index:
                        status = "closed"
                        closed_index = dec_index + randint(0, 2)
                        closed_at = _ts(
                            days,
                            closed_index,
                            _until_now(closed_index, randint(9 * 3600, 17 * 3600), today_index),
                        )
                        events.append(
                            f"{cid}\tdeliver\tresult_ready\tclosed\t{decided_by}\t{closed_at}\t\t{{}}"
                        )
                    else:
                        status = "result_ready"
                # 免证办: a material satisfied from an e-licence (or exempted) on a few per cent
                m = rand()
                if m < 0.04:
                    materials.append(
                        f"{cid}\t{item.material}\treceived\t\t{NULL}\tLIC-{case_id:010d}\t盟电子证照库\tAUTH-{case_id}"
                    )
                elif m < 0.05:
                    materials.append(f"{cid}\t{item.material}\texempt\t\t{NULL}\t\t\t")
                elif m < 0.15:
                    materials.append(f"{cid}\t{item.material}\toriginal_checked\t\t{NULL}\t\t\t")
            cases.append(
                "\t".join(
                    (
                        cid,
                        number,
                        str(item.pk),
                        str(item.version),
                        str(department),
                        str(applicants[case_id % len(applicants)]),
                        channel,
                        kind,
                        status,
                        submitted_at,
                        submitted_by,
                        NULL,
                        cnd_text,
                        accepted_at,
                        accepted_by,
                        deemed,
                        reviewer,
                        str(limit_days),
                        "0",
                        "0",
                        due,
                        deadline_state,
                        decision,
                        "",
                        decided_at,
                        decided_by,
                        refusal,
                        "",
                        closed_at,
                        "f",
                        NULL,
                        "",
                    )
                )
            )
            if len(cases) >= FLUSH_CASES:
                yield cases, events, materials
                cases, events, materials = [], [], []
    if cases:
        yield cases, events, materials


def _copy(cursor: Any, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(statement) as copy:
        chunk = 20_000
        for start in range(0, len(lines), chunk):
            copy.write("\n".join(lines[start : start + chunk]) + "\n")


def copy_cases(database_url: str, ref: Reference, count: int, progress: Any = None) -> dict[str, float]:
    """COPY ``count`` cases with their events and materials; returns row counts and seconds spent."""
    import psycopg

    totals = {"cases": 0, "events": 0, "materials": 0, "python_s": 0.0, "copy_s": 0.0}
    with psycopg.connect(database_url) as conn:
        rows = case_rows(ref, count)
        while True:
            started = time.perf_counter()
            batch = next(rows, None)
            totals["python_s"] += time.perf_counter() - started
            if batch is None:
                break
            cases, events, materials = batch
            started = time.perf_counter()
            with conn.cursor() as cursor:
                _copy(cursor, "cases_case", CASE_COLUMNS, cases)
                _copy(cursor, "cases_casematerial", MATERIAL_COLUMNS, materials)
                _copy(cursor, "cases_caseevent", EVENT_COLUMNS, events)
            conn.commit()
            totals["copy_s"] += time.perf_counter() - started
            totals["cases"] += len(cases)
            totals["events"] += len(events)
            totals["materials"] += len(materials)
            if progress:
                progress(totals)
        with conn.cursor() as cursor:
            for table in ("cases_case", "cases_caseevent", "cases_casematerial"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
        conn.commit()
        started = time.perf_counter()
        conn.autocommit = True
        for table in ("cases_case", "cases_caseevent", "cases_casematerial"):
            conn.execute(f"VACUUM ANALYZE {table}")
        # The reference tables too (users, items, the window log): what autovacuum would have done by the
        # time a centre has a year of cases; without it the planner takes 962 users for 57.
        conn.execute("ANALYZE")
        totals["analyze_s"] = time.perf_counter() - started
    return totals
