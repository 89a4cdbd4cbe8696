"""The public verification API: by identifier (the QR code), by file, the published seals, and the limit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.licences import services
from yichuang.licences.models import LicenceType
from yichuang.licences.verification import licence_document

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def licence(org):
    cache.clear()  # the per-address lookup budget
    kind = LicenceType.objects.get(code="11100000000013100M001")  # 结婚证, from the licence catalogue
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=CST), tick=False):
        services.seal_create(actor=org.user("admin"), department=org.scjg)
        return services.licence_issue(
            actor=org.user("reviewer"),
            licence_type=kind,
            holder=ApplicantFactory(name="巴特尔"),
            issuer=org.scjg,
            data={
                "f1": "巴特尔",
                "f2": "2026-05-20",
                "f3": "其其格",
                "f4": "150824199001011234",
                "f5": "乌拉特中旗民政局",
            },
        )


def test_anyone_verifies_by_identifier_and_sees_no_full_personal_data(licence) -> None:
    response = Client().get("/api/v1/licences/verify", {"identifier": licence.identifier})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["label"]) == ("valid", "有效")
    assert body["licence"]["holder"] == "巴**" and licence.holder_identifier not in response.content.decode()
    assert body["licence"]["holder_identifier"].count("*") >= 8
    unknown = Client().get("/api/v1/licences/verify", {"identifier": "1.2.156.3005.2.X"}).json()
    assert unknown == {"status": "unknown", "label": "查无此证照", "licence": None}


def test_a_presented_file_is_checked_and_an_altered_one_is_named(licence) -> None:
    document = licence_document(licence)
    client = Client()
    ok = client.post("/api/v1/licences/verify", document, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "valid"
    document["content"]["data"]["spouse"] = "别人"
    altered = client.post("/api/v1/licences/verify", document, content_type="application/json")
    assert altered.json()["status"] == "altered"
    broken = client.post("/api/v1/licences/verify", {"signature": "x"}, content_type="application/json")
    assert broken.status_code == 422


def test_seals_are_published_for_offline_verification(licence) -> None:
    seals = Client().get("/api/v1/licences/seals").json()
    assert [seal["code"] for seal in seals] == [licence.seal.code]
    assert seals[0]["public_key"] == licence.seal.public_key and len(seals[0]["public_key"]) == 128
    assert "private" not in str(seals)


def test_lookups_share_the_per_address_limit(licence, settings) -> None:
    settings.YICHUANG_TRACK_LOOKUPS_PER_MINUTE = 2
    client = Client()
    for _ in range(2):
        assert client.get("/api/v1/licences/verify", {"identifier": licence.identifier}).status_code == 200
    refused = client.get("/api/v1/licences/verify", {"identifier": licence.identifier})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"


def test_a_file_with_a_nul_in_its_codes_is_unknown_not_a_server_error(client, licence) -> None:
    document = licence_document(licence)
    document["content"]["seal"] = "\u0000" + document["content"]["seal"]
    response = client.post("/api/v1/licences/verify", document, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "unknown"
