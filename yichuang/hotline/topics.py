"""热点诉求 (hot topics): what many callers raise at the same place lately, and whether it grows.

**Window.** The tickets received on the ``days`` local days up to ``end`` (the current window) and on the
``days`` days before them (the previous window), merged ones left out; with ``departments`` only the
tickets those departments lead (a department's staff). At most ``MAX_TICKETS`` per window are read, the
most recent first (``truncated`` says when more were received).

**Clusters.** A ticket belongs to the cluster of its *topic* and its *place*:

- topic: its category down to ``category_level`` (default 3: the matter itself, 冬季采暖 or 水污染; level 1
  would put 供暖, 供水 and 物业 together under 城乡建设), named after its last level (with the level above it
  when that is 其他); without a category, its *top keyword*, the one of its keywords that most tickets of
  both windows share (ties: the one said first);
- place: its division at township level (the first 9 digits of a village's 12-digit code), named after the
  department that serves it (a 镇/苏木 service centre, else the banner or county government); without a
  division, the township or district its address begins with (德岭山镇红旗街 → 德岭山镇; else the address's
  first ten characters); else "未注明地点".

Keywords are the words of the title and content (jieba, ``catalog.search.word_terms``) of two characters
or more, without stop words (``STOP_WORDS``: what every request says — 反映, 希望, 解决 …) and without
numbers (3号楼, 十二天). A cluster is labelled by its ``KEYWORDS_SHOWN`` commonest keywords in the current
window (most tickets first, then longer, then in code-point order), none inside another one already chosen
(暖气 and 暖气片 are one).

**Ranking and trend.** Clusters with at least ``min_count`` tickets in the current window, by that count
(more first), then by the change (larger first), then by topic, place and category; at most ``limit``.
Trend compares with the previous window: ``new`` (none before), ``up``, ``down`` or ``flat``, with the
change in tickets and, when there were some before, in percent. The same tickets give the same topics:
nothing depends on the order rows come from the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yichuang.accounts.models import Department, DepartmentKind
from yichuang.catalog.search import word_terms
from yichuang.core.errors import ApplicationError
from yichuang.hotline.figures import period_tickets

__all__ = [
    "MAX_TOPIC_DAYS",
    "TOPIC_DAYS",
    "TOPIC_LIMIT",
    "HotTopics",
    "Topic",
    "hot_topics",
    "ticket_keywords",
]

TOPIC_DAYS = 30
MAX_TOPIC_DAYS = 183  # both windows within a year
TOPIC_LIMIT = 10
MIN_COUNT = 2
KEYWORDS_SHOWN = 3
MAX_TICKETS = 5000  # per window
NO_PLACE = "未注明地点"

_STOP_TEXT = (
    "反映 反应 问题 希望 要求 请求 恳请 请问 询问 咨询",
    "投诉 举报 建议 求助 表扬 来电 来信 市民 群众 本人",
    "我们 他们 你们 自己 大家 有关 有关部门 相关 相关部门",
    "部门 政府 领导 处理 解决 尽快 及时 落实 核实 调查",
    "督促 协调 关注 重视 帮助 帮忙 给予 予以 进行 出现",
    "存在 发生 导致 造成 影响 严重 情况 事情 现象 目前",
    "现在 当前 已经 一直 至今 仍然 依然 还是 没有 不能",
    "无法 不会 不是 就是 只是 还有 但是 而且 并且 因为",
    "所以 如果 虽然 以及 或者 什么 怎么 怎么办 如何",
    "为什么 是否 能否 可否 可以 能够 应该 需要 不要 一个",
    "一些 这个 那个 这些 那些 这样 那样 这里 那里 哪里",
    "之前 之后 以后 以前 今天 昨天 明天 每天 今年 去年",
    "时间 时候 期间 多次 多日 连续 经常 长期 长时间 非常",
    "十分 特别 很多 很大 较大 比较 一下 谢谢 感谢 您好",
    "你好 麻烦 有效 措施 采取 采取有效 行为 工作 人员",
    "工作人员 单位 地方 附近 周边 周围 居民 住户 家里",
    "小区 社区 单元 公司 刚刚 只有 所有 全部 其他 其中",
    "表示 认为 知道 告知 回复 答复 办理 处理结果 结果",
    "给予解决 望能",
)
STOP_WORDS = frozenset(word for line in _STOP_TEXT for word in line.split())
# A number in words, with its unit or not: 十二天, 一周, 三号, 第二次.
_QUANTITY = re.compile(
    r"^[零〇一二三四五六七八九十百千万亿两几第半多]+[天日月年号个次度元楼层栋户人米岁周名期]?$"
)
_HAS_DIGIT = re.compile(r"[0-9a-zA-Z]")
# The township (or district) an address begins with: 德岭山镇红旗街 → 德岭山镇.
_AREA = re.compile(r"^(.{1,10}?(?:镇|乡|苏木|街道|区|县|旗))")


def ticket_keywords(text: str) -> list[str]:
    """The meaningful words of ``text``, in order of appearance (see the module's docstring)."""
    return [
        term
        for term in word_terms(text)
        if len(term) > 1
        and term not in STOP_WORDS
        and not _HAS_DIGIT.search(term)
        and not _QUANTITY.match(term)
    ]


@dataclass
class Topic:
    topic: str  # the category's name, or the top keyword
    category: str  # the category's path down to the level clustered on; empty for a keyword
    place_code: str  # the township-level division (or the address word)
    place: str  # its name
    keywords: list[str]
    count: int  # tickets in the current window
    previous: int  # tickets in the previous window
    numbers: list[str] = field(default_factory=list)  # the newest few, for the office to look up

    @property
    def label(self) -> str:
        words = "、".join(self.keywords)
        return f"{self.place} · {self.topic}" + (f"（{words}）" if words else "")

    @property
    def change(self) -> int:
        return self.count - self.previous

    @property
    def change_percent(self) -> float | None:
        return round(self.change / self.previous * 100, 1) if self.previous else None

    @property
    def trend(self) -> str:
        if not self.previous:
            return "new"
        return "up" if self.change > 0 else "down" if self.change < 0 else "flat"

    @property
    def trend_label(self) -> str:
        return {"new": "新出现", "up": "上升", "down": "下降", "flat": "持平"}[self.trend]

    def as_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "category": self.category,
            "place_code": self.place_code,
            "place": self.place,
            "keywords": list(self.keywords),
            "label": self.label,
            "count": self.count,
            "previous": self.previous,
            "change": self.change,
            "change_percent": self.change_percent,
            "trend": self.trend,
            "numbers": list(self.numbers),
        }


@dataclass
class HotTopics:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    days: int
    tickets: int  # in the current window
    previous_tickets: int
    topics: list[Topic]
    truncated: bool = False
    scope: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "previous_start": self.previous_start.isoformat(),
            "previous_end": self.previous_end.isoformat(),
            "days": self.days,
            "tickets": self.tickets,
            "previous_tickets": self.previous_tickets,
            "truncated": self.truncated,
            "scope": self.scope,
            "topics": [topic.as_dict() for topic in self.topics],
        }


@dataclass
class _Ticket:
    number: str
    received_at: dt.datetime
    current: bool
    category: str
    place_code: str
    keywords: list[str]


def _place_code(division_code: str, address: str) -> str:
    code = (division_code or "").strip()
    if code:
        return code[:9]
    address = "".join((address or "").split())
    area = _AREA.match(address)
    return area.group(1) if area else address[:10]


def _read(tickets: QuerySet[Any], *, current: bool, level: int) -> tuple[list[_Ticket], bool]:
    rows = list(
        tickets.order_by("-received_at", "-pk").values(
            "number", "received_at", "title", "content", "address", "division_code", "category__path"
        )[: MAX_TICKETS + 1]
    )
    truncated = len(rows) > MAX_TICKETS
    return [
        _Ticket(
            number=row["number"],
            received_at=row["received_at"],
            current=current,
            category="/".join((row["category__path"] or "").split("/")[:level]),
            place_code=_place_code(row["division_code"], row["address"]),
            keywords=ticket_keywords(f"{row['title']} {row['content']}"),
        )
        for row in rows[:MAX_TICKETS]
    ], truncated


def _place_names(codes: set[str]) -> dict[str, str]:
    """A division's name from the departments serving it: a township or village service centre first, else
    the government of that level (its name without 人民政府)."""
    preference = {
        DepartmentKind.TOWNSHIP_STATION: 0,
        DepartmentKind.VILLAGE_STATION: 1,
        DepartmentKind.GOVERNMENT: 2,
    }
    divisions = {code for code in codes if code.isdigit()}
    names: dict[str, tuple[int, int, str]] = {}
    if divisions:
        for row in Department.objects.filter(division_code__in=divisions, kind__in=list(preference)).values(
            "pk", "division_code", "kind", "name", "short_name"
        ):
            rank = preference[row["kind"]]
            if row["kind"] == DepartmentKind.GOVERNMENT:
                name = row["name"].removesuffix("人民政府") or row["name"]
            else:
                name = row["short_name"] or row["name"]
            candidate = (rank, row["pk"], name)
            if row["division_code"] not in names or candidate < names[row["division_code"]]:
                names[row["division_code"]] = candidate
    return {code: names[code][2] if code in names else (code or NO_PLACE) for code in codes}


def _topic_name(category: str) -> str:
    names = category.split("/")
    return "·".join(names[-2:]) if names[-1] == "其他" and len(names) > 1 else names[-1]


def _shown_keywords(counts: Counter[str], exclude: str) -> list[str]:
    chosen: list[str] = []
    for term, _count in sorted(counts.items(), key=lambda item: (-item[1], -len(item[0]), item[0])):
        if term == exclude or any(term in other or other in term for other in chosen):
            continue
        chosen.append(term)
        if len(chosen) == KEYWORDS_SHOWN:
            break
    return chosen


def hot_topics(
    *,
    end: dt.date | None = None,
    days: int = TOPIC_DAYS,
    departments: QuerySet[Department] | None = None,
    scope: str = "",
    limit: int = TOPIC_LIMIT,
    min_count: int = MIN_COUNT,
    category_level: int = 3,
) -> HotTopics:
    """The hot topics of the ``days`` days up to ``end`` (default today), compared with the ``days`` days
    before (see the module's docstring)."""
    if category_level not in (1, 2, 3):
        raise ApplicationError(
            "分类级别为1至3", code="invalid", fields={"category_level": ["分类级别不正确"]}
        )
    if not 1 <= days <= MAX_TOPIC_DAYS:
        raise ApplicationError(
            f"热点统计天数为1至{MAX_TOPIC_DAYS}天", code="invalid", fields={"days": ["天数不正确"]}
        )
    end = end or timezone.localdate()
    start = end - dt.timedelta(days=days - 1)
    previous_end = start - dt.timedelta(days=1)
    previous_start = previous_end - dt.timedelta(days=days - 1)
    current_qs, previous_qs = period_tickets(start, end), period_tickets(previous_start, previous_end)
    if departments is not None:
        current_qs, previous_qs = (
            current_qs.filter(lead__in=departments),
            previous_qs.filter(lead__in=departments),
        )
    current, more_now = _read(current_qs, current=True, level=category_level)
    previous, more_before = _read(previous_qs, current=False, level=category_level)
    tickets = current + previous

    # The words many tickets share decide an uncategorised ticket's topic.
    document_frequency: Counter[str] = Counter()
    for ticket in tickets:
        document_frequency.update(set(ticket.keywords))

    # Keyed by (category path, keyword, place): a category and a keyword of the same name stay apart.
    clusters: dict[tuple[str, str, str], list[_Ticket]] = defaultdict(list)
    for ticket in tickets:
        keyword = ""
        if not ticket.category:
            # max() keeps the first of equals: the word said first.
            keyword = max(ticket.keywords, key=lambda term: document_frequency[term], default="其他")
        clusters[(ticket.category, keyword, ticket.place_code)].append(ticket)

    names = _place_names({place for _category, _keyword, place in clusters})
    topics: list[Topic] = []
    for (category, keyword, place), members in clusters.items():
        now = sorted((t for t in members if t.current), key=lambda t: (t.received_at, t.number), reverse=True)
        if len(now) < max(min_count, 1):
            continue
        counts: Counter[str] = Counter()
        for ticket in now:
            counts.update(set(ticket.keywords))
        topic = _topic_name(category) if category else keyword
        topics.append(
            Topic(
                topic=topic,
                category=category,
                place_code=place,
                place=names.get(place, place) or NO_PLACE,
                keywords=_shown_keywords(counts, exclude=topic),
                count=len(now),
                previous=len(members) - len(now),
                numbers=[ticket.number for ticket in now[:5]],
            )
        )
    topics.sort(key=lambda t: (-t.count, -t.change, t.topic, t.place_code, t.category))
    return HotTopics(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        days=days,
        tickets=len(current),
        previous_tickets=len(previous),
        topics=topics[:limit],
        truncated=more_now or more_before,
        scope=scope if departments is not None else "",
    )
