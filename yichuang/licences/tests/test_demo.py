"""The demo's licence types cover every type the demo catalogue names, each can be issued and verified,
and every issuing department has a seal."""

from __future__ import annotations

import pytest

from yichuang.accounts.tests.factories import ApplicantFactory, valid_credit_code
from yichuang.catalog.demo_items import LICENCE_TYPES
from yichuang.licences import services
from yichuang.licences.demo import load_demo_licences
from yichuang.licences.models import LicenceType, Seal
from yichuang.licences.verification import licence_verify

pytestmark = pytest.mark.django_db


def test_demo_types_seals_and_a_licence_of_every_type(org) -> None:
    report = load_demo_licences(admin=org.user("admin"))
    assert report["types"] >= 12 and set(LicenceType.objects.values_list("code", flat=True)) >= set(
        LICENCE_TYPES.values()
    )
    assert Seal.objects.filter(department=org.scjg, retired_at__isnull=True).count() == 1
    assert not Seal.objects.filter(department__kind__in=("government", "centre")).exists()
    assert load_demo_licences(admin=org.user("admin"))["new_seals"] == 0  # idempotent
    person = ApplicantFactory(name="乌云")
    company = ApplicantFactory(
        kind="legal", name="草原牧歌餐饮有限公司", id_number="", credit_code=valid_credit_code("91")
    )
    for licence_type in LicenceType.objects.all():
        assert licence_type.schema and any(field["required"] for field in licence_type.schema)
        licence = services.licence_issue(
            actor=org.user("admin"),
            licence_type=licence_type,
            holder=person if licence_type.holder_kind == "natural" else company,
            issuer=org.scjg,
            data={field["key"]: f"{field['label']}示例" for field in licence_type.schema},
        )
        assert licence_verify(licence).status == "valid", licence_type.name
