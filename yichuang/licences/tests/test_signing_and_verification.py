"""Seals sign, anyone verifies: a round trip, any changed byte, a wrong key, revoked and expired licences,
and the identifier's check character."""

from __future__ import annotations

import copy
import datetime as dt
import secrets

import pytest
import time_machine
from django.test import override_settings

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.core.audit import audit_verify_chain
from yichuang.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yichuang.licences import services, signing
from yichuang.licences.identifiers import check_character, identifier_valid, licence_identifier
from yichuang.licences.models import Licence, LicenceType, Seal
from yichuang.licences.verification import (
    licence_document,
    licence_verify,
    licence_verify_document,
    licence_verify_identifier,
)

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime(2026, 11, 2, 10, tzinfo=CST)


@pytest.fixture
def food_licence_type():
    return LicenceType.objects.create(
        code="11100000000013338W999",  # a test type: the seeded catalogue has the real one
        name="食品经营许可证",
        holder_kind="natural",
        validity_years=5,
        schema=[
            {"key": "operator", "label": "经营者名称", "required": True},
            {"key": "address", "label": "经营场所", "required": True},
            {"key": "scope", "label": "经营项目", "required": False},
        ],
    )


@pytest.fixture
def issued(org, food_licence_type):
    with time_machine.travel(TODAY, tick=False):
        services.seal_create(actor=org.user("admin"), department=org.scjg)
        return services.licence_issue(
            actor=org.user("reviewer"),
            licence_type=food_licence_type,
            holder=ApplicantFactory(name="王建国"),
            issuer=org.scjg,
            data={"operator": "草原牧歌小吃店", "address": "海流图镇团结路8号", "scope": "热食类食品制售"},
        )


def test_a_licence_is_signed_and_verifies_by_row_identifier_and_file(issued) -> None:
    assert identifier_valid(issued.identifier) and issued.identifier.endswith(f".001.{issued.identifier[-1]}")
    assert len(issued.signature) == 128 and len(issued.digest) == 64
    with time_machine.travel(TODAY, tick=False):
        assert licence_verify(issued).status == "valid"
        assert licence_verify_identifier(issued.identifier.lower()).status == "valid"
        assert licence_verify_document(licence_document(issued)).status == "valid"
    assert issued.valid_until == dt.date(2031, 11, 1)  # five years, the last day included
    assert audit_verify_chain().ok


def test_any_changed_byte_reads_as_altered(issued) -> None:
    document = licence_document(issued)
    for path, value in (("holder", "王健国"), ("valid_until", "2099-12-31"), ("number", "2026000002")):
        forged = copy.deepcopy(document)
        forged["content"][path] = value
        assert licence_verify_document(forged).status == "altered", path
    forged = copy.deepcopy(document)
    forged["content"]["data"]["scope"] = "热食类食品制售、冷食类"
    assert licence_verify_document(forged).status == "altered"
    # A row changed in the database behind the platform's back is caught too.
    Licence.objects.filter(pk=issued.pk).update(data={**issued.data, "address": "别处"})
    assert licence_verify(Licence.objects.get(pk=issued.pk)).status == "altered"


def test_a_signature_by_another_key_is_an_unknown_issuer(issued) -> None:
    private_key, _ = signing.keypair_new()
    document = licence_document(issued)
    document["signature"] = signing.sign(private_key, signing.canonical(document["content"]))
    assert licence_verify_document(document).status == "unknown_issuer"
    document["content"]["seal"] = "NO-SUCH-SEAL"
    assert licence_verify_document(document).status == "unknown_issuer"
    assert licence_verify_identifier("1.2.156.3005.2.X.Y.1.001.Z").status == "unknown"


def test_revoked_expired_and_changed_licences(org, issued) -> None:
    with time_machine.travel(dt.datetime(2031, 11, 2, 9, tzinfo=CST), tick=False):
        assert licence_verify(issued).status == "expired"
    with time_machine.travel(TODAY, tick=False):
        changed = services.licence_issue(
            actor=org.user("reviewer"),
            licence_type=issued.licence_type,
            holder=issued.holder,
            issuer=org.scjg,
            data={**issued.data, "address": "海流图镇乌兰路1号"},
            previous=issued,
        )
        assert changed.number == issued.number and changed.identifier.split(".")[-2] == "002"
        assert licence_verify_identifier(issued.identifier).status == "superseded"
        with pytest.raises(PermissionDeniedError):
            services.licence_revoke(actor=org.user("reviewer"), licence=changed, reason="吊销")
        with pytest.raises(ApplicationError):
            services.licence_revoke(actor=org.user("chief_rep"), licence=changed, reason=" ")
        services.licence_revoke(actor=org.user("chief_rep"), licence=changed, reason="依法吊销")
        assert licence_verify_identifier(changed.identifier).status == "revoked"
        assert licence_verify_document(licence_document(changed)).status == "revoked"


def test_issuing_is_for_the_departments_own_staff_with_complete_data(org, food_licence_type) -> None:
    holder = ApplicantFactory()
    data = {"operator": "店", "address": "路"}
    with pytest.raises(ApplicationError, match="尚无有效的电子印章"):
        services.licence_issue(
            actor=org.user("reviewer"),
            licence_type=food_licence_type,
            holder=holder,
            issuer=org.scjg,
            data=data,
        )
    services.seal_create(actor=org.user("admin"), department=org.scjg)
    with pytest.raises(NotFoundError):  # another department's licences
        services.licence_issue(
            actor=org.user("reviewer_wjw"),
            licence_type=food_licence_type,
            holder=holder,
            issuer=org.scjg,
            data=data,
        )
    with pytest.raises(PermissionDeniedError):
        services.licence_issue(
            actor=org.user("clerk"), licence_type=food_licence_type, holder=holder, issuer=org.scjg, data=data
        )
    with pytest.raises(ApplicationError, match="经营场所"):
        services.licence_issue(
            actor=org.user("reviewer"),
            licence_type=food_licence_type,
            holder=holder,
            issuer=org.scjg,
            data={"operator": "店"},
        )


def test_seal_keys_are_encrypted_and_rotation_keeps_old_licences_verifiable(org, issued) -> None:
    old = issued.seal
    private_key = signing.private_key_decrypt(old.private_key_encrypted, old.public_key)
    assert private_key.encode() not in bytes(old.private_key_encrypted)
    assert bytes.fromhex(private_key) not in bytes(old.private_key_encrypted)
    new = services.seal_create(actor=org.user("admin"), department=org.scjg)
    assert Seal.objects.get(pk=old.pk).retired_at is not None and new.public_key != old.public_key
    with time_machine.travel(TODAY, tick=False):
        assert licence_verify(Licence.objects.get(pk=issued.pk)).status == "valid"
    with override_settings(YICHUANG_SEAL_SECRET="another-secret"), pytest.raises(signing.SealKeyError):
        signing.private_key_decrypt(new.private_key_encrypted, new.public_key)
    with pytest.raises(PermissionDeniedError):
        services.seal_create(actor=org.user("reviewer"), department=org.scjg)


def test_the_identifier_check_character_catches_a_mistyped_character() -> None:
    identifier = licence_identifier(
        type_code="11100000000013338W001", issuer_code="11150824MB0N12345X", serial="2026000001", version=1
    )
    body, check = identifier.rsplit(".", 1)
    assert check == check_character(body) and identifier_valid(identifier)
    for position in range(len("1.2.156.3005.2."), len(body)):
        if body[position] == ".":
            continue
        replacement = "7" if body[position] != "7" else "8"
        typo = body[:position] + replacement + body[position + 1 :] + "." + check
        assert not identifier_valid(typo), typo
    assert not identifier_valid(identifier.replace(".001.", ".1."))


def test_signatures_interoperate_with_an_independent_sm2_implementation() -> None:
    """gmssl (pure Python) and Tongsuo agree on GB/T 32918 SM2-with-SM3: each verifies the other's signature."""
    from gmssl import sm2

    private_key, public_key = signing.keypair_new()
    data = "食品经营许可证·草原牧歌小吃店".encode()
    other = sm2.CryptSM2(private_key=private_key, public_key="")
    other.public_key = public_key  # set after construction: gmssl's constructor lstrips "04"
    assert other.verify_with_sm3(signing.sign(private_key, data), data)
    theirs = other.sign_with_sm3(data, f"{secrets.randbelow(2**255) + 1:064x}")
    assert signing.verify(public_key, data, theirs)
    assert not signing.verify(public_key, data + b"x", theirs)
    assert (
        signing.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )  # GB/T 32905 A.1


def test_malformed_keys_and_signatures_are_simply_not_valid() -> None:
    _, public_key = signing.keypair_new()
    assert not signing.verify(public_key, b"data", "0" * 128)
    assert not signing.verify(public_key, b"data", "zz" * 64)
    assert not signing.verify(public_key, b"data", "01")
    assert not signing.verify("04" + "4" * 62 + "1" * 64, b"data", "1" * 128)  # not a point on the curve
    assert not signing.verify("abc", b"data", "1" * 128)
