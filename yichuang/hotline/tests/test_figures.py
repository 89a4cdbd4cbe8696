"""12345统计 on a fixed set of tickets taken through the services at frozen times: every figure of every
department, of the row without a lead, of the total and of a day computed by hand; who sees which rows; the
screen, the Excel export and the API agree; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import include, path, reverse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from config import api as platform_api
from yichuang.core.errors import ApplicationError
from yichuang.hotline import tickets
from yichuang.hotline import urls as hotline_urls
from yichuang.hotline.api_figures import router
from yichuang.hotline.figures import NO_LEAD_LABEL, Row, figures_scope, hotline_figures
from yichuang.hotline.models import HotlineCategory, HotlineTicket

test_api = NinjaAPI(
    renderer=platform_api.Utf8JSONRenderer(),
    auth=[platform_api.BearerTokenAuth(), platform_api.SessionAuth()],
    urls_namespace="hotline-figures-test-api",
)
test_api.add_exception_handler(ApplicationError, platform_api.on_application_error)  # type: ignore[arg-type]
test_api.add_exception_handler(NinjaValidationError, platform_api.on_validation_error)  # type: ignore[arg-type]
test_api.add_exception_handler(AuthenticationError, platform_api.on_authentication_error)  # type: ignore[arg-type]
test_api.add_router("/hotline", router)
API = "/api/test/hotline"

# The hotline's screens with the figures' (whether the project mounts them yet or not), then the project's.
hotline_patterns = [*hotline_urls.urlpatterns, path("", include("yichuang.hotline.urls_figures"))]
urlpatterns = [
    path("api/test/", test_api.urls),
    path("", include((hotline_patterns, "hotline"), namespace="hotline")),
    path("", include("config.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


NOW = at(20, 12)  # Friday 20 November 2026, noon


@dataclass
class DataSet:
    t: dict[str, HotlineTicket]


def _intake(org: Any, when: dt.datetime, nature: str = "complaint", **extra: Any) -> HotlineTicket:
    return tickets.ticket_intake(
        actor=org.user("operator"),
        channel="phone",
        nature=nature,
        urgency="C",
        content=extra.pop("content", "小区路灯不亮"),
        caller_phone="13800000001",
        division_code="150824",
        now=when,
        **extra,
    )


def _dispatched(org: Any, when: dt.datetime, lead: Any, nature: str = "complaint") -> HotlineTicket:
    ticket = _intake(org, when, nature)
    return tickets.ticket_dispatch(ticket=ticket, actor=org.user("operator"), lead=lead, now=when)


@pytest.fixture
def data(org: Any) -> DataSet:
    """Complaints and consultations of urgency C: sign within 24 working hours; handle within 15 (投诉) or
    2 (咨询) working days. November 2026 has no holidays; the 2nd is a Monday."""
    operator, handler, chief = org.user("operator"), org.user("handler"), org.user("chief_rep")
    zjj, scjg = org.zjj, org.scjg
    t: dict[str, HotlineTicket] = {}

    # T1 (住建局): signed in time, replied on the 4th, satisfied. 48.5 hours from dispatch to reply.
    t1 = _intake(org, at(2, 9))
    t1 = tickets.ticket_dispatch(ticket=t1, actor=operator, lead=zjj, now=at(2, 9, 30))
    tickets.ticket_sign(ticket=t1, actor=handler, now=at(2, 10))
    tickets.ticket_reply(ticket=t1, actor=handler, reply="已修复", solved=True, now=at(4, 10))
    t["T1"] = tickets.ticket_call_back(ticket=t1, actor=operator, result="satisfied", now=at(5, 9))

    # T2 (住建局): signed late (due the 3rd 11:00), unsatisfied → 重办, then solved and basically satisfied.
    t2 = _dispatched(org, at(2, 11), zjj)
    tickets.ticket_sign(ticket=t2, actor=handler, now=at(4, 12))
    tickets.ticket_reply(ticket=t2, actor=handler, reply="已处理", solved=False, now=at(5, 11))
    tickets.ticket_call_back(ticket=t2, actor=operator, result="unsatisfied", now=at(6, 10))
    tickets.ticket_reply(ticket=t2, actor=handler, reply="已重新处理", solved=True, now=at(9, 11))
    t["T2"] = tickets.ticket_call_back(ticket=t2, actor=operator, result="basic", now=at(10, 9))

    # T3 (住建局): a consultation answered after its limit (the 5th), satisfied.
    t3 = _dispatched(org, at(3, 9), zjj, nature="consult")
    tickets.ticket_sign(ticket=t3, actor=handler, now=at(3, 10))
    tickets.ticket_reply(ticket=t3, actor=handler, reply="已答复", solved=True, now=at(9, 9))
    t["T3"] = tickets.ticket_call_back(ticket=t3, actor=operator, result="satisfied", now=at(9, 15))

    # T4 (市场监管局 now): returned by 住建局, re-dispatched, signed in time, carried as long-term (挂账).
    t4 = _dispatched(org, at(4, 9), zjj)
    tickets.ticket_return(ticket=t4, actor=handler, reason="不属于本单位职责", now=at(4, 10))
    tickets.ticket_return_review(
        ticket=t4, actor=operator, accept=True, note="改派市场监管局", lead=scjg, now=at(4, 11)
    )
    tickets.ticket_sign(ticket=t4, actor=chief, now=at(4, 14))
    t["T4"] = tickets.ticket_long_term(
        ticket=t4, actor=chief, plan="分期整治", plan_due=dt.date(2026, 12, 31), now=at(5, 10)
    )

    # T5 (市场监管局): never signed (its limit passed on the 6th), reminded once; T10 merged into it.
    t5 = _dispatched(org, at(5, 9), scjg)
    t["T5"] = tickets.ticket_remind(ticket=t5, actor=operator, now=at(9, 9))
    t10 = _intake(org, at(6, 9))
    t["T10"] = tickets.ticket_merge(ticket=t10, into=t5, actor=operator, now=at(6, 10))

    # T6 (市场监管局): a consultation signed in time, never answered: overdue (the 12th), supervised.
    t6 = _dispatched(org, at(10, 9), scjg, nature="consult")
    tickets.ticket_sign(ticket=t6, actor=chief, now=at(10, 10))
    t["T6"] = tickets.ticket_remind(ticket=t6, actor=operator, supervise=True, now=at(13, 9))

    # T7: answered at once (直接办结); T8: received, not yet dispatched.
    t7 = _intake(org, at(6, 10), nature="consult")
    t["T7"] = tickets.ticket_answer_directly(
        ticket=t7, actor=operator, reply="请携带身份证办理", now=at(6, 10)
    )
    t["T8"] = _intake(org, at(19, 9))

    # T9 (住建局): dispatched an hour before now, its sign limit not yet passed.
    t["T9"] = _dispatched(org, at(20, 10), zjj)

    # T13 (住建局): replied, the call-back did not reach the caller: still waiting for it. 24 hours.
    t13 = _dispatched(org, at(11, 9), zjj)
    tickets.ticket_sign(ticket=t13, actor=handler, now=at(11, 9, 30))
    tickets.ticket_reply(ticket=t13, actor=handler, reply="已修复", solved=True, now=at(12, 9))
    t["T13"] = tickets.ticket_call_back(ticket=t13, actor=operator, result="unreached", now=at(13, 9))

    # T14 (住建局): unsatisfied three times: reopened twice (the limit), then closed unsatisfied. 72 hours.
    t14 = _dispatched(org, at(16, 9), zjj)
    tickets.ticket_sign(ticket=t14, actor=handler, now=at(16, 9, 30))
    for day in (17, 18, 19):
        tickets.ticket_reply(ticket=t14, actor=handler, reply="已处理", solved=False, now=at(day, 9))
        t14 = tickets.ticket_call_back(ticket=t14, actor=operator, result="unsatisfied", now=at(day, 15))
    t["T14"] = t14

    # T11: received in October, closed — outside the period.
    t11 = _intake(org, at(30, 9, month=10), nature="consult")
    t["T11"] = tickets.ticket_answer_directly(
        ticket=t11, actor=operator, reply="已答复", now=at(30, 10, month=10)
    )
    return DataSet(t)


def _figures(**extra: Any) -> Any:
    return hotline_figures(start=START, end=END, now=NOW, **extra)


def _counts(row: Row) -> dict[str, Any]:
    return {
        name: getattr(row, name)
        for name in (
            "received", "dispatched", "response_due", "responded", "closed", "closed_dispatched",
            "closed_on_time", "solved", "called_back", "satisfied", "reopened", "replied", "handling_hours",
            "answered_directly", "returns", "reminded", "supervised", "long_term", "open_overdue",
        )
    }  # fmt: skip


ZJJ = {
    "received": 6,  # T1 T2 T3 T9 T13 T14
    "dispatched": 6,
    "response_due": 5,  # T9 still within its sign limit
    "responded": 4,  # T2 signed late
    "closed": 4,  # T1 T2 T3 T14
    "closed_dispatched": 4,
    "closed_on_time": 3,  # T3 answered after its limit
    "solved": 3,  # T14 unsolved
    "called_back": 4,  # T13 not reached
    "satisfied": 3,  # T14 unsatisfied
    "reopened": 2,  # T2 T14
    "replied": 5,  # T1 T2 T3 T13 T14
    "handling_hours": 91.3,  # (48.5 + 168 + 144 + 24 + 72) / 5
    "answered_directly": 0,
    "returns": 1,  # T4, now led by 市场监管局
    "reminded": 0,
    "supervised": 0,
    "long_term": 0,
    "open_overdue": 0,
}
SCJG = {
    "received": 3,  # T4 T5 T6 (T10 merged into T5)
    "dispatched": 3,
    "response_due": 3,
    "responded": 2,  # T5 never signed
    "closed": 0,
    "closed_dispatched": 0,
    "closed_on_time": 0,
    "solved": 0,
    "called_back": 0,
    "satisfied": 0,
    "reopened": 0,
    "replied": 0,
    "handling_hours": None,
    "answered_directly": 0,
    "returns": 0,
    "reminded": 2,  # T5, T6
    "supervised": 1,  # T6
    "long_term": 1,  # T4
    "open_overdue": 1,  # T6
}
NO_LEAD = {
    "received": 2,  # T7 T8
    "dispatched": 0,
    "response_due": 1,  # the direct answer
    "responded": 1,
    "closed": 1,
    "closed_dispatched": 0,
    "closed_on_time": 0,
    "solved": 1,
    "called_back": 0,
    "satisfied": 0,
    "reopened": 0,
    "replied": 0,
    "handling_hours": None,
    "answered_directly": 1,
    "returns": 0,
    "reminded": 0,
    "supervised": 0,
    "long_term": 0,
    "open_overdue": 0,
}
TOTAL = {
    name: ZJJ[name] + SCJG[name] + NO_LEAD[name]  # type: ignore[operator]
    for name in ZJJ
    if name != "handling_hours"
} | {"handling_hours": 91.3}


def test_every_figure_by_hand(org: Any, data: DataSet) -> None:
    figures = _figures()
    assert [(row.key, row.label) for row in figures.by_department] == [
        (org.scjg.pk, "市场监管局"),
        (org.zjj.pk, "住建局"),
        (None, NO_LEAD_LABEL),
    ]  # department tree order (the factories' paths), the row without a lead last
    scjg, zjj, none = figures.by_department
    assert _counts(zjj) == ZJJ
    assert _counts(scjg) == SCJG
    assert _counts(none) == NO_LEAD
    assert _counts(figures.total) == TOTAL

    assert (zjj.response_rate, zjj.closing_rate, zjj.on_time_rate) == (0.8, 4 / 6, 0.75)
    assert (zjj.solved_rate, zjj.satisfaction_rate, zjj.reopen_rate) == (0.75, 0.75, 0.5)
    assert (scjg.response_rate, scjg.closing_rate) == (2 / 3, 0.0)
    assert (scjg.on_time_rate, scjg.solved_rate, scjg.satisfaction_rate, scjg.reopen_rate) == (None,) * 4
    assert (none.response_rate, none.closing_rate, none.solved_rate, none.on_time_rate) == (
        1.0,
        0.5,
        1.0,
        None,
    )
    total = figures.total
    assert (total.response_rate, total.closing_rate, total.on_time_rate) == (7 / 9, 5 / 11, 0.75)
    assert (total.solved_rate, total.satisfaction_rate, total.reopen_rate) == (0.8, 0.75, 0.5)
    assert (total.response_percent, total.closing_percent, total.on_time_percent) == (77.8, 45.5, 75.0)

    as_dict = figures.as_dict()
    assert as_dict["total"]["response_rate"] == 0.7778 and as_dict["total"]["handling_hours"] == 91.3
    assert as_dict["by_department"][2]["key"] is None and as_dict["granularity"] == "day"


def test_by_day_of_receipt(org: Any, data: DataSet) -> None:
    figures = _figures()
    assert figures.granularity == "day"
    days = {row.key: row for row in figures.by_period}
    assert sorted(days) == [dt.date(2026, 11, d) for d in (2, 3, 4, 5, 6, 10, 11, 16, 19, 20)]
    second = days[dt.date(2026, 11, 2)]  # T1 and T2
    assert (second.label, second.received, second.responded, second.closed, second.reopened) == (
        "2026-11-02", 2, 1, 2, 1,
    )  # fmt: skip
    assert second.handling_hours == round((48.5 + 168) / 2, 1)
    fourth = days[dt.date(2026, 11, 4)]  # T4: its return counts on the day it was received
    assert (fourth.returns, fourth.long_term, fourth.responded) == (1, 1, 1)
    sixth = days[dt.date(2026, 11, 6)]  # T7; T10 merged does not count
    assert (sixth.received, sixth.answered_directly) == (1, 1)
    assert sum(row.received for row in figures.by_period) == figures.total.received

    # A longer period goes by month.
    longer = hotline_figures(start=dt.date(2026, 9, 1), end=END, now=NOW)  # over 62 days
    assert longer.granularity == "month"
    assert [(row.label, row.received, row.closed) for row in longer.by_period] == [
        ("2026年10月", 1, 1),
        ("2026年11月", 11, 5),
    ]


def test_later_moments_change_what_is_late(org: Any, data: DataSet) -> None:
    # On Monday afternoon T9's sign limit has passed: due to respond, not responded; T5's limit passes on
    # the 26th: overdue from the 27th.
    later = hotline_figures(start=START, end=END, now=at(27, 9))
    zjj = next(row for row in later.by_department if row.key == org.zjj.pk)
    scjg = next(row for row in later.by_department if row.key == org.scjg.pk)
    assert (zjj.response_due, zjj.responded) == (6, 4)
    assert scjg.open_overdue == 2


def test_a_fixed_number_of_queries(org: Any, data: DataSet, django_assert_max_num_queries: Any) -> None:
    for index in range(5):
        _dispatched(org, at(11 + index, 9), org.wjw if index % 2 else org.bdc)
    with django_assert_max_num_queries(5):
        figures = _figures()
    assert len(figures.by_department) == 5


def test_the_department_scope(org: Any, data: DataSet) -> None:
    for key in ("operator", "admin", "inspector"):
        departments, scope = figures_scope(org.user(key))
        assert (departments, scope) == (None, "")
    departments, scope = figures_scope(org.user("handler"))
    mine = _figures(departments=departments, scope=scope)
    assert mine.scope == "住建局"
    assert [row.key for row in mine.by_department] == [org.zjj.pk]
    assert _counts(mine.by_department[0]) == ZJJ and _counts(mine.total) == ZJJ

    departments, scope = figures_scope(org.user("chief_rep"))
    theirs = _figures(departments=departments, scope=scope)
    assert [row.key for row in theirs.by_department] == [org.scjg.pk]
    assert _counts(theirs.total) == SCJG


def test_a_bad_period_is_refused(org: Any) -> None:
    with pytest.raises(ApplicationError) as error:
        hotline_figures(start=END, end=START)
    assert error.value.code == "period_invalid"
    with pytest.raises(ApplicationError):
        hotline_figures(start=dt.date(2025, 1, 1), end=dt.date(2026, 6, 1))


# ——— the screen, Excel, the API ———


def test_the_screen_shows_the_rows_the_user_may_see(org: Any, data: DataSet, client_for: Any) -> None:
    period = {"start": "2026-11-01", "end": "2026-11-30"}
    page = client_for("operator").get(reverse("hotline:figures"), period)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-row="住建局"' in html and 'data-row="市场监管局"' in html and NO_LEAD_LABEL in html
    assert 'data-testid="department-chart"' in html and 'data-testid="topics"' in html
    assert page.context["figures"].total.received == 11

    mine = client_for("handler").get(reverse("hotline:figures"), period)
    assert mine.status_code == 200
    html = mine.content.decode()
    assert (
        'data-row="住建局"' in html
        and 'data-row="市场监管局"' not in html
        and "仅统计住建局主办的工单" in html
    )

    assert client_for("clerk").get(reverse("hotline:figures")).status_code == 403
    assert client_for("applicant").get(reverse("hotline:figures")).status_code == 403
    bad = client_for("admin").get(reverse("hotline:figures"), {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400
    preset = client_for("admin").get(reverse("hotline:figures"), {"period": "last_month"})
    assert preset.status_code == 200 and preset.context["preset"] == "last_month"


def test_the_excel_export(org: Any, data: DataSet, client_for: Any) -> None:
    from openpyxl import load_workbook

    response = client_for("inspector").get(
        reverse("hotline:figures_xlsx"), {"start": "2026-11-01", "end": "2026-11-30"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="hotline-figures-20261101-20261130.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按部门", "按日", "热点诉求", "说明"]
    sheet = workbook["按部门"]
    header = [cell.value for cell in sheet[2]]
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)
    }
    zjj = rows["住建局"]
    assert (zjj["受理数"], zjj["响应率"], zjj["按时办结率"], zjj["满意率"], zjj["重办率"]) == (
        6,
        0.8,
        0.75,
        0.75,
        0.5,
    )
    assert (zjj["平均办理时长（小时）"], zjj["退单"]) == (91.3, 1)
    assert rows["合计"]["受理数"] == 11 and rows["合计"]["办结率"] == round(5 / 11, 4)
    assert rows["市场监管局"]["按时办结率"] is None


def test_the_api_returns_the_same_numbers(org: Any, data: DataSet, client_for: Any) -> None:
    period = {"start": "2026-11-01", "end": "2026-11-30"}
    with time_machine.travel(NOW, tick=False):
        response = client_for("admin").get(f"{API}/figures", period)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == hotline_figures(start=START, end=END, now=NOW).as_dict()
    zjj = next(row for row in body["by_department"] if row["key"] == org.zjj.pk)
    assert (zjj["received"], zjj["closed"], zjj["reopened"], zjj["handling_hours"]) == (6, 4, 2, 91.3)
    assert zjj["satisfaction_rate"] == 0.75 and zjj["reopen_rate"] == 0.5

    mine = client_for("handler").get(f"{API}/figures", period).json()
    assert mine["scope"] == "住建局" and [row["key"] for row in mine["by_department"]] == [org.zjj.pk]
    assert client_for("clerk").get(f"{API}/figures").status_code == 403
    bad = client_for("admin").get(f"{API}/figures", {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "period_invalid"

    topics = client_for("operator").get(f"{API}/topics", {"end": "2026-11-20", "days": 30})
    assert topics.status_code == 200 and topics.json()["tickets"] == 12  # 22 October to 20 November
    assert client_for("operator").get(f"{API}/topics", {"days": 0}).status_code == 422


def test_anonymous_is_refused(client: Any) -> None:
    assert client.get(reverse("hotline:figures")).status_code == 302
    assert client.get(f"{API}/figures").status_code == 401


def test_categories_do_not_matter_to_the_figures(org: Any) -> None:
    category = HotlineCategory.objects.create(level=1, name="城乡建设", path="城乡建设")
    _intake(org, at(2, 9), category=category)
    assert _figures().total.received == 1


def test_without_the_breakdown_by_period(org: Any, data: DataSet) -> None:
    whole, short = _figures().as_dict(), _figures(by_period=False).as_dict()
    assert whole["by_period"] != [] and short["by_period"] == []
    assert {**short, "by_period": whole["by_period"]} == whole
