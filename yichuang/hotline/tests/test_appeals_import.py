"""The import of real appeals (``fuzhou_appeals.csv``) as closed tickets of the past: a slice of the real
file — counts, the nature and channel mapping, the historical steps and limits, 重办 from 转处理次数 up to the
limit — run twice without duplicates; no rating comes of it; bad rows are reported; the command."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from yichuang.accounts.tests.factories import DepartmentFactory
from yichuang.core.errors import ApplicationError
from yichuang.core.shared_data import shared_data_file
from yichuang.hotline.appeals_import import (
    SOURCE_PHONE,
    appeal_external_id,
    appeals_import,
    appeals_lead,
)
from yichuang.hotline.models import HotlineStatus, HotlineTicket
from yichuang.hotline.tickets import REOPEN_LIMIT
from yichuang.ratings.models import Evaluation

pytestmark = pytest.mark.django_db

REAL = shared_data_file("hotline", "fuzhou_appeals.csv")
needs_file = pytest.mark.skipif(REAL is None, reason="fuzhou_appeals.csv is not on this machine")


def _rows() -> tuple[list[str], list[dict[str, str]]]:
    assert REAL is not None
    with open(REAL, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _slice(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    """The first ten rows and the first row of each kind the mapping must handle."""
    header, rows = _rows()
    chosen = rows[:10]
    for wanted in (
        lambda r: int(r["转处理次数"]) > REOPEN_LIMIT,
        lambda r: r["性质"] == "咨询",
        lambda r: r["性质"] == "建议",
        lambda r: r["性质"] == "举报",
        lambda r: r["信息来源"] == "e福州app",
        lambda r: r["信息来源"] == "微信",
        lambda r: r["信息来源"] == "qq",
    ):
        row = next(r for r in rows if wanted(r))
        if row not in chosen:
            chosen.append(row)
    path = tmp_path / "slice.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(chosen)
    return path, chosen


@pytest.fixture
def rivers(org: Any) -> Any:
    return DepartmentFactory(name="乌拉特中旗生态环境分局", parent=org.gov)


NATURE = {"投诉": "complaint", "咨询": "consult", "建议": "suggest", "举报": "report", "求助": "help"}
CHANNEL = {
    "电话": "phone",
    "网站": "web",
    "微博": "web",
    "qq": "web",
    "e福州app": "app",
    "12345app": "app",
    "微信": "wechat",
}


@needs_file
def test_a_slice_of_the_real_file_becomes_closed_tickets(org: Any, rivers: Any, tmp_path: Path) -> None:
    path, rows = _slice(tmp_path)
    assert appeals_lead() == rivers
    report = appeals_import(path, actor=org.user("admin"))
    assert (report.read, report.created, report.existing, report.failed) == (len(rows), len(rows), 0, [])
    assert report.reopened == sum(1 for r in rows if int(r["转处理次数"]) > 0)
    assert HotlineTicket.objects.count() == len(rows)
    assert not Evaluation.objects.exists()  # a call-back of years ago is no rating today

    for row in rows:
        ticket = HotlineTicket.objects.get(external_id=appeal_external_id(row))
        day = dt.date.fromisoformat(row["时间"])
        assert (ticket.status, ticket.lead, ticket.title) == (HotlineStatus.CLOSED, rivers, row["标题"])
        assert ticket.content == row["投诉件内容"] and ticket.reply == row["回复1"]
        assert (ticket.nature, ticket.channel) == (NATURE[row["性质"]], CHANNEL[row["信息来源"]])
        assert ticket.address == row["区域"] + row["河流"]
        assert ticket.anonymous == (row["匿名(1)/实名(0)"] == "1")
        assert ticket.caller_phone == ("" if ticket.anonymous else SOURCE_PHONE)
        assert timezone.localtime(ticket.received_at).date() == day
        assert ticket.number.startswith(f"RX{day:%Y%m%d}")
        assert ticket.category is not None and ticket.category.path.startswith("环境保护/环境污染/")
        # The limits of the day: dispatched at once, signed within the limit, the final answer on its day.
        assert (
            ticket.dispatched_at is not None and ticket.sign_due_at is not None and ticket.due_at is not None
        )
        if row["最终回复-投诉事件"]:
            delay = dt.timedelta(days=int(float(row["最终回复-投诉事件"])))
            assert timezone.localtime(ticket.replied_at).date() == day + delay
        sent_back = int(row["转处理次数"])
        assert ticket.reopen_count == min(sent_back, REOPEN_LIMIT)
        actions = list(ticket.steps.values_list("action", flat=True))
        assert actions[:3] == ["intake", "dispatch", "sign"]
        assert actions.count("reply") == min(sent_back, REOPEN_LIMIT) + 1
        assert actions.count("reopen") == min(sent_back, REOPEN_LIMIT) and actions[-1] == "close"
        if sent_back > REOPEN_LIMIT:
            assert (ticket.callback_result, ticket.solved) == ("unsatisfied", False)
        else:
            assert ticket.callback_result in ("satisfied", "basic") and ticket.solved is True

    first = HotlineTicket.objects.get(external_id=appeal_external_id(rows[0]))  # 台江区 三捷河, 2017-12-11
    assert (first.division_code, first.channel, first.category.path) == (  # type: ignore[union-attr]
        "150824102", "web", "环境保护/环境污染/噪音污染",
    )  # fmt: skip
    assert timezone.localtime(first.replied_at).date() == dt.date(2017, 12, 13)
    assert first.replied_at <= first.due_at  # type: ignore[operator]

    again = appeals_import(path, actor=org.user("admin"))
    assert (again.created, again.existing) == (0, len(rows))
    assert HotlineTicket.objects.count() == len(rows)


@needs_file
def test_limit_and_an_explicit_lead(org: Any, tmp_path: Path) -> None:
    assert REAL is not None
    with pytest.raises(ApplicationError) as error:
        appeals_import(REAL, actor=org.user("admin"), limit=3)  # no environment or water department
    assert error.value.code == "lead_missing"
    report = appeals_import(REAL, actor=org.user("admin"), lead=org.zjj, limit=3)
    assert report.created == 3 and set(HotlineTicket.objects.values_list("lead", flat=True)) == {org.zjj.pk}
    more = appeals_import(REAL, actor=org.user("admin"), lead=org.zjj, limit=5)
    assert (more.created, more.existing) == (2, 3)


def test_a_bad_row_is_reported_and_leaves_nothing(org: Any, rivers: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    header = "区域,河流,性质,信息来源,标题,时间,投诉件内容,回复1,回复长度,转处理次数,有效回复条数,最终回复-投诉事件,匿名(1)/实名(0)"
    path.write_text(
        f"{header}\n"
        "仓山区,龙津河,投诉,电话,龙津河发臭,2018-07-02,龙津河河水发臭，请治理。,已安排清淤。,6,0,1,3.0,1\n"
        "仓山区,龙津河,投诉,电话,日期不对,2018-13-40,内容,答复,2,0,1,3.0,1\n"
        "晋安区,浦东河,咨询,传真,浦东河何时整治,2019-03-05,,已列入计划。,6,1,1,,0\n",
        encoding="utf-8",
    )
    report = appeals_import(path, actor=org.user("admin"))
    assert (report.created, report.failed) == (2, [(3, "时间“2018-13-40”不是日期")])
    consult = HotlineTicket.objects.get(title="浦东河何时整治")
    # Unknown source → web; no content → the title; no reply delay → from the hash; 1 reopen.
    assert (consult.channel, consult.nature, consult.content, consult.reopen_count) == (
        "web",
        "consult",
        "浦东河何时整治",
        1,
    )
    assert (consult.division_code, consult.anonymous, consult.category.path) == (  # type: ignore[union-attr]
        "150824101", False, "环境保护/环境污染/水污染",
    )  # fmt: skip


def test_the_command(org: Any, rivers: Any, tmp_path: Path) -> None:
    from io import StringIO

    path = tmp_path / "one.csv"
    header = "区域,河流,性质,信息来源,标题,时间,投诉件内容,回复1,回复长度,转处理次数,有效回复条数,最终回复-投诉事件,匿名(1)/实名(0)"
    path.write_text(
        f"{header}\n鼓楼区,白马河,建议,网站,白马河增设护栏,2018-05-03,建议白马河沿岸增设护栏。,已采纳。,4,0,1,5.0,1\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("hotline_import_appeals", str(path), "--limit", "5", stdout=out)
    assert "导入 1 条" in out.getvalue()
    ticket = HotlineTicket.objects.get()
    assert (ticket.nature, ticket.division_code, ticket.received_by) == (
        "suggest",
        "150824201",
        org.user("admin"),
    )
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("hotline_import_appeals", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError):
        call_command("hotline_import_appeals", str(path), "--lead", "没有这个单位")
