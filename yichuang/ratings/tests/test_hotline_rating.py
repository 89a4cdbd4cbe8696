"""The 12345 office's call-back is the caller's rating of the ticket (好差评 on the hotline channel): one per
ticket (the first call-back stands), a 不满意 opens a rectification for the lead department, and an
anonymous caller's rating is not 实名."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yichuang.hotline import tickets
from yichuang.ratings.models import Channel, Evaluation, Rectification

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 10))


def _replied(org: Any, **caller: Any) -> Any:
    caller = caller or {"caller_name": "王女士", "caller_phone": "13800000001"}
    ticket = tickets.ticket_intake(
        actor=org.user("operator"), channel="phone", nature="complaint", content="路灯不亮", now=NOW, **caller
    )
    tickets.ticket_dispatch(ticket=ticket, actor=org.user("operator"), lead=org.zjj, now=NOW)
    tickets.ticket_sign(ticket=ticket, actor=org.user("handler"), now=NOW)
    tickets.ticket_reply(ticket=ticket, actor=org.user("handler"), reply="已修复", solved=True, now=NOW)
    return ticket


def test_an_unsatisfied_call_back_is_a_bad_rating_of_the_lead(org: Any) -> None:
    ticket = _replied(org)
    tickets.ticket_call_back(ticket=ticket, actor=org.user("operator"), result="unsatisfied", now=NOW)
    evaluation = Evaluation.objects.get()
    assert (evaluation.channel, evaluation.level, evaluation.subject_kind) == (
        Channel.HOTLINE,
        2,
        "hotline_ticket",
    )
    assert evaluation.department == org.zjj and evaluation.staff == org.user("handler")
    assert evaluation.is_real_name and evaluation.rater_phone == "13800000001"
    assert Rectification.objects.get().department == org.zjj
    # Reopened, replied again and called back satisfied: the first rating stands.
    tickets.ticket_reply(ticket=ticket, actor=org.user("handler"), reply="再次处理", solved=True, now=NOW)
    tickets.ticket_call_back(ticket=ticket, actor=org.user("operator"), result="satisfied", now=NOW)
    assert Evaluation.objects.count() == 1


def test_an_anonymous_callers_rating_is_not_real_name(org: Any) -> None:
    ticket = _replied(org, anonymous=True, caller_phone="13800000009")
    tickets.ticket_call_back(ticket=ticket, actor=org.user("operator"), result="satisfied", now=NOW)
    evaluation = Evaluation.objects.get()
    assert evaluation.level == 4 and not evaluation.is_bad
    assert not evaluation.is_real_name and evaluation.rater_phone == ""
