"""The demo hotline: the classification, the directory, a slice of the real appeals as history and the last
sixty days of the banner's tickets in every state, through the services; loaded twice, nothing twice; the
figures and the hot topics have something to show."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone

from yichuang.accounts.demo import load_demo
from yichuang.core.audit import audit_verify_chain
from yichuang.core.shared_data import shared_data_file
from yichuang.hotline.classifier import suggest
from yichuang.hotline.demo import PLAN, load_demo_hotline
from yichuang.hotline.figures import hotline_figures
from yichuang.hotline.models import (
    DirectoryEntry,
    HotlineCategory,
    HotlineStatus,
    HotlineTicket,
    KnowledgeArticle,
    TicketStep,
)
from yichuang.hotline.topics import hot_topics

pytestmark = pytest.mark.django_db
S = HotlineStatus
NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 12))  # a Friday


def _snapshot() -> dict[str, Any]:
    return {
        "tickets": sorted(HotlineTicket.objects.values_list("number", "status", "reopen_count", "lead_id")),
        "steps": TicketStep.objects.count(),
        "directory": sorted(DirectoryEntry.objects.values_list("category__path", "lead_id")),
        "categories": HotlineCategory.objects.count(),
    }


def test_the_demo_loads_twice_without_duplicates() -> None:
    admin = load_demo()
    report = load_demo_hotline(admin=admin, now=NOW, appeals=12)
    assert report["recent"] == len(PLAN)
    appeals = 12 if shared_data_file("hotline", "fuzhou_appeals.csv") else 0
    assert report["appeals"] == appeals and report["tickets"] == len(PLAN) + appeals
    assert report["directory"] == 8 and DirectoryEntry.objects.count() == 8
    if shared_data_file("hotline", "replies.csv"):  # the knowledge base seeded with real replies
        assert report["knowledge"] == KnowledgeArticle.objects.count() == 400
    if shared_data_file("hotline", "messages_labelled.csv"):  # and a classifier, so intake suggests
        assert report["classifier"] and suggest("小区电梯坏了物业不修").categories
    water = DirectoryEntry.objects.get(category__path="环境保护/环境污染/水污染").lead
    assert water.short_name == "供水公司"  # the demo's water department answers for the rivers

    recent = HotlineTicket.objects.filter(idempotency_key__startswith="demo-hotline:")
    states = Counter(recent.values_list("status", flat=True))
    assert states == {
        S.CLOSED: 19 + 3,  # 3 direct answers
        S.RECEIVED: 2,
        S.DISPATCHED: 2,
        S.RETURN_REVIEW: 1,
        S.HANDLING: 2,
        S.LONG_TERM: 1,
        S.REPLIED: 2,
        S.MERGED: 1,
    }
    # The sweep reminded the one past its sign limit and supervised the one past its handling limit.
    late = recent.get(status=S.DISPATCHED, reminders__gt=0)
    assert late.sign_due_at is not None and late.sign_due_at < NOW
    overdue = recent.get(supervised=True)
    assert overdue.status == S.HANDLING and overdue.due_at is not None and overdue.due_at < NOW
    assert recent.filter(reopen_count=1, status=S.CLOSED).count() == 1
    assert all(step.at <= NOW for step in TicketStep.objects.filter(ticket__in=recent))

    before = _snapshot()
    again = load_demo_hotline(admin=admin, now=NOW + dt.timedelta(days=1), appeals=12)
    assert (again["recent"], again["appeals"], again["directory"], again["knowledge"]) == (0, 0, 0, 0)
    assert not again["classifier"]
    assert _snapshot() == before
    assert audit_verify_chain().ok

    # Something to show: this month's figures and the topics of the last thirty days.
    figures = hotline_figures(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 20), now=NOW)
    assert figures.total.received > 10 and figures.total.closed > 5 and figures.total.open_overdue == 1
    assert len(figures.by_department) >= 4
    topics = hot_topics(end=dt.date(2026, 11, 20), days=30)
    heat = topics.topics[0]
    assert (heat.topic, heat.place, heat.count, heat.previous, heat.trend) == (
        "冬季采暖",
        "海流图镇",
        7,
        2,
        "up",
    )
    assert "暖气" in heat.keywords
