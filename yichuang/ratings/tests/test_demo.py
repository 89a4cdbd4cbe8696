"""The demo ratings: finished numbers and closed cases rated through the services, mostly good, a few bad
ones in every state of their rectification, one appeal pending and one upheld, the last closed month
published; the same on every load, and nothing twice."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yichuang.core.audit import audit_verify_chain
from yichuang.core.models import AuditEvent
from yichuang.hall.tests.helpers import make_hall
from yichuang.ratings.demo import load_demo_ratings
from yichuang.ratings.models import (
    Appeal,
    Evaluation,
    Invitation,
    Publication,
    Rectification,
    RectificationEvent,
    RectificationStatus,
)
from yichuang.ratings.tests.helpers import closed_case, served_ticket

pytestmark = pytest.mark.django_db

# Old cases (2 November), numbers served on Monday 23 November, new cases (1 December); loaded on Friday
# 4 December: the 2 November rating is overdue, the 23 November ones are not yet.
NOW = dt.datetime(2026, 12, 4, 12, 0)


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment)


def _services(org: Any) -> None:
    for _ in range(3):
        with time_machine.travel(_aware(dt.datetime(2026, 11, 2, 10)), tick=False):
            closed_case(org)
    setup = make_hall(org, tidal=False)
    for index in range(6):
        served_ticket(org, setup, holder_name=f"群众{index}", phone=f"1390000{index:04d}")
    for _ in range(3):
        with time_machine.travel(_aware(dt.datetime(2026, 12, 1, 10)), tick=False):
            closed_case(org)


def _snapshot() -> dict[str, Any]:
    return {
        "ratings": sorted(Evaluation.objects.values_list("subject_kind", "subject_id", "level", "status")),
        "rectifications": sorted(Rectification.objects.values_list("evaluation__subject_id", "status")),
        "appeals": sorted(Appeal.objects.values_list("evaluation__subject_id", "status")),
        "publications": list(Publication.objects.values_list("month", flat=True)),
        "audit": AuditEvent.objects.count(),
    }


def test_demo_ratings_load_once_with_every_state(org: Any) -> None:
    _services(org)
    out = io.StringIO()
    with time_machine.travel(_aware(NOW), tick=False):
        report = load_demo_ratings(admin=org.user("admin"), out=out)
        first = _snapshot()
        again = load_demo_ratings(admin=org.user("admin"), out=out)
    assert _snapshot() == first
    assert again["created"] == 0 and report["created"] == Evaluation.objects.count() >= 7
    assert "好差评" in out.getvalue()

    # Mostly good; the bad ones are the seven scenarios.
    bad = Evaluation.objects.filter(is_bad=True)
    assert bad.count() == 7 and Evaluation.objects.filter(is_bad=False).count() >= 1
    assert set(Evaluation.objects.filter(is_bad=False).values_list("level", flat=True)) <= {3, 4, 5}
    statuses = sorted(Rectification.objects.values_list("status", flat=True))
    assert statuses == sorted(
        ["call_back", "call_back", "call_back", "rectifying", "answered", "closed", "withdrawn"]
    )
    escalated = Rectification.objects.get(escalated_at__isnull=False)
    assert escalated.status == RectificationStatus.CALL_BACK
    assert timezone.localtime(escalated.opened_at).date() == dt.date(2026, 11, 2)  # the oldest
    closed = Rectification.objects.get(status=RectificationStatus.CLOSED)
    assert closed.rater_level == 4 and closed.called_back_at is not None and closed.answered_at is not None
    assert sorted(Appeal.objects.values_list("status", flat=True)) == ["pending", "upheld"]
    upheld = Appeal.objects.get(status="upheld")
    assert upheld.evaluation.status == "removed"
    assert Appeal.objects.get(status="pending").evaluation.status == "valid"
    # Through the services: every rating and step is in the audit log, whose chain holds.
    assert (
        AuditEvent.objects.filter(action="ratings.evaluation_submitted").count() == Evaluation.objects.count()
    )
    assert AuditEvent.objects.filter(action="ratings.rectification_escalated").count() == 1
    assert audit_verify_chain().ok
    # November (the last closed month) is published.
    assert first["publications"] == [dt.date(2026, 11, 1)]
    # Every rating was given within its rating period, never in the future.
    for evaluation in Evaluation.objects.all():
        assert evaluation.served_at <= evaluation.rated_at <= _aware(NOW)


def test_deterministic(org: Any) -> None:
    """Loaded again over the same services (the ratings wiped), the demo draws the same ratings and fates."""
    _services(org)

    def load() -> list[tuple[Any, ...]]:
        with time_machine.travel(_aware(NOW), tick=False):
            load_demo_ratings(admin=org.user("admin"))
        return sorted(
            Evaluation.objects.values_list(
                "subject_kind", "subject_id", "level", "channel", "comment", "rated_at", "status",
                "rectification__status",
            )
        )  # fmt: skip

    first = load()
    Publication.objects.all().delete()
    Appeal.objects.all().delete()
    RectificationEvent.objects.all().delete()
    Rectification.objects.all().delete()
    Invitation.objects.all().delete()
    Evaluation.objects.all().delete()
    assert load() == first


def test_nothing_to_rate(org: Any) -> None:
    report = load_demo_ratings(admin=org.user("admin"))
    assert report["created"] == 0 and not Evaluation.objects.exists() and not Publication.objects.exists()
