"""Open311 GeoReport v2 at /open311/v2/: every answer validated against the GeoReport JSON Schemas in the
shared data (``open311/``); filing with an api_key, its errors in GeoReport's list, idempotent retries;
tracking a request from open to closed through the hotline's services; never the caller's personal data."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from yichuang.accounts.roles import Role
from yichuang.accounts.services import api_token_issue
from yichuang.accounts.tests.factories import UserFactory
from yichuang.core.models import AuditEvent
from yichuang.core.shared_data import shared_data_file
from yichuang.hotline import open311, tickets
from yichuang.hotline.models import HotlineCategory, HotlineStatus, HotlineTicket, Open311Request

pytestmark = [pytest.mark.django_db, pytest.mark.urls("yichuang.hotline.urls_open311")]

BASE = "/open311/v2"
W3C_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}},
    },
}


# ——— the GeoReport schemas ———


def _schemas() -> dict[str, Any]:
    swagger = shared_data_file("open311", "swagger.json")
    if swagger is None:
        pytest.skip("GeoReport v2 schemas (shared data open311/) are not on this machine")
    folder = swagger.parent
    schemas = {path.name: json.loads(path.read_text("utf-8")) for path in folder.glob("*.json")}
    definitions = schemas["swagger.json"]["definitions"]
    # The POST's and the token's answers are lists of the swagger's definitions.
    schemas["post-response.json"] = {"type": "array", "minItems": 1, "items": definitions["RequestResponse"]}
    schemas["token-response.json"] = {"type": "array", "minItems": 1, "items": definitions["TokenResponse"]}
    schemas["errors.json"] = ERRORS_SCHEMA
    return schemas


def _valid(name: str, data: Any) -> Any:
    schemas = _schemas()
    registry: Registry[Any] = Registry().with_resources(
        (key, Resource.from_contents(value, default_specification=DRAFT7)) for key, value in schemas.items()
    )
    errors = list(Draft7Validator(schemas[name], registry=registry).iter_errors(data))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    return data


def _requests_valid(data: Any) -> list[dict[str, Any]]:
    """A list of requests, valid against requests.json, with every datetime in W3C form at +08:00."""
    _valid("requests.json", data)
    for item in data:
        assert W3C_LOCAL.match(item["requested_datetime"]), item["requested_datetime"]
        for name in ("updated_datetime", "expected_datetime"):
            assert item[name] is None or W3C_LOCAL.match(item[name]), item[name]
    return data  # type: ignore[no-any-return]


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.content.decode()
    body = _valid("errors.json", response.json())
    assert {item["code"] for item in body} == {status}
    return " ".join(item["description"] for item in body)


# ——— fixtures ———


@pytest.fixture
def service(db: Any) -> HotlineCategory:
    top = HotlineCategory.objects.create(level=1, name="城乡建设", path="城乡建设")
    housing = HotlineCategory.objects.create(level=2, name="住房保障", path="城乡建设/住房保障", parent=top)
    for position, name in enumerate(["物业管理", "房屋质量"]):
        HotlineCategory.objects.create(
            level=3, name=name, path=f"城乡建设/住房保障/{name}", parent=housing, position=position
        )
    HotlineCategory.objects.create(
        level=3, name="已停用", path="城乡建设/住房保障/已停用", parent=housing, is_active=False
    )
    HotlineCategory.objects.create(level=2, name="市政设施", path="城乡建设/市政设施", parent=top)
    HotlineCategory.objects.create(
        level=2, name="旧分类", path="城乡建设/旧分类", parent=top, is_active=False
    )
    closed_top = HotlineCategory.objects.create(level=1, name="停用一级", path="停用一级", is_active=False)
    HotlineCategory.objects.create(level=2, name="停用之下", path="停用一级/停用之下", parent=closed_top)
    return housing


def _category(path: str) -> HotlineCategory:
    return HotlineCategory.objects.get(path=path)


def _app_key(org: Any, name: str = "随手拍App") -> tuple[Any, str]:
    account = UserFactory(role=Role.APPLICANT, department=None, full_name=name)
    _token, raw = api_token_issue(actor=org.user("admin"), user=account, name=name)
    return account, raw


@pytest.fixture
def app(org: Any) -> tuple[Any, str]:
    return _app_key(org)


def _post(
    service: HotlineCategory, key: str | None, *, headers: dict[str, str] | None = None, **fields: Any
) -> Any:
    data = {
        "api_key": key,
        "service_code": str(service.pk),
        "attribute[nature]": "complaint",
        "description": "幸福里小区3号楼电梯停运两周，物业不修。我是王芳，电话13800000001。",
        "lat": "41.567890",
        "long": "108.512345",
        "address_string": "海流图镇幸福里小区3号楼",
        "first_name": "芳",
        "last_name": "王",
        "phone": "13800000001",
        "email": "wangfang@example.com",
        "media_url": "https://img.example.com/elevator.jpg",
        **fields,
    }
    data = {name: value for name, value in data.items() if value is not None}
    return Client().post(f"{BASE}/requests.json", data, headers=headers or {})


def _filed(service: HotlineCategory, key: str, **fields: Any) -> dict[str, Any]:
    response = _post(service, key, **fields)
    assert response.status_code == 200, response.content.decode()
    return _valid("post-response.json", response.json())[0]  # type: ignore[no-any-return]


def _get(path: str, **params: Any) -> Any:
    return Client().get(f"{BASE}/{path}", params)


def _one(number: str, **params: Any) -> dict[str, Any]:
    response = _get(f"requests/{number}.json", **params)
    assert response.status_code == 200, response.content.decode()
    return _requests_valid(response.json())[0]


# ——— services ———


def test_services_are_the_active_level_two_categories(service: HotlineCategory) -> None:
    response = _get("services.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    services = _valid("services.json", response.json())
    assert [s["service_name"] for s in services] == ["住房保障", "市政设施"]
    housing = services[0]
    assert housing == {
        "service_code": str(service.pk),
        "service_name": "住房保障",
        "description": "城乡建设 › 住房保障",
        "metadata": True,
        "type": "realtime",
        "keywords": "物业管理,房屋质量",
        "group": "城乡建设",
    }
    assert services[1]["keywords"] is None
    # JSON only: the XML address says so in GeoReport's error list.
    assert ".json" in _error(_get("services.xml"), 400)


def test_a_service_definition_asks_for_the_nature_and_never_the_urgency(service: HotlineCategory) -> None:
    response = _get(f"services/{service.pk}.json")
    assert response.status_code == 200
    definition = _valid("service-definition.json", response.json())
    assert definition["service_code"] == str(service.pk)
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["nature", "subcategory", "confidential"]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3]
    nature = attributes["nature"]
    assert nature["required"] is True and nature["datatype"] == "singlevaluelist"
    assert {v["key"]: v["name"] for v in nature["values"]} == {
        "consult": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggest": "建议", "praise": "表扬",
    }  # fmt: skip
    assert [v["name"] for v in attributes["subcategory"]["values"]] == ["物业管理", "房屋质量"]
    assert attributes["subcategory"]["required"] is False
    assert "urgency" not in json.dumps(definition)
    # A service without level-3 categories has no subcategory question.
    plain = _get(f"services/{_category('城乡建设/市政设施').pk}.json").json()
    assert [a["code"] for a in plain["attributes"]] == ["nature", "confidential"]
    # Unknown, inactive, under an inactive level 1, a level-1 or level-3 id, not a number: not found.
    for code in [
        "999999", _category("城乡建设/旧分类").pk, _category("停用一级/停用之下").pk, _category("城乡建设").pk,
        _category("城乡建设/住房保障/物业管理").pk, "abc",
    ]:  # fmt: skip
        assert "service_code" in _error(_get(f"services/{code}.json"), 404)


def test_service_discovery_names_the_endpoint(db: Any) -> None:
    response = Client().get("/open311/discovery.json")
    assert response.status_code == 200
    endpoint = response.json()["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2/") and endpoint["formats"] == ["application/json"]
    assert endpoint["specification"] == open311.SPECIFICATION


# ——— POST a request ———


def test_a_request_is_filed_as_a_ticket_received_through_open311(
    org: Any, service: HotlineCategory, app: tuple[Any, str]
) -> None:
    account, key = app
    answer = _filed(
        service, key, **{"attribute[subcategory]": str(_category("城乡建设/住房保障/物业管理").pk)}
    )
    ticket = HotlineTicket.objects.get(number=answer["service_request_id"])
    assert set(answer) == {"service_request_id", "token", "service_notice"}
    assert ticket.number in answer["service_notice"] and "15个工作日" in answer["service_notice"]
    assert (ticket.channel, ticket.status, ticket.received_by, ticket.nature, ticket.urgency) == (
        "open311", HotlineStatus.RECEIVED, None, "complaint", "C"
    )  # fmt: skip
    assert ticket.category == _category("城乡建设/住房保障/物业管理")
    assert (ticket.caller_name, ticket.caller_phone, ticket.anonymous) == ("王芳", "13800000001", False)
    assert (str(ticket.latitude), str(ticket.longitude)) == ("41.567890", "108.512345")
    assert ticket.address == "海流图镇幸福里小区3号楼" and ticket.content.startswith("幸福里小区3号楼电梯")
    row = Open311Request.objects.get(ticket=ticket)
    assert (row.client, row.token, row.media_url) == (
        account,
        answer["token"],
        "https://img.example.com/elevator.jpg",
    )
    assert "wangfang@example.com" not in json.dumps(
        list(HotlineTicket.objects.values()) + list(Open311Request.objects.values()), default=str
    )  # the e-mail is not kept
    event = AuditEvent.objects.get(action="hotline.open311_request")
    assert event.actor_id == account.pk and event.object_id == str(ticket.pk)
    assert AuditEvent.objects.filter(action="hotline.ticket_intake", object_id=str(ticket.pk)).exists()
    # Without a phone the request is anonymous and keeps no name; Latin names keep their order.
    anonymous = HotlineTicket.objects.get(
        number=_filed(service, key, phone="", lat="", long="")["service_request_id"]
    )
    assert (anonymous.anonymous, anonymous.caller_name, anonymous.latitude) == (True, "", None)
    latin = _filed(service, key, first_name="Anna", last_name="Li", phone="+86 138 0000 0002")
    assert HotlineTicket.objects.get(number=latin["service_request_id"]).caller_name == "Anna Li"
    assert HotlineTicket.objects.get(number=latin["service_request_id"]).caller_phone == "13800000002"


def test_filing_needs_an_api_key_allowed_to_file(
    org: Any, service: HotlineCategory, app: tuple[Any, str]
) -> None:
    assert "api_key" in _error(_post(service, None), 403)
    assert "api_key" in _error(_post(service, "yc_not-a-token"), 403)
    _token, handler_key = api_token_issue(
        actor=org.user("admin"), user=org.user("handler"), name="承办单位脚本"
    )
    assert "Open311" in _error(_post(service, handler_key), 403)
    assert not HotlineTicket.objects.exists()
    # The key may come in the query string too; an API call has no CSRF token to send.
    _account, key = app
    response = Client(enforce_csrf_checks=True).post(
        f"{BASE}/requests.json?api_key={key}",
        {"service_code": str(service.pk), "attribute[nature]": "consult", "description": "公租房怎么申请？",
         "address_string": "海流图镇", "phone": "13800000003"},
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()


@pytest.mark.parametrize(
    ("fields", "status", "names"),
    [
        ({"service_code": ""}, 400, ["service_code"]),
        ({"service_code": "999999"}, 404, ["service_code"]),
        ({"attribute[nature]": None}, 400, ["attribute[nature]"]),
        ({"attribute[nature]": "rumour"}, 400, ["attribute[nature]"]),
        ({"attribute[subcategory]": "999999"}, 400, ["attribute[subcategory]"]),
        ({"attribute[confidential]": "maybe"}, 400, ["attribute[confidential]"]),
        ({"lat": "", "long": "", "address_string": ""}, 400, ["address_string"]),
        ({"lat": "", "long": "", "address_string": "", "address_id": "A-1"}, 400, ["address_string"]),
        ({"lat": "north", "long": "108"}, 400, ["lat"]),
        ({"lat": "91", "long": "108"}, 400, ["lat"]),
        ({"long": ""}, 400, ["long"]),
        ({"description": "  "}, 400, ["description"]),
        ({"description": "长" * 4001}, 400, ["description"]),
        ({"media_url": "ftp://img.example.com/a.jpg"}, 400, ["media_url"]),
        ({"phone": "12"}, 400, ["phone"]),
        ({"description": "", "lat": "north"}, 400, ["description", "lat"]),
    ],
)
def test_bad_requests_are_refused_in_georeport_errors_and_file_nothing(
    service: HotlineCategory, app: tuple[Any, str], fields: dict[str, Any], status: int, names: list[str]
) -> None:
    _account, key = app
    text = _error(_post(service, key, **fields), status)
    for name in names:
        assert name in text
    assert not HotlineTicket.objects.exists() and not Open311Request.objects.exists()


def test_an_inactive_service_is_not_found_when_filing(service: HotlineCategory, app: tuple[Any, str]) -> None:
    _account, key = app
    _error(_post(_category("城乡建设/旧分类"), key), 404)
    other = _category("城乡建设/市政设施")
    child_of_another = _category("城乡建设/住房保障/物业管理").pk
    assert "subcategory" in _error(
        _post(other, key, **{"attribute[subcategory]": str(child_of_another)}), 400
    )


def test_a_retry_with_the_same_idempotency_key_files_nothing_new(
    org: Any, service: HotlineCategory, app: tuple[Any, str]
) -> None:
    _account, key = app
    first = _post(service, key, headers={"Idempotency-Key": "req-0001"}).json()[0]
    again = _post(service, key, headers={"Idempotency-Key": "req-0001"})
    assert again.status_code == 200 and again.json()[0] == first
    assert HotlineTicket.objects.count() == 1
    assert HotlineTicket.objects.get().external_id == "req-0001"
    # The same key in the form is the same request.
    assert _post(service, key, idempotency_key="req-0001").json()[0] == first
    # Another request under a used key is refused; another app may use the same key for its own request.
    assert "幂等键" in _error(
        _post(service, key, description="另一件事", headers={"Idempotency-Key": "req-0001"}), 409
    )
    _other, other_key = _app_key(org, "另一个App")
    theirs = _post(service, other_key, headers={"Idempotency-Key": "req-0001"}).json()[0]
    assert theirs["service_request_id"] != first["service_request_id"]
    assert HotlineTicket.objects.count() == 2
    # Without a key every POST is a new request.
    _post(service, key)
    assert HotlineTicket.objects.count() == 3


# ——— tracking ———


def _close_through_the_services(org: Any, ticket: HotlineTicket, reply: str) -> HotlineTicket:
    operator, handler = org.user("operator"), org.user("handler")
    tickets.ticket_dispatch(ticket=ticket, actor=operator, lead=org.zjj)
    tickets.ticket_sign(ticket=ticket, actor=handler)
    tickets.ticket_reply(ticket=ticket, actor=handler, reply=reply, solved=True)
    tickets.ticket_call_back(ticket=ticket, actor=operator, result="satisfied")
    ticket.refresh_from_db()
    return ticket


def test_a_request_is_tracked_from_open_to_closed(
    org: Any, service: HotlineCategory, app: tuple[Any, str]
) -> None:
    _account, key = app
    filed = _filed(
        service, key, **{"attribute[subcategory]": str(_category("城乡建设/住房保障/物业管理").pk)}
    )
    number = filed["service_request_id"]
    ticket = HotlineTicket.objects.get(number=number)
    received = _one(number)
    assert received["status"] == "open" and received["status_notes"] == "已受理待派单"
    assert "投诉类诉求一般在15个工作日内答复" in received["service_notice"]
    assert received["service_code"] == str(service.pk) and received["service_name"] == "住房保障"
    assert received["agency_responsible"] is None and received["expected_datetime"] is None
    assert received["requested_datetime"] == timezone.localtime(ticket.received_at).isoformat(
        timespec="seconds"
    )
    assert (received["lat"], received["long"]) == (41.56789, 108.512345)
    assert received["address"] == "海流图镇幸福里小区3号楼"
    assert received["media_url"] == "https://img.example.com/elevator.jpg"
    tickets.ticket_dispatch(ticket=ticket, actor=org.user("operator"), lead=org.zjj)
    ticket.refresh_from_db()
    dispatched = _one(number)
    assert (dispatched["status"], dispatched["agency_responsible"]) == ("open", "住建局")
    assert dispatched["expected_datetime"] == timezone.localtime(ticket.due_at).isoformat(timespec="seconds")
    assert dispatched["updated_datetime"] >= received["updated_datetime"]
    handler = org.user("handler")
    tickets.ticket_sign(ticket=ticket, actor=handler)
    tickets.ticket_reply(
        ticket=ticket, actor=handler, reply="王芳女士您好：电梯已修复，回访电话13800000001。", solved=True
    )
    replied = _one(number)
    assert replied["status"] == "open"
    tickets.ticket_call_back(ticket=ticket, actor=org.user("operator"), result="satisfied")
    ticket.refresh_from_db()
    closed = _one(number)
    assert closed["status"] == "closed" and closed["service_notice"] is None
    assert closed["status_notes"] == "王*女士您好：电梯已修复，回访电话138****0001。"
    assert closed["updated_datetime"] == timezone.localtime(ticket.closed_at).isoformat(timespec="seconds")
    # The singular address of the swagger description answers the same.
    assert Client().get(f"{BASE}/request/{number}.json").json() == [closed]
    # The token stands for the request.
    response = _get(f"tokens/{filed['token']}.json")
    assert response.status_code == 200
    assert _valid("token-response.json", response.json()) == [
        {"service_request_id": number, "token": filed["token"]}
    ]
    assert "token" in _error(_get("tokens/no-such-token.json"), 404)
    assert "service_request_id" in _error(_get("requests/RX000000000000.json"), 404)


def test_no_response_carries_the_callers_personal_data(
    org: Any, service: HotlineCategory, app: tuple[Any, str]
) -> None:
    _account, key = app
    filed = _filed(service, key)
    phone_ticket = tickets.ticket_intake(
        actor=org.user("operator"), channel="phone", nature="complaint", category=service,
        content="李建国反映：本人住幸福里5号楼501室，身份证150824199001011234，楼上漏水。",
        address="幸福里小区5号楼501室", caller_name="李建国", caller_phone="04788888888",
    )  # fmt: skip
    _close_through_the_services(org, phone_ticket, "李建国先生：已协调楼上住户维修。")
    responses = [
        _get("requests.json").content.decode(),
        _get(f"requests/{filed['service_request_id']}.json").content.decode(),
        _get(f"requests/{phone_ticket.number}.json").content.decode(),
        _get(f"tokens/{filed['token']}.json").content.decode(),
    ]
    for text in responses:
        for personal in [
            "13800000001",
            "王芳",
            "wangfang",
            "李建国",
            "04788888888",
            "150824199001011234",
            "501室",
        ]:
            assert personal not in text
    mine = _one(filed["service_request_id"])
    assert mine["description"] == "幸福里小区3号楼电梯停运两周，物业不修。我是王*，电话138****0001。"
    # A ticket taken by phone shows its service, status, department and dates — not what the caller said.
    theirs = _one(phone_ticket.number)
    assert theirs["status"] == "closed" and theirs["status_notes"] == "已办结"
    assert theirs["agency_responsible"] == "住建局" and theirs["service_code"] == str(service.pk)
    assert [theirs[name] for name in ("description", "address", "lat", "long", "media_url")] == [None] * 5


def test_a_confidential_request_shows_its_content_only_to_the_app_that_filed_it(
    org: Any, service: HotlineCategory, app: tuple[Any, str]
) -> None:
    _account, key = app
    number = _filed(service, key, **{"attribute[confidential]": "yes"})["service_request_id"]
    assert HotlineTicket.objects.get(number=number).confidential is True
    public = _one(number)
    assert [public[name] for name in ("description", "address", "lat", "long", "media_url")] == [None] * 5
    assert _one(number, api_key=key)["description"].startswith("幸福里小区3号楼电梯")
    _other, other_key = _app_key(org, "另一个App")
    assert _one(number, api_key=other_key)["description"] is None
    listed = _requests_valid(_get("requests.json", api_key=key).json())
    assert listed[0]["description"] is not None
    assert "api_key" in _error(_get(f"requests/{number}.json", api_key="yc_wrong"), 403)


def test_a_merged_ticket_is_closed_and_says_where_it_went(
    org: Any, service: HotlineCategory, app: tuple[Any, str]
) -> None:
    _account, key = app
    first = HotlineTicket.objects.get(number=_filed(service, key)["service_request_id"])
    second = HotlineTicket.objects.get(number=_filed(service, key)["service_request_id"])
    tickets.ticket_merge(ticket=second, into=first, actor=org.user("operator"))
    merged = _one(second.number)
    assert merged["status"] == "closed" and first.number in merged["status_notes"]


# ——— listing ———


def _phone_ticket(
    org: Any, category: HotlineCategory | None, *, days_ago: int = 0, **extra: Any
) -> HotlineTicket:
    values: dict[str, Any] = {
        "channel": "phone", "nature": "complaint", "content": "路灯不亮", "caller_phone": "13800000009",
        "category": category, **extra,
    }  # fmt: skip
    return tickets.ticket_intake(
        actor=org.user("operator"), now=timezone.now() - dt.timedelta(days=days_ago), **values
    )


def test_requests_are_listed_by_service_status_and_dates(org: Any, service: HotlineCategory) -> None:
    municipal = _category("城乡建设/市政设施")
    housing = _phone_ticket(org, service, days_ago=1)
    housing_child = _phone_ticket(org, _category("城乡建设/住房保障/房屋质量"), days_ago=2)
    street = _phone_ticket(org, municipal, days_ago=3)
    unclassified = _phone_ticket(org, None, days_ago=4)
    old = _phone_ticket(org, service, days_ago=120)
    tickets.ticket_answer_directly(ticket=street, actor=org.user("operator"), reply="已转告路灯所")

    def numbers(**params: Any) -> list[str]:
        response = _get("requests.json", **params)
        assert response.status_code == 200, response.content.decode()
        return [item["service_request_id"] for item in _requests_valid(response.json())]

    # By default the last 90 days, newest first.
    assert numbers() == [housing.number, housing_child.number, street.number, unclassified.number]
    unclassified_out = _one(unclassified.number)
    assert (unclassified_out["service_code"], unclassified_out["service_name"]) == ("", None)
    assert numbers(service_code=str(service.pk)) == [housing.number, housing_child.number]
    assert numbers(service_code=f"{service.pk},{municipal.pk}") == [
        housing.number,
        housing_child.number,
        street.number,
    ]
    assert numbers(service_code="nonsense") == []
    assert numbers(status="closed") == [street.number]
    assert numbers(status="open") == [housing.number, housing_child.number, unclassified.number]
    assert numbers(status="open,closed") == numbers()
    # Dates: W3C date-times (an unencoded "+" arrives as a space), or plain dates.
    day = timezone.localtime(old.received_at).date()
    assert numbers(start_date=f"{day}T00:00:00+08:00", end_date=f"{day}T23:59:59+08:00") == [old.number]
    assert numbers(start_date=f"{day - dt.timedelta(days=1)}") == [old.number]
    assert numbers(end_date=f"{day + dt.timedelta(days=1)}") == [old.number]
    assert (
        Client().get(f"{BASE}/requests.json?start_date={day}T00:00:00+08:00&end_date={day}").status_code
        == 200
    )
    # service_request_id overrides the rest.
    assert numbers(service_request_id=f"{old.number}, {street.number}", status="open") == [
        street.number,
        old.number,
    ]
    assert "status" in _error(_get("requests.json", status="pending"), 400)
    assert "start_date" in _error(_get("requests.json", start_date="yesterday"), 400)
    assert "start_date" in _error(_get("requests.json", start_date="2026-13-45"), 400)
    assert "90" in _error(_get("requests.json", start_date="2026-01-01", end_date="2026-06-01"), 400)
    assert "end_date" in _error(_get("requests.json", start_date="2026-06-01", end_date="2026-01-01"), 400)


def test_a_list_reads_a_fixed_number_of_queries_and_stops_at_the_limit(
    org: Any, service: HotlineCategory, app: tuple[Any, str], monkeypatch: Any
) -> None:
    _account, key = app
    for _ in range(2):
        ticket = HotlineTicket.objects.get(number=_filed(service, key)["service_request_id"])
        _close_through_the_services(org, ticket, "已修复")
    _phone_ticket(org, service)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _get("requests.json").status_code == 200
        return len(queries)

    few = count()
    for _ in range(3):
        ticket = HotlineTicket.objects.get(number=_filed(service, key)["service_request_id"])
        _close_through_the_services(org, ticket, "已修复")
        _phone_ticket(org, service)
    assert count() == few
    monkeypatch.setattr(open311, "MAX_REQUESTS", 2)
    assert len(_get("requests.json").json()) == 2


# ——— the endpoint's manners ———


def test_methods_formats_and_jurisdiction(
    service: HotlineCategory, app: tuple[Any, str], settings: Any
) -> None:
    assert "GET" in _error(Client().put(f"{BASE}/services.json"), 405)
    assert "POST" in _error(Client().delete(f"{BASE}/requests.json"), 405)
    assert ".json" in _error(_get("requests.xml"), 400)
    assert ".json" in _error(_get(f"services/{service.pk}.xml"), 400)
    settings.HOTLINE_OPEN311_JURISDICTION = "wltzq.12345"
    assert _get("services.json", jurisdiction_id="wltzq.12345").status_code == 200
    assert _get("services.json").status_code == 200  # one jurisdiction: it may be left out
    assert "jurisdiction_id" in _error(_get("services.json", jurisdiction_id="elsewhere"), 404)
    _account, key = app
    assert "jurisdiction_id" in _error(_post(service, key, jurisdiction_id="elsewhere"), 404)
    assert not HotlineTicket.objects.exists()


def test_the_public_rate_limit(service: HotlineCategory, monkeypatch: Any) -> None:
    from yichuang.hotline import api_open311

    monkeypatch.setattr(api_open311, "RATE_PER_MINUTE", 2)
    assert _get("services.json").status_code == 200
    assert _get("services.json").status_code == 200
    _error(_get("services.json"), 429)
