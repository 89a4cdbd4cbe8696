"""电子印章管理: the admin makes a department's first seal and rotates it (screen and API); the old seal
stays published and keeps verifying what it signed; nobody else may."""

from __future__ import annotations

import pytest

from yichuang.core.models import AuditEvent
from yichuang.licences.models import Seal
from yichuang.licences.tests.helpers import issue_business_licence, make_company
from yichuang.licences.verification import licence_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday")]


def test_the_admin_rotates_a_seal_on_the_screen_and_old_licences_still_verify(org, client_for) -> None:
    admin = client_for("admin")
    page = admin.get("/licences/seals/manage/").content.decode()
    assert org.scjg.name in page and "制作印章" in page
    admin.post(f"/licences/seals/manage/{org.scjg.pk}/")
    first = Seal.objects.get(department=org.scjg)
    licence = issue_business_licence(org, make_company(org))
    response = admin.post(f"/licences/seals/manage/{org.scjg.pk}/", follow=True)
    assert "原印章已停用并继续用于核验" in response.content.decode()
    first.refresh_from_db()
    current = Seal.objects.get(department=org.scjg, retired_at__isnull=True)
    assert first.retired_at is not None and current != first
    assert licence_verify(licence).status == "valid"
    assert first.code in client_for("reviewer").get("/licences/seals/").content.decode()  # still published
    assert AuditEvent.objects.filter(action="seal.create").count() == 2


def test_only_the_admin_manages_seals(org, client_for) -> None:
    reviewer = client_for("reviewer")
    assert reviewer.get("/licences/seals/manage/").status_code == 403
    assert reviewer.post(f"/licences/seals/manage/{org.scjg.pk}/").status_code == 403
    assert (
        client_for("chief_rep")
        .post("/api/v1/licences/seals", {"department_id": org.scjg.pk}, content_type="application/json")
        .status_code
        == 403
    )
    assert not Seal.objects.exists()


def test_the_api_makes_a_seal_and_explains_bad_input(org, client_for) -> None:
    admin = client_for("admin")
    made = admin.post(
        "/api/v1/licences/seals", {"department_id": org.scjg.pk}, content_type="application/json"
    )
    assert (
        made.status_code == 201 and made.json()["department"] == org.scjg.name and not made.json()["retired"]
    )
    missing = admin.post("/api/v1/licences/seals", {"department_id": 999999}, content_type="application/json")
    assert missing.status_code == 404 and missing.json()["error"]["fields"] == {"department_id": ["不存在"]}
    type(org.centre).objects.filter(pk=org.centre.pk).update(credit_code="")
    no_code = admin.post(
        "/api/v1/licences/seals", {"department_id": org.centre.pk}, content_type="application/json"
    )
    assert no_code.status_code in (400, 409) and "统一社会信用代码" in no_code.json()["error"]["message"]
