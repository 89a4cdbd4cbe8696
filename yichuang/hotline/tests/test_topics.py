"""热点诉求 on a fixed set of tickets: the clusters (category or top keyword, township), their keywords, counts,
trend and order, what is left out (merged, single, outside both windows), clustering on level-1 categories,
the department scope, and the same answer every time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from yichuang.accounts.tests.factories import DepartmentFactory
from yichuang.core.errors import ApplicationError
from yichuang.hotline import tickets
from yichuang.hotline.figures import figures_scope
from yichuang.hotline.models import HotlineCategory, HotlineTicket
from yichuang.hotline.topics import hot_topics, ticket_keywords

pytestmark = pytest.mark.django_db

END = dt.date(2026, 11, 20)  # current window: 11–20 November; previous: 1–10 November
HEAT = ("暖气不热", "幸福里小区暖气不热，室内温度只有十四度")
LEAK = ("暖气漏水", "乌兰小区暖气管道漏水，室内温度低")
COLD = ("暖气不热", "团结小区暖气不热，室内温度低")
LIGHT = ("路灯不亮", "乌加河镇新华街路灯不亮，夜间出行不安全")
BROKEN = ("路灯损坏", "乌加河镇建设路路灯损坏不亮")
FOOD = ("超市销售过期食品", "在超市买到过期食品，要求查处")
SHOP = ("过期食品", "小卖部销售过期食品")
AGAIN = ("过期食品", "又买到过期食品")
ROAD = ("路面塌陷", "红旗街路面塌陷，车辆通行危险")
HOLE = ("路面塌陷", "红旗街中段路面塌陷没人管")
WATER = ("停水", "停水一整天没有通知")


def at(day: int, month: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 10))


@pytest.fixture
def places(org: Any) -> None:
    DepartmentFactory(
        name="海流图镇便民服务中心", short_name="海流图镇", kind="township_station",
        division_code="150824100", parent=org.gov,
    )  # fmt: skip
    DepartmentFactory(
        name="乌加河镇便民服务中心", short_name="乌加河镇", kind="township_station",
        division_code="150824101", parent=org.gov,
    )  # fmt: skip


def _category(path: str) -> HotlineCategory:
    parent = None
    names = path.split("/")
    for level in range(1, len(names) + 1):
        parent, _created = HotlineCategory.objects.get_or_create(
            path="/".join(names[:level]),
            defaults={"parent": parent, "level": level, "name": names[level - 1]},
        )
    assert parent is not None
    return parent


def _ticket(
    org: Any,
    text: tuple[str, str],
    when: dt.datetime,
    *,
    division: str = "",
    address: str = "",
    category: str = "",
    lead: Any = None,
) -> HotlineTicket:
    ticket = tickets.ticket_intake(
        actor=org.user("operator"),
        channel="phone",
        nature="complaint",
        title=text[0],
        content=text[1],
        division_code=division,
        address=address,
        category=_category(category) if category else None,
        caller_phone="13800000001",
        now=when,
    )
    if lead is not None:
        ticket = tickets.ticket_dispatch(ticket=ticket, actor=org.user("operator"), lead=lead, now=when)
    return ticket


@pytest.fixture
def data(org: Any, places: None) -> dict[str, HotlineTicket]:
    heat = "城乡建设/城市建设和市政管理/冬季采暖"
    lights = "城乡建设/城市建设和市政管理/城市公共设施"
    water = "城乡建设/城市建设和市政管理/自来水供应"
    t = {
        # 城乡建设 in 海流图镇 (a village's code counts for its township): 1 before, 3 now → up.
        "h0": _ticket(org, HEAT, at(5), division="150824100", category=heat, lead=org.zjj),
        "h1": _ticket(org, HEAT, at(12), division="150824100", category=heat, lead=org.zjj),
        "h2": _ticket(org, LEAK, at(15), division="150824100001", category=heat, lead=org.zjj),
        "h3": _ticket(org, COLD, at(19), division="150824100", category=heat, lead=org.zjj),
        # 城乡建设 in 乌加河镇: none before, 2 now → new.
        "l1": _ticket(org, LIGHT, at(13), division="150824101", category=lights, lead=org.scjg),
        "l2": _ticket(org, BROKEN, at(18), division="150824101", category=lights, lead=org.scjg),
        # No category: the top keyword (过期) in 海流图镇: 3 before, 2 now → down.
        "f0": _ticket(org, AGAIN, at(2), division="150824100"),
        "f1": _ticket(org, AGAIN, at(4), division="150824100"),
        "f2": _ticket(org, AGAIN, at(8), division="150824100"),
        "f3": _ticket(org, FOOD, at(14), division="150824100"),
        "f4": _ticket(org, SHOP, at(16), division="150824100"),
        # No category, no division: the address's township: none before, 2 now → new.
        "r1": _ticket(org, ROAD, at(17), address="德岭山镇红旗街"),
        "r2": _ticket(org, HOLE, at(19), address="德岭山镇 红旗街中段"),
        # Left out: a single matter (two: the water is 城乡建设 too, but another matter), a ticket before
        # both windows, a merged repeat.
        "single": _ticket(org, ("噪音扰民", "夜间施工噪音扰民"), at(16), division="150824102"),
        "water": _ticket(org, WATER, at(16), division="150824100", category=water),
        "old": _ticket(org, HEAT, at(25, month=10), division="150824100", category=heat),
    }
    repeat = _ticket(org, HEAT, at(19), division="150824100", category=heat)
    t["merged"] = tickets.ticket_merge(ticket=repeat, into=t["h3"], actor=org.user("operator"), now=at(19))
    return t


def test_keywords_leave_out_what_every_request_says() -> None:
    assert ticket_keywords("希望有关部门尽快解决暖气问题，谢谢") == ["暖气"]
    assert ticket_keywords("3号楼2单元暖气不热已经十二天") == ["暖气"]


def test_clusters_counts_trend_and_order(org: Any, data: dict[str, HotlineTicket]) -> None:
    topics = hot_topics(end=END, days=10)
    assert (topics.start, topics.end) == (dt.date(2026, 11, 11), END)
    assert (topics.previous_start, topics.previous_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    assert (topics.tickets, topics.previous_tickets, topics.truncated) == (11, 4, False)
    summary = [
        (t.topic, t.place_code, t.place, t.keywords, t.count, t.previous, t.change, t.change_percent, t.trend)
        for t in topics.topics
    ]
    assert summary == [
        ("冬季采暖", "150824100", "海流图镇", ["室内", "暖气", "温度"], 3, 1, 2, 200.0, "up"),
        ("城市公共设施", "150824101", "乌加河镇", ["乌加河", "建设路", "新华街"], 2, 0, 2, None, "new"),
        ("路面", "德岭山镇", "德岭山镇", ["红旗街", "塌陷", "车辆通行"], 2, 0, 2, None, "new"),
        ("过期", "150824100", "海流图镇", ["销售", "食品", "小卖部"], 2, 3, -1, -33.3, "down"),
    ]
    heat = topics.topics[0]
    assert heat.category == "城乡建设/城市建设和市政管理/冬季采暖" and topics.topics[2].category == ""
    assert heat.numbers == [data[key].number for key in ("h3", "h2", "h1")]
    assert heat.label == "海流图镇 · 冬季采暖（室内、暖气、温度）" and heat.trend_label == "上升"

    # The same tickets give the same topics; the single matters show with min_count=1.
    assert hot_topics(end=END, days=10).as_dict() == topics.as_dict()
    everything = hot_topics(end=END, days=10, min_count=1, limit=50)
    assert len(everything.topics) == 6 and [t.count for t in everything.topics[-2:]] == [1, 1]
    assert hot_topics(end=END, days=10, limit=2).as_dict()["topics"] == topics.as_dict()["topics"][:2]


def test_clustering_on_level_one_puts_matters_together(org: Any, data: dict[str, HotlineTicket]) -> None:
    broad = hot_topics(end=END, days=10, category_level=1)
    first = broad.topics[0]
    assert (first.topic, first.category, first.place, first.count, first.previous) == (
        "城乡建设",
        "城乡建设",
        "海流图镇",
        4,
        1,
    )  # fmt: skip  (the heating and the water)
    assert first.keywords == ["室内", "暖气", "温度"]
    with pytest.raises(ApplicationError):
        hot_topics(end=END, category_level=4)


def test_a_department_sees_the_topics_of_its_tickets(org: Any, data: dict[str, HotlineTicket]) -> None:
    departments, scope = figures_scope(org.user("handler"))
    mine = hot_topics(end=END, days=10, departments=departments, scope=scope)
    assert mine.scope == "住建局" and (mine.tickets, mine.previous_tickets) == (3, 1)
    assert [(t.topic, t.place, t.count, t.previous) for t in mine.topics] == [("冬季采暖", "海流图镇", 3, 1)]


def test_the_window_is_checked(org: Any) -> None:
    for days in (0, 184):
        with pytest.raises(ApplicationError):
            hot_topics(end=END, days=days)
    assert hot_topics(end=END, days=183).topics == []


def test_a_fixed_number_of_queries(
    org: Any, data: dict[str, HotlineTicket], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):  # the two windows' tickets and the places' names
        topics = hot_topics(end=END, days=10)
    assert len(topics.topics) == 4
