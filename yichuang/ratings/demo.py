"""Demo ratings: the demo's finished hall numbers and closed cases rated through the real services, so the
figures, the ranking, the rectification desk and the audit log have data.

Most ratings are good (非常满意, 满意, some 基本满意), at the window's rating screen or the kiosk for hall
services and through the texted link or 掌上办 for cases. A few are bad, each left in another state of its
rectification: the oldest waiting for its call-back until the sweep escalates it (超期上报), one closed
with the rater's rating of the rectification, one answered, one being rectified, the newest waiting for
its call-back; one bad rating under appeal and one removed by an upheld appeal. The last closed month is
then published on the public page. Deterministic (a seeded random draw over the services in time order);
skipped when any rating exists.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from yichuang.accounts.models import Department, User
from yichuang.accounts.policies import department_in_scope
from yichuang.accounts.roles import Role
from yichuang.cases.models import Case, CaseStatus
from yichuang.core.permissions import has_capability
from yichuang.hall.models import Ticket, TicketStatus
from yichuang.ratings import policies, services
from yichuang.ratings.figures import month_end, previous_month, valid_ratings
from yichuang.ratings.models import (
    INDICATORS,
    Appeal,
    Channel,
    Evaluation,
    Publication,
    Rectification,
    SubjectKind,
)
from yichuang.ratings.publishing import publication_publish
from yichuang.ratings.subjects import Served, served_case, served_hall_ticket

SEED = 20261201
TICKET_SHARE = 0.6  # of the finished numbers, the share rated at the window
CASE_SHARE = 0.9

GOOD_COMMENTS = [
    "",
    "",
    "",
    "办事效率高，一次就办好了",
    "工作人员耐心细致，讲解清楚",
    "流程简便，不用来回跑",
    "服务热情，很满意",
    "等候时间不长，环境整洁",
]
BAD_COMMENTS = [
    "等候时间太长，只开了一个窗口",
    "材料要求前后说法不一致，跑了两趟",
    "工作人员态度生硬，解释不耐心",
    "系统卡顿，办理时间过长",
    "一次性告知不清楚，补正了两次",
]

# The bad ratings' fates, in the order they are picked (see ``_plan``).
SCENARIOS = ("escalated", "closed", "upheld", "pending_appeal", "answered", "rectifying", "call_back")


def _services() -> list[Served]:
    """Every finished hall number and closed case, in the order they were served."""
    served: list[Served] = []
    for ticket in Ticket.objects.filter(
        status=TicketStatus.DONE, window__isnull=False, finished_at__isnull=False
    ).select_related("hall", "category", "window__department", "clerk", "user"):
        served.append(served_hall_ticket(ticket))
    for case in Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=False).select_related(
        "item", "department", "applicant__user", "decided_by", "reviewer", "accepted_by"
    ):
        served.append(served_case(case))
    served.sort(key=lambda s: (s.served_at, s.kind, s.id))
    return served


class _People:
    """Who acts for a department in the demo: its rectifier (the served staff member when he may, else a
    chief representative or reviewer of the department or one above it) and its appellant."""

    def __init__(self, admin: User) -> None:
        self.admin = admin
        self.staff = list(
            User.objects.filter(is_active=True, role__in=[Role.CHIEF_REP, Role.REVIEWER])
            .select_related("department")
            .order_by("role", "pk")
        )

    def rectifier(self, department: Department, staff: Any) -> User | None:
        if (
            staff is not None
            and staff.is_active
            and staff.department_id == department.pk
            and has_capability(staff, "ratings.rectify")
        ):
            return staff
        for user in self.staff:
            if has_capability(user, "ratings.rectify") and department_in_scope(user, department):
                return user
        return None

    def appellant(self, department: Department) -> User:
        for user in self.staff:
            if has_capability(user, "ratings.appeal") and department_in_scope(user, department):
                return user
        return self.admin


def _plan(served: list[Served], people: _People, rng: random.Random) -> dict[tuple[str, int], str]:
    """Which services get a bad rating, and what becomes of each."""
    plan: dict[tuple[str, int], str] = {}
    if len(served) < len(SCENARIOS):
        return plan

    def key(s: Served) -> tuple[str, int]:
        return (s.kind, s.id)

    def free(candidates: list[Served], *, rectified: bool = False) -> list[Served]:
        found = [
            s
            for s in candidates
            if key(s) not in plan and (not rectified or people.rectifier(s.department, s.staff) is not None)
        ]
        # A rectified one preferably of a known rater, so that 实名差评回访率 has something to show.
        real_name = [s for s in found if s.rater.is_real_name] if rectified else []
        return real_name or found

    older, newer = served[: len(served) // 2], served[len(served) // 2 :]
    plan[key(served[0])] = "escalated"
    for scenario, pool, rectified in (
        ("closed", older, True),
        ("upheld", older, False),
        ("pending_appeal", newer, False),
        ("answered", newer, True),
        ("rectifying", newer, True),
    ):
        candidates = free(pool, rectified=rectified) or free(served, rectified=rectified)
        if candidates:
            plan[key(rng.choice(candidates))] = scenario
    last = free(served[-1:]) or free(newer)
    if last:
        plan[key(last[-1])] = "call_back"
    return plan


def _channel(served: Served, rng: random.Random) -> str:
    if served.kind == SubjectKind.CASE:
        return Channel.MOBILE if rng.random() < 0.3 else Channel.ONLINE
    return Channel.KIOSK if rng.random() < 0.15 else Channel.WINDOW


def _good_level(rng: random.Random) -> int:
    return rng.choices([5, 4, 3], weights=[72, 21, 7])[0]


def _scores(served: Served, level: int, rng: random.Random) -> dict[str, int]:
    if rng.random() < 0.3:
        return {}
    low, high = (1, 2) if level <= 2 else (max(level - 1, 3), 5)
    return {
        key: min(high, max(low, level + rng.choice([0, 0, 0, -1]))) for key, _label in INDICATORS[served.mode]
    }


def load_demo_ratings(*, admin: User, out: Any = None, now: dt.datetime | None = None) -> dict[str, int]:
    if Evaluation.objects.exists():
        report = {"ratings": Evaluation.objects.count(), "created": 0}
        if out is not None:
            out.write(f"  好差评 · ratings: {report['ratings']} 条评价（已有，未重复生成）")
        return report
    now = now or timezone.now()
    rng = random.Random(SEED)
    served = _services()
    people = _People(admin)
    plan = _plan(served, people, rng)
    fates: dict[str, Evaluation] = {}
    created = 0
    for subject in served:
        scenario = plan.get((subject.kind, subject.id))
        share = CASE_SHARE if subject.kind == SubjectKind.CASE else TICKET_SHARE
        if scenario is None and rng.random() > share:
            continue
        delay = (
            dt.timedelta(hours=rng.randint(1, 30))
            if subject.kind == SubjectKind.CASE
            else dt.timedelta(minutes=rng.randint(1, 3))
        )
        level = rng.choice([1, 2]) if scenario else _good_level(rng)
        comments = BAD_COMMENTS if scenario else GOOD_COMMENTS
        evaluation = services.evaluation_submit(
            served=subject,
            channel=_channel(subject, rng),
            level=level,
            scores=_scores(subject, level, rng),
            comment=rng.choice(comments),
            actor=subject.rater.user,
            idempotency_key=f"demo:{subject.kind}:{subject.id}",
            now=min(subject.served_at + delay, now),
        )
        created += 1
        if scenario:
            fates[scenario] = evaluation
    for scenario, evaluation in fates.items():
        _play(scenario, evaluation, people, now)
    services.ratings_sweep(now=now)
    published = _publish_last_month(admin, now)
    bad = Evaluation.objects.filter(is_bad=True).count()
    if out is not None:
        note = f"，公开 {published:%Y-%m}" if published else ""
        out.write(f"  好差评 · ratings: {created} 条评价，差评 {bad} 条{note}")
    return {"ratings": Evaluation.objects.count(), "created": created, "bad": bad}


def _play(scenario: str, evaluation: Evaluation, people: _People, now: dt.datetime) -> None:
    """Take a bad rating's rectification (or appeal) as far as its scenario says, through the services."""

    def after(**delta: float) -> dt.datetime:
        return min(evaluation.rated_at + dt.timedelta(**delta), now)

    rectification = Rectification.objects.select_related("department", "assignee").get(evaluation=evaluation)
    if scenario in ("escalated", "call_back"):
        return  # waiting for the call-back (the sweep escalates it once overdue)
    if scenario in ("upheld", "pending_appeal"):
        appellant = people.appellant(evaluation.department)
        if not policies.may_appeal(appellant, evaluation):
            return
        appeal = services.appeal_file(
            evaluation=evaluation,
            actor=appellant,
            ground=Appeal.Ground.MISTAKEN if scenario == "upheld" else Appeal.Ground.MALICIOUS,
            reason=(
                "经调取窗口录像核实，评价人误将其他窗口的服务评价到本窗口。"
                if scenario == "upheld"
                else "评价人因不符合办理条件未能办理，评价内容与事实不符，已附窗口录像和告知书。"
            ),
            now=after(hours=20),
        )
        if scenario == "upheld":
            services.appeal_decide(
                appeal=appeal,
                actor=people.admin,
                uphold=True,
                note="经核实录像，评价对象错误，申诉成立，删除该评价。",
                now=after(days=2),
            )
        return
    rectifier = people.rectifier(rectification.department, rectification.assignee)
    if rectifier is None or not policies.may_rectify(rectifier, rectification):
        return
    services.rectification_call_back(
        rectification=rectification,
        actor=rectifier,
        reached=True,
        facts_confirmed=True,
        note="已电话联系评价人，了解具体情况，反映问题属实。",
        now=after(hours=3),
    )
    if scenario == "rectifying":
        return
    services.rectification_answer(
        rectification=rectification,
        actor=rectifier,
        measure="已对相关人员进行批评教育，完善一次性告知单，高峰时段增开窗口。",
        answer="感谢您的监督。经核实，您反映的问题属实，我们已整改：完善了一次性告知内容，高峰时段增开窗口。",
        now=after(days=1),
    )
    if scenario == "closed":
        services.rectification_rate(
            rectification=rectification,
            level=4,
            comment="整改及时，满意",
            actor=evaluation.rater_user,
            now=after(days=2),
        )


def _publish_last_month(admin: User, now: dt.datetime) -> dt.date | None:
    """Publish the last closed month on the public page when it has ratings."""
    month = previous_month(timezone.localdate(now))
    if (
        Publication.objects.filter(month=month).exists()
        or not valid_ratings(month, month_end(month)).exists()
    ):
        return None
    publication_publish(month=month, actor=admin, now=now)
    return month
