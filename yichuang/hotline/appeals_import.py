"""Import of real appeals (``fuzhou_appeals.csv``: complaints about Fuzhou's rivers, 2016–2020) as demo
history: each row becomes a closed ticket taken through the services — intake, dispatch, sign, reply,
call-back, and 重办 as often as the row says — with ``now=`` set on the row's date, so the limits, the
steps and the figures are historical.

Columns: 区域, 河流, 性质, 信息来源, 标题, 时间 (the day of the appeal), 投诉件内容, 回复1 (the answer),
回复长度, 转处理次数 (how often it was sent back for handling), 有效回复条数, 最终回复-投诉事件 (calendar days
from the appeal to the final answer), 匿名(1)/实名(0).

- nature from 性质 (投诉, 咨询, 建议, 举报, 求助, 表扬; else 投诉); channel from 信息来源 (``CHANNELS``: 电话
  and 短信 → phone, 网站/微博/QQ/邮件 → web, the city's apps → app, 微信 → wechat; else web); urgency C.
- title 标题, content 投诉件内容 (cut to 4000 characters), address 区域 + 河流, division: a fixed demo
  division per district (``DISTRICT_DIVISIONS``: the banner's towns — it is demo history).
- the caller: 匿名 → anonymous; 实名 → known but not in the open data: no name, and the source hotline's
  number (``SOURCE_PHONE``) where the caller's would be.
- category (created with its parents when missing, by the taxonomy's import): 环境保护/环境污染/噪音污染
  when the text speaks of noise, …/固体污染 of rubbish, else …/水污染.
- the lead: ``lead`` given, else the first active department whose name says 生态环境, 环保, 水务, 水利 or
  供水 (``LEAD_WORDS``). The steps are taken by ``actor`` (an admin: the importer).
- times (local): received on the day between 08:30 and 14:30 (from the row's hash), dispatched 15 minutes
  later, signed 30 minutes after that; the final answer on the day 最终回复-投诉事件 days later at 17:00 (not
  before the signature); the call-back 20 hours after the answer.
- 重办: 转处理次数 unsatisfied call-backs, each reopening the ticket up to ``REOPEN_LIMIT`` (the answers in
  between spread evenly before the final one); beyond the limit the last call-back closes it unsatisfied and
  the answer says unsolved. Otherwise the final call-back is satisfied (basically satisfied for one row in
  five, from the hash) and the answer solved. The source does not say how satisfied callers were: these are
  demo values.

The call-backs are not the callers' ratings in 好差评 (``hooks.quiet``): an appeal of years ago is no rating
today. Idempotent: ``external_id`` (and the idempotency key) is a hash of the row's values, so a row already
imported is skipped; each row is one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError
from yichuang.hotline import hooks, tickets
from yichuang.hotline.models_taxonomy import HotlineCategory
from yichuang.hotline.models_tickets import CallBackResult, HotlineChannel, HotlineTicket, Nature
from yichuang.hotline.taxonomy import taxonomy_import

__all__ = [
    "AppealsReport",
    "appeal_external_id",
    "appeals_categories",
    "appeals_category",
    "appeals_import",
    "appeals_lead",
    "appeals_read",
]

NATURES = {
    "投诉": Nature.COMPLAINT,
    "咨询": Nature.CONSULT,
    "建议": Nature.SUGGEST,
    "举报": Nature.REPORT,
    "求助": Nature.HELP,
    "表扬": Nature.PRAISE,
}
CHANNELS = {
    "电话": HotlineChannel.PHONE,
    "短信": HotlineChannel.PHONE,  # texts to the hotline's number
    "网站": HotlineChannel.WEB,
    "微博": HotlineChannel.WEB,
    "qq": HotlineChannel.WEB,
    "邮件": HotlineChannel.WEB,
    "e福州app": HotlineChannel.APP,
    "12345app": HotlineChannel.APP,
    "微信": HotlineChannel.WECHAT,
}
# Demo history: Fuzhou's districts stand for the banner's towns (and the banner itself).
DISTRICT_DIVISIONS = {
    "仓山区": "150824100",  # 海流图镇
    "晋安区": "150824101",  # 乌加河镇
    "台江区": "150824102",  # 德岭山镇
    "鼓楼区": "150824201",  # 呼鲁斯太苏木
    "马尾区": "150824",
}
DEFAULT_DIVISION = "150824"
SOURCE_PHONE = "0591-12345"
LEAD_WORDS = ("生态环境", "环保", "水务", "水利", "供水")
WATER = "环境保护/环境污染/水污染"
NOISE = "环境保护/环境污染/噪音污染"
RUBBISH = "环境保护/环境污染/固体污染"
_NOISE_WORDS = ("噪音", "噪声", "扰民", "夜间施工", "施工声")
_RUBBISH_WORDS = ("垃圾", "渣土", "堆放", "杂物")
EXTERNAL_PREFIX = "fuzhou:"
COLUMNS = (
    "区域",
    "河流",
    "性质",
    "信息来源",
    "标题",
    "时间",
    "投诉件内容",
    "回复1",
    "回复长度",
    "转处理次数",
    "有效回复条数",
    "最终回复-投诉事件",
    "匿名(1)/实名(0)",
)


@dataclass
class AppealsReport:
    read: int = 0
    created: int = 0
    existing: int = 0
    reopened: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (line, message)

    def summary(self) -> str:
        text = (
            f"读取 {self.read} 条，导入 {self.created} 条（其中重办 {self.reopened} 条），"
            f"已导入跳过 {self.existing} 条"
        )
        if self.failed:
            text += f"，失败 {len(self.failed)} 条"
        return text


def appeals_read(path: str | Path, *, limit: int | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of the file, at most ``limit`` rows."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [
            name for name in ("区域", "标题", "时间", "投诉件内容") if name not in (reader.fieldnames or [])
        ]
        if missing:
            raise ApplicationError(f"文件缺少列：{'、'.join(missing)}", code="invalid_file")
        for count, row in enumerate(reader, start=1):
            if limit is not None and count > limit:
                return
            yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}


def appeal_external_id(row: dict[str, str]) -> str:
    """A stable id of the row: the hash of its values, column by column."""
    text = "\x1f".join(row.get(name, "") for name in COLUMNS)
    return EXTERNAL_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def appeals_lead() -> Department | None:
    """The department that answers for the rivers: the first active one named for the environment or
    water (``LEAD_WORDS``, in that order)."""
    for word in LEAD_WORDS:
        found = Department.objects.filter(is_active=True, name__contains=word).order_by("path").first()
        if found is not None:
            return found
    return None


def appeals_categories(*, actor: Any = None) -> dict[str, HotlineCategory]:
    """The appeals' categories by path, created with their parents when missing (the taxonomy's import)."""
    paths = (WATER, NOISE, RUBBISH)
    taxonomy_import(rows=[path.split("/") for path in paths], actor=actor)
    return {category.path: category for category in HotlineCategory.objects.filter(path__in=paths)}


def appeals_category(text: str) -> str:
    """The category path of an appeal from its words (see the module's docstring)."""
    if any(word in text for word in _NOISE_WORDS):
        return NOISE
    if any(word in text for word in _RUBBISH_WORDS):
        return RUBBISH
    return WATER


def _number(value: str) -> int | None:
    try:
        return int(float(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Plan:
    received: dt.datetime
    dispatched: dt.datetime
    signed: dt.datetime
    replies: list[dt.datetime]  # one per round; the last is the final answer
    call_backs: list[dt.datetime]  # after each reply
    final_result: str
    solved: bool


def _plan(row: dict[str, str], digest: int, reopen_limit: int) -> _Plan:
    day = dt.date.fromisoformat(row["时间"])

    def at(on: dt.date, minutes: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(on, dt.time.min) + dt.timedelta(minutes=minutes))

    received = at(day, 8 * 60 + 30 + digest % 361)
    dispatched = received + dt.timedelta(minutes=15)
    signed = dispatched + dt.timedelta(minutes=30)
    days = _number(row.get("最终回复-投诉事件", ""))
    if days is None or days < 0:
        days = 1 + digest % 7
    final = max(at(day + dt.timedelta(days=days), 17 * 60), signed + dt.timedelta(minutes=30))
    sent_back = max(_number(row.get("转处理次数", "")) or 0, 0)
    rounds = min(sent_back, reopen_limit)
    span = final - signed
    # Round i answers at signed + span·(i+1)/(rounds+1) and is called back halfway to the next answer.
    replies = [signed + span * (index + 1) / (rounds + 1) for index in range(rounds + 1)]
    call_backs = [replies[index] + (replies[index + 1] - replies[index]) / 2 for index in range(rounds)] + [
        final + dt.timedelta(hours=20)
    ]
    beyond = sent_back > reopen_limit
    if beyond:
        result = CallBackResult.UNSATISFIED
    else:
        result = CallBackResult.BASIC if digest % 5 == 0 else CallBackResult.SATISFIED
    return _Plan(received, dispatched, signed, replies, call_backs, result, solved=not beyond)


def _import_row(
    row: dict[str, str],
    external_id: str,
    *,
    actor: Any,
    lead: Department,
    categories: dict[str, HotlineCategory],
) -> HotlineTicket:
    digest = int(external_id.removeprefix(EXTERNAL_PREFIX)[:12], 16)
    plan = _plan(row, digest, tickets.REOPEN_LIMIT)
    title = row.get("标题", "")
    content = row.get("投诉件内容", "") or title
    reply = row.get("回复1", "") or "已按职责办理并答复来电人。"
    anonymous = row.get("匿名(1)/实名(0)", "1") != "0"
    district, river = row.get("区域", ""), row.get("河流", "")
    category = categories[appeals_category(f"{title} {content}")]
    ticket = tickets.ticket_intake(
        actor=actor,
        channel=CHANNELS.get(row.get("信息来源", "").lower(), HotlineChannel.WEB),
        nature=NATURES.get(row.get("性质", ""), Nature.COMPLAINT),
        urgency="C",
        title=title,
        content=content[:4000],
        category=category,
        address=f"{district}{river}",
        division_code=DISTRICT_DIVISIONS.get(district, DEFAULT_DIVISION),
        anonymous=anonymous,
        caller_phone="" if anonymous else SOURCE_PHONE,
        external_id=external_id,
        idempotency_key=external_id,
        now=plan.received,
    )
    ticket = tickets.ticket_dispatch(ticket=ticket, actor=actor, lead=lead, now=plan.dispatched)
    ticket = tickets.ticket_sign(ticket=ticket, actor=actor, now=plan.signed)
    last = len(plan.replies) - 1
    for index, (replied_at, called_at) in enumerate(zip(plan.replies, plan.call_backs, strict=True)):
        final = index == last
        ticket = tickets.ticket_reply(
            ticket=ticket, actor=actor, reply=reply, solved=plan.solved if final else False, now=replied_at
        )
        ticket = tickets.ticket_call_back(
            ticket=ticket,
            actor=actor,
            result=plan.final_result if final else CallBackResult.UNSATISFIED,
            note="" if final else f"来电人对答复不满意，转处理第{index + 1}次",
            now=called_at,
        )
    return ticket


def appeals_import(
    path: str | Path, *, actor: Any, lead: Department | None = None, limit: int | None = None
) -> AppealsReport:
    """Import the appeals of ``path`` (at most ``limit`` rows) as closed tickets; see the module's
    docstring. Rows already imported are skipped; a row that fails is reported and leaves nothing."""
    lead = lead or appeals_lead()
    if lead is None:
        raise ApplicationError(
            "未找到承办河道诉求的单位（名称含“生态环境”“环保”“水务”“水利”或“供水”），请指定主办单位",
            code="lead_missing",
        )
    report = AppealsReport()
    rows = list(appeals_read(path, limit=limit))
    report.read = len(rows)
    keyed = [(line, row, appeal_external_id(row)) for line, row in rows]
    done = set(
        HotlineTicket.objects.filter(external_id__in=[key for _line, _row, key in keyed]).values_list(
            "external_id", flat=True
        )
    )
    categories = appeals_categories(actor=actor)
    with hooks.quiet():
        for line, row, external_id in keyed:
            if external_id in done:
                report.existing += 1
                continue
            try:
                dt.date.fromisoformat(row.get("时间", ""))
            except ValueError:
                report.failed.append((line, f"时间“{row.get('时间', '')}”不是日期"))
                continue
            try:
                with transaction.atomic():
                    ticket = _import_row(row, external_id, actor=actor, lead=lead, categories=categories)
            except ApplicationError as error:
                report.failed.append((line, error.message))
                continue
            done.add(external_id)
            report.created += 1
            report.reopened += 1 if ticket.reopen_count else 0
    return report
