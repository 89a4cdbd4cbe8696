"""Duplicates (并单候选): the same matter at the same place, still open; the closed tickets the classifier
learns from; who sees which tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yichuang.hotline import selectors_tickets as selectors
from yichuang.hotline import tickets
from yichuang.hotline.models import HotlineCategory

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 10))


def _intake(org: Any, content: str, *, address: str = "", division: str = "150824", **extra: Any) -> Any:
    return tickets.ticket_intake(
        actor=org.user("operator"), channel="phone", nature="complaint", content=content, address=address,
        division_code=division, caller_phone="13800000001", now=extra.pop("now", NOW), **extra,
    )  # fmt: skip


def test_duplicates_are_the_same_matter_at_the_same_place_still_open(org: Any) -> None:
    first = _intake(org, "幸福里小区3号楼电梯停运两周，物业不修理", address="海流图镇幸福里小区")
    _intake(org, "幸福里小区门口路灯不亮", address="海流图镇幸福里小区")  # same place, another matter
    _intake(org, "幸福里小区3号楼电梯停运两周，物业不修理", division="150823")  # another division
    old = _intake(org, "幸福里小区3号楼电梯停运，物业不修理", now=NOW - dt.timedelta(days=40))
    found = selectors.duplicate_candidates(
        text="3号楼电梯又坏了，停运两周物业不修理", division_code="150824", address="幸福里小区", now=NOW
    )
    assert [c.ticket.pk for c in found] == [first.pk] and "电梯" in found[0].shared
    assert old.pk not in [c.ticket.pk for c in found]
    # Once merged or closed, it is no longer a candidate.
    tickets.ticket_answer_directly(ticket=first, actor=org.user("operator"), reply="已告知物业")
    assert (
        selectors.duplicate_candidates(text="3号楼电梯停运两周物业不修理", division_code="150824", now=NOW)
        == []
    )


def test_training_pairs_are_the_closed_classified_tickets(org: Any) -> None:
    category = HotlineCategory.objects.create(level=1, name="城乡建设", path="城乡建设")
    closed = _intake(org, "电梯停运", category=category)
    tickets.ticket_answer_directly(ticket=closed, actor=org.user("operator"), reply="已转告")
    _intake(org, "路灯不亮", category=category)  # open
    unclassified = _intake(org, "噪音扰民")
    tickets.ticket_answer_directly(ticket=unclassified, actor=org.user("operator"), reply="已转告")
    assert list(selectors.training_pairs()) == [(f"{closed.title}\n电梯停运", "城乡建设")]


def test_a_department_sees_only_its_tickets(org: Any) -> None:
    mine = _intake(org, "电梯停运")
    tickets.ticket_dispatch(ticket=mine, actor=org.user("operator"), lead=org.zjj, now=NOW)
    other = _intake(org, "食品过期")
    tickets.ticket_dispatch(ticket=other, actor=org.user("operator"), lead=org.scjg, now=NOW)
    assert list(selectors.tickets_visible(org.user("handler"))) == [mine]
    assert set(selectors.tickets_visible(org.user("operator"))) == {mine, other}
    assert [part.ticket for part in selectors.department_inbox(org.user("handler"))] == [mine]
    assert not selectors.tickets_visible(org.user("clerk")).exists()
