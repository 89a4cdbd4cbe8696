"""好差评统计 on a fixed data set computed by hand: by department, window, staff, item, channel and month; an
upheld appeal leaves the figures; a chief representative's scope; the monthly ranking; the screen, its
chart and Excel export; 公开 of a closed month and the public page (published months only, no personal
data); the API."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import UserFactory
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent
from yichuang.hall.tests.helpers import MONDAY, make_hall
from yichuang.ratings import services
from yichuang.ratings.figures import (
    RANKING_MINIMUM,
    Row,
    figures_scope,
    monthly_ranking,
    period_preset,
    published_figures,
    rank_rows,
    ratings_figures,
)
from yichuang.ratings.models import Appeal, Channel, Evaluation, Publication, Rectification
from yichuang.ratings.publishing import publication_publish
from yichuang.ratings.subjects import served_case, served_hall_ticket
from yichuang.ratings.tests.helpers import closed_case, served_ticket

pytestmark = pytest.mark.django_db

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
CASES_CLOSED = dt.datetime(2026, 11, 20, 10, 0)  # a Friday
DECEMBER_CASES = dt.datetime(2026, 12, 2, 10, 0)
NOW = dt.datetime(2026, 12, 10, 10, 0)  # after everything: November is a closed month
HALL = "150824-ZWFWZX"


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment)


@dataclass
class DataSet:
    """November: five ratings of window 01 (政务服务中心, clerk), three valid ratings of 市场监管局's cases
    (reviewer) and one removed by an upheld appeal; December: two more cases."""

    ratings: dict[str, Evaluation]
    centre_rectifier: Any


def _rate_ticket(org: Any, setup: Any, name: str, level: int, channel: str, **extra: Any) -> Evaluation:
    holder = extra.pop("holder", None) or {"holder_name": name, "phone": f"1390000{len(name):04d}"}
    ticket = served_ticket(org, setup, **holder)
    return services.evaluation_submit(
        served=served_hall_ticket(ticket),
        channel=channel,
        level=level,
        now=ticket.finished_at + dt.timedelta(minutes=1),
        **extra,
    )


def _rate_case(
    org: Any, when: dt.datetime, level: int, channel: str, *, applied: str = "window", **extra: Any
) -> Evaluation:
    with time_machine.travel(_aware(when), tick=False):
        case = closed_case(org, channel=applied)
    return services.evaluation_submit(
        served=served_case(case),
        channel=channel,
        level=level,
        now=case.closed_at + dt.timedelta(hours=1),
        **extra,
    )


def build(org: Any) -> DataSet:
    setup = make_hall(org, tidal=False)
    rectifier = UserFactory(username="reviewer_centre", role=Role.REVIEWER, department=org.centre)
    r: dict[str, Evaluation] = {}
    r["t1"] = _rate_ticket(
        org, setup, "甲", 5, Channel.WINDOW, scores={"efficiency": 5, "competence": 5, "attitude": 5}
    )
    r["t2"] = _rate_ticket(org, setup, "乙乙", 4, Channel.WINDOW, scores={"efficiency": 4, "attitude": 3})
    r["t3"] = _rate_ticket(org, setup, "丙丙丙", 3, Channel.KIOSK)
    r["t4"] = _rate_ticket(org, setup, "丁丁丁丁", 1, Channel.WINDOW, comment="态度差")
    # An anonymous holder (a name only): a bad rating that is not 实名.
    r["t5"] = _rate_ticket(org, setup, "戊", 2, Channel.WINDOW, holder={"holder_name": "戊"})
    r["c1"] = _rate_case(
        org,
        CASES_CLOSED,
        5,
        Channel.ONLINE,
        applied="online",  # applied online: the online indicators
        scores={"efficiency": 5, "guide_accuracy": 4, "convenience": 5},
    )
    r["c2"] = _rate_case(org, CASES_CLOSED, 2, Channel.MOBILE)
    r["c3"] = _rate_case(org, CASES_CLOSED, 1, Channel.ONLINE)
    r["c4"] = _rate_case(org, CASES_CLOSED, 1, Channel.ONLINE)
    r["c5"] = _rate_case(org, DECEMBER_CASES, 4, Channel.MOBILE)
    r["c6"] = _rate_case(org, DECEMBER_CASES, 2, Channel.ONLINE)

    later = _aware(DECEMBER_CASES) + dt.timedelta(days=1)
    reviewer = org.user("reviewer")
    # t4: called back (reached) and answered → counted called back and rectified.
    t4 = Rectification.objects.get(evaluation=r["t4"])
    services.rectification_call_back(
        rectification=t4, actor=rectifier, reached=True, facts_confirmed=True, now=later
    )
    services.rectification_answer(
        rectification=t4, actor=rectifier, measure="培训", answer="已整改", now=later
    )
    # c2: called back, still rectifying → called back, not rectified.
    c2 = Rectification.objects.get(evaluation=r["c2"])
    services.rectification_call_back(
        rectification=c2, actor=reviewer, reached=True, facts_confirmed=False, now=later
    )
    # c3: one attempt that did not reach the rater → neither.
    c3 = Rectification.objects.get(evaluation=r["c3"])
    services.rectification_call_back(
        rectification=c3, actor=reviewer, reached=False, note="无人接听", now=later
    )
    # c4: removed by an upheld appeal.
    appeal = services.appeal_file(
        evaluation=r["c4"],
        actor=org.user("chief_rep"),
        ground=Appeal.Ground.MISTAKEN,
        reason="评价对象错误",
        now=r["c4"].rated_at + dt.timedelta(hours=2),
    )
    services.appeal_decide(
        appeal=appeal,
        actor=org.user("admin"),
        uphold=True,
        note="属实",
        now=r["c4"].rated_at + dt.timedelta(days=1),
    )
    # c6 (December): the whole road, closed with the rater's rating.
    c6 = Rectification.objects.get(evaluation=r["c6"])
    services.rectification_call_back(
        rectification=c6, actor=reviewer, reached=True, facts_confirmed=True, now=later
    )
    services.rectification_answer(
        rectification=c6, actor=reviewer, measure="改进", answer="已改进", now=later
    )
    services.rectification_rate(rectification=c6, level=4, now=later)
    return DataSet(ratings=r, centre_rectifier=rectifier)


@pytest.fixture
def data(org: Any) -> DataSet:
    return build(org)


def _expected(
    key: Any,
    label: str,
    levels: list[int],
    *,
    real_name_bad: int,
    called_back: int,
    rectified: int,
    indicators: dict[str, float | None] | None = None,
) -> dict[str, Any]:
    count = len(levels)
    satisfied = sum(1 for level in levels if level >= 3)
    bad = count - satisfied

    def rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    all_indicators = {
        "efficiency": None,
        "guide_accuracy": None,
        "convenience": None,
        "competence": None,
        "attitude": None,
    }
    return {
        "key": key,
        "label": label,
        "count": count,
        "level_avg": round(sum(levels) / count, 2),
        "satisfied": satisfied,
        "satisfaction_rate": rate(satisfied, count),
        "bad": bad,
        "bad_rate": rate(bad, count),
        "real_name_bad": real_name_bad,
        "called_back": called_back,
        "call_back_rate": rate(called_back, real_name_bad),
        "rectified": rectified,
        "rectification_rate": rate(rectified, bad),
        "indicators": {**all_indicators, **(indicators or {})},
    }


CENTRE_INDICATORS = {"efficiency": 4.5, "competence": 5.0, "attitude": 4.0}
CASE_INDICATORS = {"efficiency": 5.0, "guide_accuracy": 4.0, "convenience": 5.0}


# ——— the figures, field by field ———


def test_november_by_department_window_staff_and_total(org: Any, data: DataSet) -> None:
    figures = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1]).as_dict()
    centre = _expected(
        org.centre.pk, "政务服务中心", [5, 4, 3, 1, 2], real_name_bad=1, called_back=1, rectified=1,
        indicators=CENTRE_INDICATORS,
    )  # fmt: skip
    scjg = _expected(
        org.scjg.pk, "市场监管局", [5, 2, 1], real_name_bad=2, called_back=1, rectified=0,
        indicators=CASE_INDICATORS,
    )  # fmt: skip
    assert figures["by_department"] == [
        centre,
        scjg,
    ]  # in the tree's order: 旗政数局 → 中心 before 市场监管局

    total = _expected(
        None, "合计", [5, 4, 3, 1, 2, 5, 2, 1], real_name_bad=3, called_back=2, rectified=1,
        indicators={"efficiency": round(14 / 3, 2), "guide_accuracy": 4.0, "convenience": 5.0, "competence": 5.0, "attitude": 4.0},
    )  # fmt: skip
    assert figures["total"] == total
    assert (total["satisfaction_rate"], total["bad_rate"], total["call_back_rate"]) == (0.5, 0.5, 0.6667)
    assert total["rectification_rate"] == 0.25

    assert figures["by_window"] == [{**centre, "key": f"{HALL}/01", "label": f"01号窗口（{HALL}）"}]
    clerk, reviewer = org.user("clerk"), org.user("reviewer")
    assert figures["by_staff"] == [
        {**centre, "key": clerk.pk, "label": clerk.full_name or clerk.username},
        {**scjg, "key": reviewer.pk, "label": reviewer.full_name or reviewer.username},
    ]


def test_november_by_item_channel_and_month(org: Any, data: DataSet) -> None:
    figures = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1]).as_dict()
    r = data.ratings
    items = {row["key"]: row for row in figures["by_item"]}
    assert set(items) == {r["c1"].item_id, r["c2"].item_id, r["c3"].item_id}  # c4 removed, tickets have none
    assert items[r["c1"].item_id] == _expected(
        r["c1"].item_id,
        r["c1"].item.name,
        [5],
        real_name_bad=0,
        called_back=0,
        rectified=0,
        indicators=CASE_INDICATORS,
    )
    assert items[r["c3"].item_id] == _expected(
        r["c3"].item_id, r["c3"].item.name, [1], real_name_bad=1, called_back=0, rectified=0
    )

    assert [row["key"] for row in figures["by_channel"]] == ["window", "online", "mobile", "kiosk"]
    channels = {row["key"]: row for row in figures["by_channel"]}
    assert channels["window"] == _expected(
        "window", "窗口评价器", [5, 4, 1, 2], real_name_bad=1, called_back=1, rectified=1,
        indicators={"efficiency": 4.5, "competence": 5.0, "attitude": 4.0},
    )  # fmt: skip
    assert channels["online"] == _expected(
        "online",
        "网上（短信链接）",
        [5, 1],
        real_name_bad=1,
        called_back=0,
        rectified=0,
        indicators=CASE_INDICATORS,
    )
    assert channels["mobile"]["count"] == 1 and channels["mobile"]["called_back"] == 1
    assert channels["kiosk"]["count"] == 1 and channels["kiosk"]["satisfaction_rate"] == 1.0

    assert [row["key"] for row in figures["by_month"]] == ["2026-11"]
    assert figures["by_month"][0] == {**figures["total"], "key": "2026-11", "label": "2026年11月"}


def test_two_months_and_days_outside_the_period(org: Any, data: DataSet) -> None:
    both = ratings_figures(start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31))
    assert [(row.label, row.count) for row in both.by_month] == [("2026年11月", 8), ("2026年12月", 2)]
    december = both.by_month[1]
    assert (december.bad, december.real_name_bad, december.called_back, december.rectified) == (1, 1, 1, 1)
    assert december.level_avg == 3.0 and december.satisfaction_rate == 0.5
    # The day of the cases (20 November) alone; the tickets were rated on Monday the 23rd.
    friday = ratings_figures(start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 20))
    assert friday.total.count == 3 and friday.by_window == []
    monday = ratings_figures(start=MONDAY, end=MONDAY)
    assert monday.total.count == 5 and [row.label for row in monday.by_department] == ["政务服务中心"]
    assert ratings_figures(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)).total.count == 0


def test_an_upheld_appeal_removes_the_rating_from_the_figures(org: Any, data: DataSet) -> None:
    before = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1])
    c3 = data.ratings["c3"]
    appeal = services.appeal_file(
        evaluation=c3, actor=org.user("chief_rep"), ground=Appeal.Ground.MALICIOUS, reason="恶意差评",
        now=c3.rated_at + dt.timedelta(days=1),
    )  # fmt: skip
    rejected_then = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1])
    assert rejected_then.total.count == before.total.count  # a pending appeal changes nothing
    services.appeal_decide(
        appeal=appeal,
        actor=org.user("admin"),
        uphold=True,
        note="属实",
        now=c3.rated_at + dt.timedelta(days=2),
    )
    after = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1])
    assert (after.total.count, after.total.bad, after.total.real_name_bad) == (7, 3, 2)
    assert after.total.call_back_rate == 1.0  # t4 and c2 were called back
    scjg = next(row for row in after.by_department if row.key == org.scjg.pk)
    assert (scjg.count, scjg.bad, scjg.level_avg) == (2, 1, 3.5)
    assert c3.item_id not in {row.key for row in after.by_item}
    # The removed rating stays in the audit log.
    assert AuditEvent.objects.filter(action="ratings.evaluation_removed", object_id=str(c3.pk)).exists()


def test_a_chief_representative_sees_his_departments_figures(org: Any, data: DataSet) -> None:
    chief = org.user("chief_rep")
    departments, scope = figures_scope(chief)
    assert scope == "市场监管局"
    figures = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1], departments=departments, scope=scope)
    assert [row.label for row in figures.by_department] == ["市场监管局"]
    assert figures.total.count == 3 and figures.by_window == []
    assert [row.key for row in figures.by_staff] == [org.user("reviewer").pk]
    assert figures_scope(org.user("inspector")) == (None, "")

    body = Client()
    body.force_login(chief)
    api = body.get("/api/v1/ratings/figures", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert api["scope"] == "市场监管局" and api["total"]["count"] == 3
    assert [row["label"] for row in api["ranking"]["departments"]] == ["市场监管局"]
    page = body.get(reverse("ratings:figures"), {"start": "2026-11-01", "end": "2026-11-30"}).content.decode()
    assert "仅统计市场监管局的评价" in page and "01号窗口" not in page


def test_a_fixed_number_of_queries(org: Any, data: DataSet, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(7):
        small = ratings_figures(start=NOVEMBER[0], end=dt.date(2026, 12, 31))
    for index in range(6):
        _rate_case(org, CASES_CLOSED + dt.timedelta(minutes=index), 5 - index % 5, Channel.ONLINE)
    with django_assert_max_num_queries(7):
        large = ratings_figures(start=NOVEMBER[0], end=dt.date(2026, 12, 31))
    assert large.total.count == small.total.count + 6 and len(large.by_item) == len(small.by_item) + 6
    with django_assert_max_num_queries(3):
        monthly_ranking(month=dt.date(2026, 11, 1))


# ——— the ranking ———


def _row(label: str, count: int, satisfied: int, bad: int) -> Row:
    return Row(key=label, label=label, count=count, satisfied=satisfied, bad=bad)


def test_rank_by_satisfaction_then_bad_rate_then_count() -> None:
    rows = [
        _row("甲", 10, 9, 1),  # 90%, 10%
        _row("乙", 20, 18, 1),  # 90%, 5% → before 甲
        _row("丙", 5, 5, 0),  # 100%
        _row("丁", 10, 10, 0),  # 100%, more ratings → before 丙
        _row("戊", 4, 4, 0),  # below the minimum: unranked
        _row("己", 40, 36, 2),  # 90%, 5%, more than 乙 → before 乙
        _row("庚", 20, 18, 1),  # the same as 乙: shares its rank
        _row("辛", 1, 0, 1),
    ]
    ranked = rank_rows(rows, minimum=5)
    assert [(r.rank, r.row.label) for r in ranked] == [
        (1, "丁"),
        (2, "丙"),
        (3, "己"),
        (4, "乙"),
        (4, "庚"),
        (6, "甲"),
        (None, "戊"),
        (None, "辛"),
    ]


def test_monthly_ranking_of_the_data_set(org: Any, data: DataSet) -> None:
    ranking = monthly_ranking(month=dt.date(2026, 11, 17))
    assert ranking.month == dt.date(2026, 11, 1) and ranking.minimum == RANKING_MINIMUM == 5
    # 政务服务中心 has 5 ratings: ranked; 市场监管局 3: listed unranked.
    assert [(r.rank, r.row.label, r.row.count) for r in ranking.departments] == [
        (1, "政务服务中心", 5),
        (None, "市场监管局", 3),
    ]
    assert [(r.rank, r.row.label) for r in ranking.windows] == [(1, f"01号窗口（{HALL}）")]
    clerk = org.user("clerk")
    assert [r.rank for r in ranking.staff] == [1, None] and ranking.staff[0].row.key == clerk.pk
    lower = monthly_ranking(month=dt.date(2026, 11, 1), minimum=3)
    # 60% against 33.3%: the centre first.
    assert [(r.rank, r.row.label) for r in lower.departments] == [(1, "政务服务中心"), (2, "市场监管局")]


# ——— the screen and its export ———


def test_screen_shows_the_tables_the_chart_and_the_ranking(org: Any, data: DataSet, client_for: Any) -> None:
    with time_machine.travel(_aware(NOW), tick=False):
        response = client_for("admin").get(
            reverse("ratings:figures"), {"start": "2026-11-01", "end": "2026-11-30", "month": "2026-11"}
        )
    assert response.status_code == 200
    html = response.content.decode()
    for table in ("department", "window", "staff", "item", "channel", "month"):
        assert f'data-testid="figures-{table}"' in html
    assert 'data-testid="satisfaction-chart"' in html and "<svg" in html
    assert 'data-department="政务服务中心"' in html and "60%（5）" in html and "33.3%（3）" in html
    assert 'data-testid="ranking-department"' in html and "2026年11月排名" in html
    assert "2026-11-01 至 2026-11-30" in html
    assert "66.7%" in html  # 实名差评回访率 of the total
    # The admin may publish a closed month: November is offered.
    assert 'data-testid="publish-form"' in html and 'value="2026-11"' in html


def test_screen_presets_and_bad_dates(org: Any, data: DataSet, client_for: Any) -> None:
    url = reverse("ratings:figures")
    with time_machine.travel(_aware(NOW), tick=False):
        client = client_for("inspector")
        default = client.get(url)
        last_month = client.get(url, {"period": "last_month"})
        bad = client.get(url, {"start": "2026-11-24", "end": "2026-11-20"})
        garbage = client.get(url, {"start": "not-a-date"})
    assert default.context["figures"].start == dt.date(2026, 12, 1)  # 本月 by default
    assert default.context["figures"].total.count == 2
    assert last_month.context["figures"].start == dt.date(2026, 11, 1)
    assert last_month.context["figures"].end == dt.date(2026, 11, 30)
    assert last_month.context["figures"].total.count == 8
    assert bad.status_code == 400 and "截止日期不能早于起始日期" in bad.content.decode()
    assert garbage.status_code == 400 and garbage.context["figures"] is None
    # The inspector sees the figures but may not publish.
    assert 'data-testid="publish-form"' not in default.content.decode()


def test_presets() -> None:
    wednesday = dt.date(2026, 11, 25)
    assert period_preset("month", wednesday) == (dt.date(2026, 11, 1), wednesday)
    assert period_preset("last_month", wednesday) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert period_preset("last_month", dt.date(2026, 1, 5)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert period_preset("week", wednesday) == (MONDAY, wednesday)
    assert period_preset("today", wednesday) == (wednesday, wednesday)
    assert period_preset("year", wednesday) == (dt.date(2026, 1, 1), wednesday)


def test_excel_export(org: Any, data: DataSet, client_for: Any) -> None:
    from openpyxl import load_workbook

    response = client_for("inspector").get(
        reverse("ratings:figures_xlsx"), {"start": "2026-11-01", "end": "2026-11-30", "month": "2026-11"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "按部门",
        "按窗口",
        "按工作人员",
        "按事项",
        "按渠道",
        "按月份",
        "月度排名",
        "说明",
    ]
    rows = [[cell.value for cell in row] for row in workbook["按部门"].iter_rows(min_row=3)]
    assert rows[0][:12] == ["政务服务中心", 5, 3, 3, 0.6, 2, 0.4, 1, 1, 1, 1, 0.5]
    assert rows[-1][:12] == ["合计", 8, 2.88, 4, 0.5, 4, 0.5, 3, 2, 0.6667, 1, 0.25]
    ranking = [[cell.value for cell in row][:4] for row in workbook["月度排名"].iter_rows(min_row=3)]
    assert ranking[:2] == [["部门", 1, "政务服务中心", 5], ["部门", None, "市场监管局", 3]]


@pytest.mark.parametrize("user", ["applicant", "clerk", "reviewer", "issuer"])
def test_screen_and_export_refused_without_the_capability(data: DataSet, client_for: Any, user: str) -> None:
    client = client_for(user)
    for name in ("ratings:figures", "ratings:figures_xlsx"):
        response = client.get(reverse(name))
        assert response.status_code == 403, (user, name)
        assert "您没有查看好差评统计的权限" in response.content.decode()
    api = client.get("/api/v1/ratings/figures")
    assert api.status_code == 403 and api.json()["error"]["code"] == "permission_denied"


def test_anonymous_is_refused_the_staff_figures(client: Any) -> None:
    assert client.get(reverse("ratings:figures")).status_code == 302
    assert client.get(reverse("ratings:figures_xlsx")).status_code == 302
    assert client.get("/api/v1/ratings/figures").status_code == 401
    assert client.post(reverse("ratings:publish"), {"month": "2026-10"}).status_code == 302
    assert not Publication.objects.exists()


# ——— publication and the public page ———


def test_publish_a_closed_month(org: Any, data: DataSet) -> None:
    admin = org.user("admin")
    with time_machine.travel(_aware(NOW), tick=False):
        with pytest.raises(ApplicationError) as not_closed:
            publication_publish(month=dt.date(2026, 12, 1), actor=admin)
        assert not_closed.value.code == "month_not_closed"
        with pytest.raises(PermissionDeniedError):
            publication_publish(month=dt.date(2026, 11, 1), actor=org.user("inspector"))
        publication = publication_publish(month=dt.date(2026, 11, 15), actor=admin)
        with pytest.raises(ConflictError) as twice:
            publication_publish(month=dt.date(2026, 11, 1), actor=admin)
    assert twice.value.code == "already_published"
    assert publication.month == dt.date(2026, 11, 1) and publication.published_by == admin
    event = AuditEvent.objects.get(action="ratings.month_published")
    assert event.object_id == str(publication.pk) and event.data == {"month": "2026-11"}


def test_publish_screen(org: Any, data: DataSet, client_for: Any) -> None:
    url = reverse("ratings:publish")
    with time_machine.travel(_aware(NOW), tick=False):
        refused = client_for("inspector").post(url, {"month": "2026-11"})
        admin = client_for("admin")
        done = admin.post(url, {"month": "2026-11"}, follow=True)
        again = admin.post(url, {"month": "2026-11"}, follow=True)
        current = admin.post(url, {"month": "2026-12"}, follow=True)
    assert refused.status_code == 403
    assert done.status_code == 200 and "2026年11月的评价结果已公开" in done.content.decode()
    assert "已经公开" in again.content.decode()
    assert "只能公开已结束月份的评价结果" in current.content.decode()
    assert list(Publication.objects.values_list("month", flat=True)) == [dt.date(2026, 11, 1)]


def _publish_november(org: Any) -> None:
    with time_machine.travel(_aware(NOW), tick=False):
        publication_publish(month=dt.date(2026, 11, 1), actor=org.user("admin"))


def test_public_page_shows_only_published_months_and_no_personal_data(
    org: Any, data: DataSet, client: Any
) -> None:
    nothing = client.get(reverse("ratings:public"))
    assert nothing.status_code == 200 and 'data-testid="nothing-published"' in nothing.content.decode()
    assert client.get("/api/v1/ratings/public").json() == []

    _publish_november(org)
    html = client.get(reverse("ratings:public")).content.decode()  # anonymous
    assert 'data-month="2026-11"' in html and 'data-month="2026-12"' not in html
    assert "政务服务中心" in html and "市场监管局" in html
    assert "全中心评价 8 条" in html and "满意率 50%" in html
    # Never a rater, a staff member, a window, a phone or an ID number.
    r = data.ratings
    staff = [org.user("clerk"), org.user("reviewer"), data.centre_rectifier]
    for text in [
        "甲", "乙乙", "丁丁丁丁", "王建国", r["t1"].rater_phone, r["c1"].rater_phone, r["c1"].rater_id_number,
        *(user.username for user in staff), *(user.full_name for user in staff if user.full_name),
        "01号窗口", "态度差", "实名差评回访率",
    ]:  # fmt: skip
        assert text and text not in html, text

    body = client.get("/api/v1/ratings/public").json()
    assert [month["month"] for month in body] == ["2026-11"]
    november = body[0]
    assert november["total"] == {
        "label": "合计", "count": 8, "satisfaction_rate": 0.5, "bad_rate": 0.5, "rectification_rate": 0.25
    }  # fmt: skip
    assert november["departments"] == [
        {"rank": 1, "label": "政务服务中心", "count": 5, "satisfaction_rate": 0.6, "bad_rate": 0.4, "rectification_rate": 0.5},
        {"rank": None, "label": "市场监管局", "count": 3, "satisfaction_rate": 0.3333, "bad_rate": 0.6667, "rectification_rate": 0.0},
    ]  # fmt: skip


def test_published_figures_in_a_fixed_number_of_queries(
    org: Any, data: DataSet, django_assert_max_num_queries: Any
) -> None:
    _publish_november(org)
    with time_machine.travel(_aware(dt.datetime(2027, 1, 5, 10)), tick=False):
        publication_publish(month=dt.date(2026, 12, 1), actor=org.user("admin"))
        publication_publish(month=dt.date(2026, 10, 1), actor=org.user("admin"))
    with django_assert_max_num_queries(3):
        months = published_figures()
    assert [(m.month, m.total.count) for m in months] == [
        (dt.date(2026, 12, 1), 2),
        (dt.date(2026, 11, 1), 8),
        (dt.date(2026, 10, 1), 0),
    ]
    assert months[2].departments == []


# ——— the API ———


def test_api_returns_the_same_numbers_as_the_screen(org: Any, data: DataSet, client_for: Any) -> None:
    period = {"start": "2026-11-01", "end": "2026-11-30"}
    response = client_for("admin").get("/api/v1/ratings/figures", {**period, "month": "2026-11"})
    assert response.status_code == 200, response.content
    body = response.json()
    ranking = body.pop("ranking")
    assert body == ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1]).as_dict()
    assert ranking == monthly_ranking(month=NOVEMBER[0]).as_dict()
    assert ranking["departments"][0]["rank"] == 1 and ranking["departments"][1]["rank"] is None

    admin = client_for("admin")
    bad = admin.get("/api/v1/ratings/figures", {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "period_invalid"
    assert admin.get("/api/v1/ratings/figures", {"month": "2026-13"}).status_code == 422


def test_only_the_breakdowns_asked_for(org: Any, data: DataSet) -> None:
    whole = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1]).as_dict()
    staff = ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1], parts={"staff"}).as_dict()
    assert staff["total"] == whole["total"] and staff["by_staff"] == whole["by_staff"] != []
    for part in ("by_department", "by_window", "by_item", "by_channel", "by_month"):
        assert whole[part] != [] and staff[part] == [], part
    assert ratings_figures(start=NOVEMBER[0], end=NOVEMBER[1], parts=()).as_dict()["total"] == whole["total"]
