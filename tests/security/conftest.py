"""One demo centre shared by the permission matrix (built once per module, i.e. once per run).

``manage.py demo_load``'s steps build every kind of record (cases in every state, licences, bundles,
sampling draws), which is what a permission matrix needs to fill every URL's arguments. The hall, the
hotline and the ratings are added small (the demo's simulated hall days and hotline year take minutes): a
hall with one finished number and one waiting, the hotline's taxonomy, directory, a few recent tickets, a
few knowledge articles and a small classifier, and one bad rating of a 市场监管局 case with its
rectification and appeal. Everything is built inside an outer transaction that is rolled back at the end;
each test runs in a savepoint of it (pytest-django's ``db``), and the matrix sends each request in a
savepoint of its own, so a state change one request makes is gone before the next.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from yichuang.accounts.models import Applicant, Department, User
from yichuang.accounts.roles import Role

OTHER_STAFF = "other_reviewer"
OTHER_APPLICANT = "other_applicant"
OTHER_DEPARTMENT = "乌拉特中旗民政局"
BUILD_SECONDS: dict[str, float] = {}


def _hall(admin: User) -> None:
    from yichuang.hall import calling, tickets, windows
    from yichuang.hall import demo as hall_demo
    from yichuang.hall.models import TicketSource

    hall = hall_demo._define(admin)
    category = hall.categories.order_by("pk").first()
    window = hall.windows.filter(categories=category).order_by("pk").first()
    clerk = User.objects.get(username="clerk")
    monday = timezone.make_aware(dt.datetime(2026, 10, 12, 9, 30))
    with time_machine.travel(monday, tick=False):
        holder = {"holder_name": "李秀英", "phone": "13900000001"}
        tickets.ticket_issue(hall=hall, category=category, source=TicketSource.KIOSK, **holder)
        tickets.ticket_issue(hall=hall, category=category, source=TicketSource.KIOSK, holder_name="赵敏")
        if window is not None:
            if window.status != "open":
                windows.window_sign_in(window=window, actor=clerk)
            calling.ticket_call_next(window=window, actor=clerk)
            calling.ticket_finish(window=window, actor=clerk)


def _hotline(admin: User) -> None:
    from yichuang.hotline import demo as hotline_demo
    from yichuang.hotline.knowledge_import import knowledge_import_replies, replies_read
    from yichuang.hotline.tests.screens_setup import train_small_classifier

    departments = hotline_demo._departments()
    hotline_demo._load_taxonomy(admin)
    hotline_demo._load_directory(admin, departments)
    hotline_demo._load_recent(admin, departments, timezone.now())
    path = hotline_demo.shared_data_file(*hotline_demo.REPLIES_FILE)
    if path is not None:
        knowledge_import_replies(rows=replies_read(path, limit=5))
    train_small_classifier(per_label=10)


def _ratings() -> None:
    from yichuang.cases.models import Case, CaseStatus
    from yichuang.ratings import services as ratings
    from yichuang.ratings.models import Channel
    from yichuang.ratings.subjects import served_case

    case = (
        Case.objects.filter(
            status=CaseStatus.CLOSED,
            closed_at__isnull=False,
            department__name="乌拉特中旗市场监督管理局",
            applicant__user__username="applicant",
        )
        .order_by("pk")
        .first()
    )
    if case is None:
        return
    served = served_case(case)
    evaluation = ratings.evaluation_submit(
        served=served, channel=Channel.ONLINE, level=1, comment="等了很久没人理", now=served.served_at
    )
    chief = User.objects.get(username="chief_rep")
    ratings.appeal_file(
        evaluation=evaluation, actor=chief, ground="mistaken", reason="评价人误评", now=served.served_at
    )


def _load_world() -> dict[str, User]:
    from yichuang.demo import loader

    steps: list[tuple[str, Any]] = []
    started = time.monotonic()
    admin = loader.load_demo()
    loader.load_demo_licences(admin=admin)
    loader.load_demo_catalog(admin=admin)
    steps.append(("catalog", time.monotonic()))
    loader.load_demo_cases(result_for=loader.demo_case_result, fits=loader.demo_applicant_fits)
    loader.load_demo_holdings()
    steps.append(("cases", time.monotonic()))
    loader.load_demo_bundles(admin=admin, result_for=loader.demo_case_result)
    steps.append(("bundles", time.monotonic()))
    _hall(admin)
    steps.append(("hall", time.monotonic()))
    _hotline(admin)
    steps.append(("hotline", time.monotonic()))
    _ratings()
    steps.append(("ratings", time.monotonic()))
    loader.load_demo_supervision(admin=admin)
    steps.append(("supervision", time.monotonic()))
    for name, at in steps:
        BUILD_SECONDS[name] = round(at - started, 1)
    users = {str(role): User.objects.get(username=str(role)) for role in Role}
    # A reviewer of a department that owns no case at all (民政局), and a second applicant.
    other_department = Department.objects.get(name=OTHER_DEPARTMENT)
    users[OTHER_STAFF] = User.objects.create(
        username=OTHER_STAFF, full_name="其他部门审批员", role=Role.REVIEWER, department=other_department
    )
    other = User.objects.create(username=OTHER_APPLICANT, full_name="其他申请人", role=Role.APPLICANT)
    stranger = Applicant.objects.filter(user__isnull=True, kind="natural").first()
    if stranger is not None:
        stranger.user = other
        stranger.save(update_fields=["user"])
    users[OTHER_APPLICANT] = other
    if stranger is not None:
        # A 失信 record to clear (the demo has none): of the second applicant, who files nothing here.
        from yichuang.cases.models import CreditMark

        CreditMark.objects.create(applicant=stranger, reason="虚假承诺（权限矩阵）", marked_at=timezone.now())
    return users


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, User]]:
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], YICHUANG_RATE_LIMITS_ENABLED=False
    )
    with django_db_blocker.unblock(), fast:
        with transaction.atomic():
            cache.clear()
            users = _load_world()
            yield users
            transaction.set_rollback(True)
        cache.clear()


@pytest.fixture(scope="module")
def world_build_seconds(world: Any) -> dict[str, float]:
    """How long each step of the world's build took (cumulative), for the artifact."""
    return BUILD_SECONDS
