"""Exchange: the ratings of a period in the provincial payload shape — field names and order as documented,
codes, ISO times with +08:00, the rater only masked, removed ratings marked — for the centre-wide roles."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from yichuang.ratings.export import FIELDS, ratings_export
from yichuang.ratings.tests.test_figures import DataSet, build

pytestmark = pytest.mark.django_db

URL = "/api/v1/ratings/export"
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}
DOCS = Path(__file__).resolve().parents[3] / "docs" / "ratings.md"


@pytest.fixture
def data(org: Any) -> DataSet:
    return build(org)


def _by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["ratingId"]: item for item in body["items"]}


def test_the_payload_of_a_window_rating(org: Any, data: DataSet, client_for: Any) -> None:
    response = client_for("inspector").get(URL, NOVEMBER)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["start"], body["end"], body["total"], body["offset"], body["count"]) == (
        "2026-11-01", "2026-11-30", 9, 0, 9,
    )  # fmt: skip
    t1 = data.ratings["t1"]
    item = _by_id(body)[str(t1.pk)]
    assert list(item) == [name for name, _meaning in FIELDS]
    assert item == {
        "ratingId": str(t1.pk),
        "subjectType": "2",
        "deptCode": org.centre.credit_code,
        "deptName": "政务服务中心",
        "areaCode": "150824",
        "hallCode": "150824-ZWFWZX",
        "windowNo": "01",
        "staffNo": "clerk",
        "caseNo": "",
        "itemCode": "",
        "itemName": "",
        "applicantType": "1",
        "caseKind": "",
        "channel": "4",
        "serviceTime": "2026-11-23T09:20:00+08:00",
        "ratingTime": "2026-11-23T09:21:00+08:00",
        "level": 5,
        "scores": {"efficiency": 5, "competence": 5, "attitude": 5},
        "comment": "",
        "isBad": False,
        "realName": True,
        "rater": {"name": "甲", "idNumber": "", "creditCode": "", "phone": "139****0001"},
        "rectification": None,
        "valid": True,
        "removedAt": None,
    }


def test_a_case_its_rectification_and_a_removed_rating(org: Any, data: DataSet, client_for: Any) -> None:
    items = _by_id(client_for("admin").get(URL, NOVEMBER).json())
    c2 = data.ratings["c2"]
    case = items[str(c2.pk)]
    assert (case["subjectType"], case["caseNo"], case["deptCode"], case["staffNo"]) == (
        "1", c2.case_number, org.scjg.credit_code, "reviewer",
    )  # fmt: skip
    assert case["itemCode"] == c2.item.implementation_code and len(case["itemCode"]) == 31
    assert (
        case["caseKind"] in ("1", "2")
        and case["caseKind"] == {"immediate": "1", "promised": "2"}[c2.case_kind]
    )
    assert (case["applicantType"], case["channel"], case["level"], case["isBad"]) == ("1", "2", 2, True)
    assert (
        case["serviceTime"] == "2026-11-20T10:00:00+08:00"
        and case["ratingTime"] == "2026-11-20T11:00:00+08:00"
    )
    rectification = case["rectification"]
    assert rectification["status"] == "rectifying" and rectification["reached"] is True
    assert rectification["factsConfirmed"] is False
    assert (
        rectification["calledBackAt"] == "2026-12-03T10:00:00+08:00" and rectification["answeredAt"] is None
    )
    assert rectification["dueDate"] == c2.rectification.due_date.isoformat()
    assert rectification["openedAt"] == "2026-11-20T11:00:00+08:00"
    # The rater masked: 王建国 → 王**, the ID number and phone cut.
    assert case["rater"]["name"] == "王**" and case["rater"]["phone"] == "138****8000"
    assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", case["rater"]["idNumber"])

    removed = items[str(data.ratings["c4"].pk)]
    assert removed["valid"] is False and removed["removedAt"].endswith("+08:00")
    assert removed["rectification"]["status"] == "withdrawn"
    # December's ratings are not in November's export.
    assert str(data.ratings["c5"].pk) not in items


def test_the_rater_never_leaves_unmasked(org: Any, data: DataSet, client_for: Any) -> None:
    text = client_for("admin").get(URL, {"start": "2026-11-01", "end": "2026-12-31"}).content.decode()
    for evaluation in data.ratings.values():
        for value in (evaluation.rater_id_number, evaluation.rater_phone):
            if value:
                assert value not in text
        if len(evaluation.rater_name) > 1:
            assert f'"{evaluation.rater_name}"' not in text


def test_pages(data: DataSet) -> None:
    start, end = dt.date(2026, 11, 1), dt.date(2026, 12, 31)
    everything = ratings_export(start=start, end=end)
    assert everything["total"] == everything["count"] == 11
    first = ratings_export(start=start, end=end, limit=4)
    rest = ratings_export(start=start, end=end, offset=4, limit=100)
    assert (first["count"], rest["count"], rest["total"]) == (4, 7, 11)
    assert [i["ratingId"] for i in first["items"] + rest["items"]] == [
        i["ratingId"] for i in everything["items"]
    ]
    times = [i["ratingTime"] for i in everything["items"]]
    assert times == sorted(times)


def test_export_in_a_fixed_number_of_queries(data: DataSet, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(2):
        ratings_export(start=dt.date(2026, 11, 1), end=dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("user", "status"), [("chief_rep", 403), ("clerk", 403), ("reviewer", 403), ("applicant", 403)]
)
def test_only_the_centre_wide_roles_export(data: DataSet, client_for: Any, user: str, status: int) -> None:
    response = client_for(user).get(URL, NOVEMBER)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "permission_denied"


def test_export_errors(client: Any, client_for: Any) -> None:
    assert client.get(URL, NOVEMBER).status_code == 401
    admin = client_for("admin")
    assert admin.get(URL).status_code == 422  # start and end are required
    bad = admin.get(URL, {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "period_invalid"
    assert admin.get(URL, {**NOVEMBER, "limit": 0}).status_code == 422


def test_every_field_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    exchange = text.split("## Exchange", 1)[1]
    for name, _meaning in FIELDS:
        assert f"`{name}`" in exchange, name
