"""Open311 GeoReport v2 over the hotline's tickets, so third-party apps can file and track requests.

- A **service** is an active level-2 category (二级分类); its ``service_code`` is the category's id, which
  survives renames. Its definition asks for the nature (诉求性质, required), a level-3 category (三级分类)
  and whether the request is confidential (保密). Urgency is the hotline's to set, never the public's.
- A **service request** is a ticket; its ``service_request_id`` is the ticket number. ``open`` is every
  status but 已办结 and 已并单. A request filed through Open311 is received like a call (``ticket_intake``
  with channel ``open311``), by no operator; the client is the account behind the ``api_key``.
- What a response shows never names the caller. Content, place, picture and reply are shown only for
  requests that came in through Open311 — the app's user wrote them to be published — with phone and ID
  numbers and the caller's name masked, and for a confidential one only to the app that filed it. Of a
  ticket taken by phone or at a window the public sees its service, status, department and dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from yichuang.core.audit import audit_record, audited_atomic, step_update
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.masking import mask_name, mask_phone, mask_text
from yichuang.core.permissions import has_capability
from yichuang.hotline import limits, tickets
from yichuang.hotline.models_open311 import Open311Request
from yichuang.hotline.models_taxonomy import HotlineCategory
from yichuang.hotline.models_tickets import (
    OPEN_STATUSES,
    HotlineChannel,
    HotlineStatus,
    HotlineTicket,
    Nature,
    TicketStep,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-21T00:00:00+08:00"  # when these endpoints last changed (service discovery)
MAX_REQUESTS = 1000
MAX_SPAN = dt.timedelta(days=90)
CLOSED_STATUSES = (HotlineStatus.CLOSED, HotlineStatus.MERGED)
CAPABILITY = "hotline.open311"

NATURE = "nature"
SUBCATEGORY = "subcategory"
CONFIDENTIAL = "confidential"
_YES_NO = [{"key": "no", "name": "否"}, {"key": "yes", "name": "是"}]


def jurisdiction_check(jurisdiction_id: str | None) -> None:
    """One endpoint serves one jurisdiction: ``jurisdiction_id`` may be left out; when the deployment names
    its own (setting ``HOTLINE_OPEN311_JURISDICTION``), any other is not found."""
    own = getattr(settings, "HOTLINE_OPEN311_JURISDICTION", "")
    given = (jurisdiction_id or "").strip()
    if own and given and given != own:
        raise NotFoundError(
            f"jurisdiction_id {given} 不存在，本接口的为 {own}", code="jurisdiction_not_found"
        )


# ——— clients ———


def client_check(client: Any) -> None:
    """The account behind an ``api_key`` may file requests only with ``hotline.open311``."""
    if not has_capability(client, CAPABILITY):
        raise PermissionDeniedError("该 api_key 无权通过 Open311 提交诉求", code="api_key_not_allowed")


# ——— services ———


def _service_categories() -> QuerySet[HotlineCategory]:
    return HotlineCategory.objects.filter(level=2, is_active=True, parent__is_active=True).select_related(
        "parent"
    )


def _subcategories(parents: list[HotlineCategory]) -> dict[int, list[HotlineCategory]]:
    children: dict[int, list[HotlineCategory]] = {parent.pk: [] for parent in parents}
    rows = HotlineCategory.objects.filter(parent__in=parents, level=3, is_active=True).order_by(
        "position", "path"
    )
    for child in rows:
        children[child.parent_id].append(child)  # type: ignore[index]
    return children


def _code(text: str) -> int | None:
    """A service code as the category id it is, or None for anything that cannot be one."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def service_category(service_code: str) -> HotlineCategory:
    """The service (an active level-2 category) of ``service_code``, or not found."""
    code = (service_code or "").strip()
    pk = _code(code)
    category = _service_categories().filter(pk=pk).first() if pk is not None else None
    if category is None:
        raise NotFoundError(f"service_code {code} 不存在", code="service_not_found")
    return category


def services_out() -> list[dict[str, Any]]:
    """GET services: every service, grouped by its level-1 category."""
    services = list(_service_categories().order_by("parent__position", "parent__path", "position", "path"))
    children = _subcategories(services)
    return [
        {
            "service_code": str(category.pk),
            "service_name": category.name,
            "description": category.path.replace("/", " › "),
            "metadata": True,  # every service asks at least for the nature
            "type": "realtime",
            "keywords": ",".join(child.name for child in children[category.pk]) or None,
            "group": category.parent.name if category.parent else None,
        }
        for category in services
    ]


def _attributes(category: HotlineCategory, children: list[HotlineCategory]) -> list[dict[str, Any]]:
    attributes: list[dict[str, Any]] = [
        {
            "variable": True,
            "code": NATURE,
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "诉求性质",
            "values": [{"key": value, "name": str(label)} for value, label in Nature.choices],
        }
    ]
    if children:
        attributes.append(
            {
                "variable": True,
                "code": SUBCATEGORY,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": None,
                "order": len(attributes) + 1,
                "description": f"三级分类（{category.name}）",
                "values": [{"key": str(child.pk), "name": child.name} for child in children],
            }
        )
    attributes.append(
        {
            "variable": True,
            "code": CONFIDENTIAL,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": len(attributes) + 1,
            "description": "保密：诉求内容、地点和图片不公开，只有提交的应用可以查看",
            "values": _YES_NO,
        }
    )
    return attributes


def service_definition_out(service_code: str) -> dict[str, Any]:
    """GET service definition: the attributes a request of the service carries."""
    category = service_category(service_code)
    children = _subcategories([category])[category.pk]
    return {"service_code": str(category.pk), "attributes": _attributes(category, children)}


# ——— POST a request ———


@dataclass(frozen=True)
class Submission:
    """A POSTed service request, as GeoReport names its parameters."""

    service_code: str = ""
    description: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""  # accepted and not kept: the hotline calls back by phone
    media_url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submission_from_params(params: Mapping[str, str]) -> Submission:
    """Read GeoReport's POST parameters; ``attribute[code]`` (or ``attribute[code][]``) carries an answer to
    the service definition."""
    names = {
        "service_code", "description", "lat", "long", "address_string", "address_id", "first_name",
        "last_name", "phone", "email", "media_url",
    }  # fmt: skip
    values = {name: str(params.get(name) or "").strip() for name in names}
    attributes: dict[str, str] = {}
    for key in params:
        if key.startswith("attribute[") and "]" in key:
            code = key[len("attribute[") : key.index("]")]
            if code:
                attributes[code] = str(params.get(key) or "").strip()
    return Submission(**values, attributes=attributes)


@dataclass(frozen=True)
class _Clean:
    intake: dict[str, Any]
    latitude: Decimal | None
    longitude: Decimal | None
    media_url: str


def _coordinate(value: str, name: str, bound: int, fields: dict[str, list[str]]) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        fields[name] = [f"{name} 须为 WGS-84 经纬度数值"]
        return None
    if not number.is_finite() or abs(number) > bound:
        fields[name] = [f"{name} 超出范围（±{bound}）"]
        return None
    return number.quantize(Decimal("0.000001"))


def _caller(submission: Submission) -> dict[str, Any]:
    first, last = submission.first_name[:30], submission.last_name[:30]
    # 姓在前: Chinese names are written surname first, Latin ones the other way round.
    name = f"{last}{first}" if not (first + last).isascii() else f"{first} {last}".strip()
    phone = submission.phone.replace(" ", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    # Without a phone the hotline cannot call back: the request is anonymous and keeps no name.
    return {"caller_name": name, "caller_phone": phone, "anonymous": not phone}


def _clean(submission: Submission, category: HotlineCategory) -> _Clean:
    fields: dict[str, list[str]] = {}
    answers = submission.attributes
    nature = answers.get(NATURE, "")
    if not nature:
        fields[f"attribute[{NATURE}]"] = ["请选择诉求性质（attribute[nature]，见服务定义）"]
    elif nature not in Nature.values:
        fields[f"attribute[{NATURE}]"] = [f"诉求性质 {nature} 不在服务定义的取值中"]
    chosen = category
    sub = answers.get(SUBCATEGORY, "")
    if sub:
        found = _subcategories([category])[category.pk]
        match = next((child for child in found if str(child.pk) == sub), None)
        if match is None:
            fields[f"attribute[{SUBCATEGORY}]"] = [f"三级分类 {sub} 不属于该服务"]
        else:
            chosen = match
    confidential = answers.get(CONFIDENTIAL, "no") or "no"
    if confidential not in ("yes", "no"):
        fields[f"attribute[{CONFIDENTIAL}]"] = ["保密取值为 yes 或 no"]
    if not submission.description:
        fields["description"] = ["请填写诉求内容（description）"]
    elif len(submission.description) > 4000:
        fields["description"] = ["description 不能超过4000字"]
    latitude = longitude = None
    if submission.lat or submission.long:
        if not (submission.lat and submission.long):
            fields["lat" if not submission.lat else "long"] = ["lat 与 long 须同时提供"]
        else:
            latitude = _coordinate(submission.lat, "lat", 90, fields)
            longitude = _coordinate(submission.long, "long", 180, fields)
    if not (submission.lat or submission.long or submission.address_string):
        message = (
            "请提供诉求地点：lat 和 long，或 address_string（本平台没有地址库，不受理仅有 address_id 的请求）"
        )
        fields["address_string"] = [message]
    if len(submission.address_string) > 200:
        fields["address_string"] = ["address_string 不能超过200字"]
    if submission.media_url:
        try:
            URLValidator(schemes=["http", "https"])(submission.media_url)
        except ValidationError:
            fields["media_url"] = ["media_url 须为 http(s) 链接"]
        if len(submission.media_url) > 500:
            fields["media_url"] = ["media_url 不能超过500个字符"]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code="invalid", fields=fields)
    intake = {
        "nature": nature,
        "content": submission.description,
        "category": chosen,
        "address": submission.address_string,
        "confidential": confidential == "yes",
        **_caller(submission),
    }
    return _Clean(intake=intake, latitude=latitude, longitude=longitude, media_url=submission.media_url)


# The intake's own field names, as GeoReport calls them.
_INTAKE_FIELDS = {"content": "description", "caller_phone": "phone", "nature": f"attribute[{NATURE}]"}


def _idempotency_key(client: Any, key: str) -> str:
    # Namespaced per client: two apps may well pick the same key.
    return "open311:" + hashlib.sha256(f"{client.pk}\n{key}".encode()).hexdigest()[:56]


def _replayed(client: Any, key: str | None, fingerprint: str) -> Open311Request | None:
    if not key:
        return None
    row = (
        Open311Request.objects.select_related("ticket")
        .filter(ticket__idempotency_key=_idempotency_key(client, key))
        .first()
    )
    if row is not None and row.fingerprint != fingerprint:
        raise ConflictError("该幂等键已用于另一件诉求，请换用新的键", code="idempotency_key_reused")
    return row


@audited_atomic
def _submit_write(
    *, client: Any, clean: _Clean, fingerprint: str, key: str | None, now: dt.datetime
) -> Open311Request:
    ticket = tickets.ticket_intake(
        actor=None,
        channel=HotlineChannel.OPEN311,
        external_id=(key or "")[:64],
        idempotency_key=_idempotency_key(client, key) if key else None,
        now=now,
        **clean.intake,
    )
    existing = Open311Request.objects.filter(ticket=ticket).first()
    if existing is not None:  # a retry that raced this one filed it first
        return existing
    if clean.latitude is not None:
        ticket.latitude, ticket.longitude = clean.latitude, clean.longitude
        step_update(ticket, {"latitude", "longitude"})
    row = Open311Request.objects.create(
        ticket=ticket,
        client=client,
        token=secrets.token_hex(16),
        media_url=clean.media_url,
        fingerprint=fingerprint,
        created_at=now,
    )
    audit_record(
        actor=client,
        action="hotline.open311_request",
        obj=ticket,
        data={"number": ticket.number, "token": row.token, "service_code": clean.intake["category"].pk},
    )
    return row


def open311_request_submit(
    *, client: Any, submission: Submission, idempotency_key: str | None = None, now: dt.datetime | None = None
) -> Open311Request:
    """POST a request: a ticket received through Open311 for ``client`` (the account behind the api_key).
    The same ``idempotency_key`` from the same client returns the request it filed first."""
    client_check(client)
    now = now or timezone.now()
    fingerprint = submission.fingerprint()
    replayed = _replayed(client, idempotency_key, fingerprint)
    if replayed is not None:
        return replayed
    if not submission.service_code:
        raise ApplicationError("请提供 service_code", code="invalid", fields={"service_code": ["必填"]})
    category = service_category(submission.service_code)
    clean = _clean(submission, category)
    try:
        return _submit_write(
            client=client, clean=clean, fingerprint=fingerprint, key=idempotency_key, now=now
        )
    except ApplicationError as error:
        if error.fields:
            error.fields = {
                _INTAKE_FIELDS.get(name, name): messages for name, messages in error.fields.items()
            }
        raise


def submitted_out(row: Open311Request) -> list[dict[str, Any]]:
    """The POST's answer: the id (known at once: requests are received in real time), and the token."""
    ticket = row.ticket
    return [
        {
            "service_request_id": ticket.number,
            "token": row.token,
            "service_notice": f"诉求已受理，工单编号 {ticket.number}。"
            + _notice(ticket.nature, ticket.urgency),
        }
    ]


# ——— GET requests ———


@dataclass(frozen=True)
class RequestFilter:
    numbers: list[str] = field(default_factory=list)
    service_codes: list[int] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: frozenset[str] = frozenset()


# An offset sent unencoded in a query string ("...T08:00:00+08:00") arrives with a space for its "+".
_UNENCODED_OFFSET = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")


def _moment(value: str, name: str, *, end: bool) -> dt.datetime:
    try:
        moment = parse_datetime(_UNENCODED_OFFSET.sub(r"\1+\2", value))
        day = parse_date(value) if moment is None else None
    except ValueError:
        moment = day = None
    if moment is None:
        if day is None:
            raise ApplicationError(
                f"{name} 须为 W3C 日期时间，如 2026-11-23T08:00:00+08:00", fields={name: ["格式不正确"]}
            )
        moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _listed(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def request_filter_from_params(params: Mapping[str, str], *, now: dt.datetime) -> RequestFilter:
    """GET requests' parameters: ``service_request_id`` (comma-separated) overrides the rest; otherwise
    ``service_code`` and ``status`` (comma-separated) and ``start_date``/``end_date`` (at most 90 days apart;
    by default the last 90 days)."""
    numbers = _listed(params.get("service_request_id"))
    if numbers:
        return RequestFilter(numbers=numbers[:MAX_REQUESTS])
    statuses = frozenset(_listed(params.get("status")))
    if statuses - {"open", "closed"}:
        raise ApplicationError("status 取值为 open 或 closed", fields={"status": ["取值为 open 或 closed"]})
    asked = _listed(params.get("service_code"))
    codes = [pk for pk in map(_code, asked) if pk is not None]
    if asked and not codes:
        codes = [0]  # only codes that cannot be services: nothing matches
    start_text, end_text = params.get("start_date") or "", params.get("end_date") or ""
    start = _moment(start_text, "start_date", end=False) if start_text else None
    end = _moment(end_text, "end_date", end=True) if end_text else None
    if start and end:
        if end < start:
            raise ApplicationError("end_date 早于 start_date", fields={"end_date": ["早于 start_date"]})
        if end - start > MAX_SPAN:
            raise ApplicationError(
                "start_date 与 end_date 相隔不能超过90天", fields={"end_date": ["超过90天"]}
            )
    elif start:
        end = start + MAX_SPAN
    else:
        end = end or now
        start = end - MAX_SPAN
    return RequestFilter(service_codes=codes, start=start, end=end, statuses=statuses)


def _requests() -> QuerySet[HotlineTicket]:
    last_step = TicketStep.objects.filter(ticket=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    return (
        HotlineTicket.objects.select_related("category__parent", "lead", "merged_into", "open311")
        .annotate(last_step_at=Subquery(last_step))
        .order_by("-received_at", "-pk")
    )


def requests_list(request_filter: RequestFilter) -> list[HotlineTicket]:
    """The tickets a GET requests asks for, newest first, at most ``MAX_REQUESTS``."""
    query = _requests()
    if request_filter.numbers:
        query = query.filter(number__in=request_filter.numbers)
    else:
        query = query.filter(received_at__gte=request_filter.start, received_at__lte=request_filter.end)
        if request_filter.service_codes:
            codes = request_filter.service_codes
            query = query.filter(
                Q(category__level=2, category_id__in=codes)
                | Q(category__level=3, category__parent_id__in=codes)
            )
        if request_filter.statuses == {"open"}:
            query = query.filter(status__in=OPEN_STATUSES)
        elif request_filter.statuses == {"closed"}:
            query = query.filter(status__in=CLOSED_STATUSES)
    return list(query[:MAX_REQUESTS])


def request_get(service_request_id: str) -> HotlineTicket:
    ticket = _requests().filter(number=(service_request_id or "").strip()).first()
    if ticket is None:
        raise NotFoundError(f"service_request_id {service_request_id} 不存在", code="request_not_found")
    return ticket


def token_out(token: str) -> list[dict[str, Any]]:
    """GET tokens: the request a token stands for."""
    row = Open311Request.objects.select_related("ticket").filter(token=(token or "").strip()).first()
    if row is None:
        raise NotFoundError(f"token {token} 不存在", code="token_not_found")
    return [{"service_request_id": row.ticket.number, "token": row.token}]


# ——— a request as GeoReport shows it ———


def _w3c(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _notice(nature: str, urgency: str) -> str:
    days = limits.limits_for(nature, urgency).handle_days
    return f"12345热线将派至承办单位办理，{Nature(nature).label}类诉求一般在{days}个工作日内答复。"


def _scrub(text: str, ticket: HotlineTicket) -> str:
    """Free text as the public may read it: no ID or phone number, and not the caller's name."""
    text = mask_text(text)
    if ticket.caller_phone:
        text = text.replace(ticket.caller_phone, mask_phone(ticket.caller_phone))
    name = ticket.caller_name.strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    return text


def _filed_through_open311(ticket: HotlineTicket) -> Open311Request | None:
    # A missing reverse one-to-one raises an AttributeError (RelatedObjectDoesNotExist): None.
    row: Open311Request | None = getattr(ticket, "open311", None)
    return row


def _service(ticket: HotlineTicket) -> HotlineCategory | None:
    category = ticket.category
    if category is not None and category.level == 3 and category.parent is not None:
        return category.parent
    return category


class RequestsOut:
    """Tickets as GeoReport requests, for ``viewer`` (the account behind an api_key given with a GET, or
    None): the content, place, picture and reply of a confidential request only for the app that filed it."""

    def __init__(self, viewer: Any = None) -> None:
        self.viewer_id = getattr(viewer, "pk", None)
        self._notices: dict[tuple[str, str], str] = {}

    def notice(self, ticket: HotlineTicket) -> str:
        key = (ticket.nature, ticket.urgency)
        if key not in self._notices:
            self._notices[key] = _notice(*key)
        return self._notices[key]

    def detailed(self, ticket: HotlineTicket) -> Open311Request | None:
        row = _filed_through_open311(ticket)
        if row is None or (ticket.confidential and row.client_id != self.viewer_id):
            return None
        return row

    def status_notes(self, ticket: HotlineTicket, detailed: bool) -> str:
        if ticket.status == HotlineStatus.MERGED and ticket.merged_into is not None:
            return f"已并单：与工单 {ticket.merged_into.number} 为同一诉求，一并办理答复"
        if detailed and ticket.reply and ticket.status in (HotlineStatus.REPLIED, HotlineStatus.CLOSED):
            return _scrub(ticket.reply, ticket)
        return str(ticket.get_status_display())

    def one(self, ticket: HotlineTicket) -> dict[str, Any]:
        row = self.detailed(ticket)
        service = _service(ticket)
        closed = ticket.status in CLOSED_STATUSES
        updated = ticket.closed_at if closed and ticket.closed_at else getattr(ticket, "last_step_at", None)
        return {
            "service_request_id": ticket.number,
            "status": "closed" if closed else "open",
            "status_notes": self.status_notes(ticket, row is not None),
            "service_name": service.name if service else None,
            "service_code": str(service.pk) if service else "",
            "description": _scrub(ticket.content, ticket) if row else None,
            "agency_responsible": ticket.lead.name if ticket.lead else None,
            "service_notice": None if closed else self.notice(ticket),
            "requested_datetime": _w3c(ticket.received_at),
            "updated_datetime": _w3c(updated or ticket.received_at),
            "expected_datetime": _w3c(ticket.due_at),
            "address": (ticket.address or None) if row else None,
            "lat": float(ticket.latitude) if row and ticket.latitude is not None else None,
            "long": float(ticket.longitude) if row and ticket.longitude is not None else None,
            "media_url": (row.media_url or None) if row else None,
        }

    def many(self, rows: list[HotlineTicket]) -> list[dict[str, Any]]:
        return [self.one(ticket) for ticket in rows]


def discovery_out(endpoint_url: str) -> dict[str, Any]:
    """Service discovery: where GeoReport v2 is served, and in which format."""
    return {
        "changeset": CHANGESET,
        "contact": "12345政务服务便民热线",
        "key_service": "api_key 为政数局管理员签发的接口令牌（具备 Open311 提交权限的应用账号）",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json"],
            }
        ],
    }
