"""The public verification page (by identifier, by uploaded file), the published seals and the limit."""

from __future__ import annotations

import copy
import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.licences import services
from yichuang.licences.identifiers import licence_identifier
from yichuang.licences.models import LicenceType, Seal
from yichuang.licences.rendering import MAX_UPLOAD_BYTES, licence_pdf
from yichuang.licences.verification import licence_document

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
ISSUED = dt.datetime(2026, 11, 2, 10, tzinfo=CST)
VERIFY = "/licences/verify/"


@pytest.fixture
def licence(org):
    kind = LicenceType.objects.create(
        code="11100000000013100M901",
        name="结婚证",
        holder_kind="natural",
        validity_years=5,
        schema=[{"key": "spouse", "label": "配偶姓名", "required": True}],
    )
    with time_machine.travel(ISSUED, tick=False):
        services.seal_create(actor=org.user("admin"), department=org.scjg)
        return services.licence_issue(
            actor=org.user("reviewer"),
            licence_type=kind,
            holder=ApplicantFactory(name="巴特尔"),
            issuer=org.scjg,
            data={"spouse": "其其格"},
        )


@pytest.fixture
def today():
    with time_machine.travel(ISSUED + dt.timedelta(days=30), tick=False):
        yield


def _status(response) -> str:
    assert b'data-testid="verify-result"' in response.content, response.content.decode()[:2000]
    return response.content.decode().split('data-status="', 1)[1].split('"', 1)[0]


def _upload(data: bytes, name: str = "licence.json") -> dict[str, SimpleUploadedFile]:
    return {"document": SimpleUploadedFile(name, data)}


def test_the_page_offers_both_ways_and_names_match(client: Client) -> None:
    assert reverse("licences:verify") == VERIFY
    assert reverse("licences:seals") == "/licences/seals/"
    assert reverse("licences:seal_svg", args=[7]) == "/licences/seals/7.svg"
    response = client.get(VERIFY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "电子证照核验" in page and 'name="identifier"' in page and 'name="document"' in page
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
    assert 'data-testid="verify-result"' not in page and "<script>" not in page


def test_the_qr_link_shows_a_valid_licence_with_the_holder_masked(client, licence, today) -> None:
    response = client.get(VERIFY, {"identifier": licence.identifier.lower()})
    assert response.status_code == 200 and _status(response) == "valid"
    page = response.content.decode()
    for shown in ("有效", "结婚证", licence.identifier, licence.issuer_name, licence.seal.code, "巴**"):
        assert shown in page, shown
    assert licence.holder_identifier not in page and "巴特尔" not in page
    assert licence.holder_identifier[:4] + "*" * 10 + licence.holder_identifier[-4:] in page
    assert "2026-11-02" in page and "2031-11-01" in page  # issued on, valid until


def test_a_revoked_licence_shows_when_and_why(client, org, licence, today) -> None:
    services.licence_revoke(actor=org.user("chief_rep"), licence=licence, reason="依法吊销")
    response = client.get(VERIFY, {"identifier": licence.identifier})
    assert _status(response) == "revoked"
    page = response.content.decode()
    assert "已注销" in page and "依法吊销" in page and 'data-testid="revoked-at">2026-12-02<' in page


def test_a_licence_past_its_validity_is_expired(client, licence) -> None:
    with time_machine.travel(dt.datetime(2031, 11, 2, 9, tzinfo=CST), tick=False):
        response = client.get(VERIFY, {"identifier": licence.identifier})
    assert _status(response) == "expired" and "已过有效期" in response.content.decode()


def test_an_unknown_identifier_and_a_malformed_one(client, licence) -> None:
    unknown = licence_identifier(
        type_code="11100000000013100M901", issuer_code="11150824MB0000000X", serial="2026999999", version=1
    )
    response = client.get(VERIFY, {"identifier": unknown})
    assert response.status_code == 200 and _status(response) == "unknown"
    assert "查无此证照" in response.content.decode()
    mistyped = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    for identifier, message in (
        (mistyped, "校验位不符"),
        ("1.2.156.3005.2.X", "校验位不符"),
        ("", "请填写证照标识"),
        ("9" * 500, "证照标识"),
    ):
        response = client.get(VERIFY, {"identifier": identifier})
        assert response.status_code == 400, identifier
        assert message in response.content.decode() and b'data-testid="verify-result"' not in response.content


def test_an_uploaded_file_is_verified_and_a_tampered_one_is_altered(client, licence, today) -> None:
    document = licence_document(licence)
    response = client.post(VERIFY, _upload(json.dumps(document).encode()))
    assert response.status_code == 200 and _status(response) == "valid"
    response = client.post(VERIFY, _upload(licence_pdf(licence), "licence.pdf"))
    assert _status(response) == "valid"
    forged = copy.deepcopy(document)
    forged["content"]["data"]["spouse"] = "别人"
    response = client.post(VERIFY, _upload(json.dumps(forged, ensure_ascii=False).encode()))
    assert response.status_code == 200 and _status(response) == "altered"
    assert "内容被篡改" in response.content.decode()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "请选择要核验的电子证照文件"),
        (_upload(b"\x00\xffgarbage", "x.pdf"), "无法识别该文件"),
        (_upload(b"%PDF-1.7\nbroken", "x.pdf"), "无法识别该文件"),
        (_upload(b'{"content": {"seal": "\\u0000"}, "signature": ""}'), "无法识别该文件"),
        (_upload(b"{" + b" " * MAX_UPLOAD_BYTES + b"}"), "文件过大"),
    ],
    ids=["none", "binary", "broken-pdf", "nul", "too-large"],
)
def test_a_bad_upload_gets_a_message_not_an_error(client, licence, files, message: str) -> None:
    response = client.post(VERIFY, files)
    assert response.status_code == 400
    assert message in response.content.decode() and b'data-testid="verify-result"' not in response.content


def test_the_upload_form_needs_its_csrf_token(licence) -> None:
    response = Client(enforce_csrf_checks=True).post(VERIFY, _upload(b"{}"))
    assert response.status_code == 403


def test_lookups_share_the_per_address_limit(client, licence, settings) -> None:
    settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE = 2
    assert client.get(VERIFY).status_code == 200  # the empty form is no lookup
    assert client.get(VERIFY, {"identifier": licence.identifier}).status_code == 200
    assert client.post(VERIFY, _upload(b"{}")).status_code == 400
    refused = client.get(VERIFY, {"identifier": licence.identifier})
    assert refused.status_code == 429
    assert (
        "查询过于频繁" in refused.content.decode() and b'data-testid="verify-result"' not in refused.content
    )
    assert client.post(VERIFY, _upload(json.dumps(licence_document(licence)).encode())).status_code == 429


def test_the_seals_are_published_retired_ones_too(client, org, licence, django_assert_num_queries) -> None:
    retired = licence.seal
    with time_machine.travel(ISSUED + dt.timedelta(days=1), tick=False):
        current = services.seal_create(actor=org.user("admin"), department=org.scjg)
    with django_assert_num_queries(1):
        response = client.get(reverse("licences:seals"))
    assert response.status_code == 200
    page = response.content.decode()
    for seal in (retired, current):
        assert seal.code in page and seal.public_key in page
        assert reverse("licences:seal_svg", args=[seal.pk]) in page
    assert page.count("<svg") == 2 and "已停用" in page and "使用中" in page
    assert "/api/v1/licences/seals" in page and "private" not in page
    assert Seal.objects.count() == 2


def test_a_seal_picture_is_served_as_svg(client, licence) -> None:
    response = client.get(reverse("licences:seal_svg", args=[licence.seal.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert client.get(reverse("licences:seal_svg", args=[licence.seal.pk + 100])).status_code == 404
