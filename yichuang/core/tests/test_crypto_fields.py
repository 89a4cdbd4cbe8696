"""ID numbers encrypted at rest (SM4-GCM) and found by a keyed hash (HMAC-SM3): docs/encryption.md."""

from __future__ import annotations

import base64
import hmac
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from yichuang.accounts import selectors as account_selectors
from yichuang.accounts import services as account_services
from yichuang.accounts.models import Applicant, ApplicantKind
from yichuang.accounts.tests.factories import ApplicantFactory, valid_id_number
from yichuang.core import crypto_fields
from yichuang.core.crypto_fields import FieldKeyError, check_field_keys, keyed_hash
from yichuang.core.models import AuditEvent
from yichuang.hall.models import Ticket
from yichuang.hall.tests.helpers import MONDAY, at, make_hall
from yichuang.hall.tickets import ticket_issue
from yichuang.licences.models import Licence
from yichuang.licences.tests.helpers import issue_marriage_certificate
from yichuang.licences.verification import licence_verify, licence_verify_identifier

KEY_A = "a1:" + base64.b64encode(b"A" * 16).decode()
KEY_B = "b2:" + base64.b64encode(b"B" * 16).decode()
LOOKUP = base64.b64encode(b"L" * 32).decode()


def raw(model: Any, pk: int, column: str) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def set_raw(model: Any, pk: int, column: str, value: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE {quote(model._meta.pk.column)} = %s",
            [value, pk],
        )


def test_raw_column_holds_ciphertext_and_the_model_the_number(db: Any) -> None:
    number = valid_id_number()
    applicant = ApplicantFactory(id_number=number)
    stored = raw(Applicant, applicant.pk, "id_number")
    assert stored.startswith("v1:dev:") and number not in stored and number[-8:] not in stored
    assert raw(Applicant, applicant.pk, "id_number_hash") == keyed_hash(number)
    assert Applicant.objects.get(pk=applicant.pk).id_number == number
    assert Applicant.objects.values_list("id_number", flat=True).get(pk=applicant.pk) == number
    # A fresh IV on every write: saving again changes the ciphertext, not the number.
    applicant.save()
    assert raw(Applicant, applicant.pk, "id_number") != stored
    # A company has no ID number: the empty string stays empty, with no hash.
    company = ApplicantFactory(kind=ApplicantKind.LEGAL, id_number="", credit_code="91150824MA0N000000")
    assert (
        raw(Applicant, company.pk, "id_number") == "" and raw(Applicant, company.pk, "id_number_hash") == ""
    )


def test_keyed_hash_is_hmac_sm3_of_the_normalised_number() -> None:
    number = "15082419900307123x"
    expected = hmac.new(crypto_fields._lookup_key(), number.upper().encode(), "sm3").hexdigest()
    assert keyed_hash(number) == keyed_hash(f" {number.upper()} ") == expected
    assert keyed_hash("") == "" and keyed_hash(None) == ""
    with override_settings(YICHUANG_LOOKUP_KEY=LOOKUP):
        assert keyed_hash(number) != expected


def test_lookups_go_through_the_hash_and_ciphertext_lookups_are_refused(db: Any) -> None:
    number = valid_id_number(birth="19850712")
    applicant = ApplicantFactory(id_number=number)
    ApplicantFactory()
    assert list(Applicant.objects.by_id_number(number.lower())) == [applicant]
    assert not Applicant.objects.by_id_number("").exists()
    assert Applicant.objects.filter(id_number__isnull=False).count() == 2
    with pytest.raises(FieldError, match="encrypted"):
        Applicant.objects.filter(id_number=number).exists()
    with pytest.raises(FieldError, match="encrypted"):
        Applicant.objects.filter(id_number__startswith=number[:6]).exists()


def test_uniqueness_and_kind_check_run_on_the_hash(org: Any) -> None:
    number = valid_id_number(birth="19700101")
    admin = org.user("admin")
    account_services.applicant_register(
        actor=admin, kind=ApplicantKind.NATURAL, name="巴特尔", id_number=number
    )
    with pytest.raises(Exception, match="已登记"):
        account_services.applicant_register(
            actor=admin, kind=ApplicantKind.NATURAL, name="巴特尔", id_number=number.lower()
        )
    assert Applicant.objects.by_id_number(number).count() == 1


def test_applicant_search_matches_the_whole_id_number_only(org: Any) -> None:
    number = valid_id_number(birth="19661010")
    applicant = ApplicantFactory(id_number=number, name="其其格")
    clerk = org.user("clerk")
    assert list(account_selectors.applicant_list(actor=clerk, query=number)) == [applicant]
    assert list(account_selectors.applicant_list(actor=clerk, query=number[:10])) == []  # by design
    assert list(account_selectors.applicant_list(actor=clerk, query="其其格")) == [applicant]


def test_wrong_or_missing_key_and_tampering_are_clear_errors(db: Any) -> None:
    applicant = ApplicantFactory()
    with override_settings(YICHUANG_FIELD_KEYS=KEY_B), pytest.raises(FieldKeyError, match="dev"):
        Applicant.objects.get(pk=applicant.pk)
    stored = raw(Applicant, applicant.pk, "id_number")
    set_raw(
        Applicant,
        applicant.pk,
        "id_number",
        stored[:-6] + ("AAAAAA" if stored[-6:] != "AAAAAA" else "BBBBBB"),
    )
    with pytest.raises(FieldKeyError):
        Applicant.objects.get(pk=applicant.pk)
    set_raw(Applicant, applicant.pk, "id_number", "150824199003071234")
    with pytest.raises(FieldKeyError, match="v1"):
        Applicant.objects.get(pk=applicant.pk)
    # Same key id, different key: GCM's tag refuses it.
    with override_settings(YICHUANG_FIELD_KEYS="dev:" + base64.b64encode(b"X" * 16).decode()):
        set_raw(Applicant, applicant.pk, "id_number", stored)
        with pytest.raises(FieldKeyError, match="不一致"):
            Applicant.objects.get(pk=applicant.pk)


def test_malformed_keys_are_refused() -> None:
    for bad in ("nokey", "a:!!!", "a:" + base64.b64encode(b"short").decode(), f"{KEY_A},{KEY_A}"):
        with override_settings(YICHUANG_FIELD_KEYS=bad), pytest.raises(ImproperlyConfigured):
            crypto_fields.field_keys()


def test_system_check_warns_without_keys_in_production() -> None:
    with override_settings(DEBUG=False, YICHUANG_FIELD_KEYS="", YICHUANG_LOOKUP_KEY=""):
        assert {m.id for m in check_field_keys()} == {"yichuang.W012"}
    with override_settings(DEBUG=False, YICHUANG_FIELD_KEYS=KEY_A, YICHUANG_LOOKUP_KEY=LOOKUP):
        assert check_field_keys() == []
    with override_settings(DEBUG=True, YICHUANG_FIELD_KEYS="x:bad", YICHUANG_LOOKUP_KEY=""):
        assert [m.id for m in check_field_keys()] == ["yichuang.E012"]


def test_rotation_re_encrypts_under_the_first_key_and_can_rehash(db: Any) -> None:
    with override_settings(YICHUANG_FIELD_KEYS=KEY_A):
        people = [ApplicantFactory() for _ in range(5)]
        numbers = {p.pk: p.id_number for p in people}
    with override_settings(YICHUANG_FIELD_KEYS=f"{KEY_B},{KEY_A}"):
        # Both keys decrypt; new writes use b2.
        assert Applicant.objects.get(pk=people[0].pk).id_number == numbers[people[0].pk]
        call_command("rotate_field_keys", "--batch", "2", stdout=_Sink())
        assert all(raw(Applicant, pk, "id_number").startswith("v1:b2:") for pk in numbers)
        untouched = raw(Applicant, people[0].pk, "id_number")
        call_command("rotate_field_keys", stdout=_Sink())  # resumable: nothing left to do
        assert raw(Applicant, people[0].pk, "id_number") == untouched
    assert AuditEvent.objects.filter(action="field_keys.rotated").count() == 2
    with override_settings(YICHUANG_FIELD_KEYS=KEY_B):  # the old key retired
        assert {a.pk: a.id_number for a in Applicant.objects.filter(pk__in=numbers)} == numbers
        with override_settings(YICHUANG_LOOKUP_KEY=LOOKUP):
            assert not Applicant.objects.by_id_number(numbers[people[1].pk]).exists()
            call_command("rotate_field_keys", "--rehash", stdout=_Sink())
            assert Applicant.objects.by_id_number(numbers[people[1].pk]).get().pk == people[1].pk


def test_migration_step_encrypts_plaintext_rows_and_reverses(org: Any) -> None:
    setup = make_hall(org)
    number = valid_id_number(birth="19770707")
    with _open_hall():
        ticket = ticket_issue(hall=setup.hall, category=setup.general, source="kiosk", id_number=number)
    set_raw(Ticket, ticket.pk, "id_number", number)  # as before the migration
    set_raw(Ticket, ticket.pk, "id_number_hash", "")
    rewrite = crypto_fields._column_rewrite
    args = {"app_label": "hall", "model_name": "ticket", "field_name": "id_number"}
    schema_editor = type("Editor", (), {"connection": connection})()
    rewrite(apps, schema_editor, forward=True, **args)
    assert raw(Ticket, ticket.pk, "id_number").startswith("v1:")
    rewrite(apps, schema_editor, forward=True, **args)  # re-runnable
    assert Ticket.objects.get(id_number_hash=keyed_hash(number)).id_number == number
    rewrite(apps, schema_editor, forward=False, **args)
    assert raw(Ticket, ticket.pk, "id_number") == number
    assert raw(Ticket, ticket.pk, "id_number_hash") == ""


def test_partial_save_without_the_hash_is_refused(db: Any) -> None:
    applicant = ApplicantFactory()
    applicant.id_number = valid_id_number(birth="20000229")
    with pytest.raises(ImproperlyConfigured, match="id_number_hash"):
        applicant.save(update_fields=["id_number"])
    applicant.save(update_fields=["id_number", "id_number_hash"])
    assert Applicant.objects.by_id_number(applicant.id_number).get().pk == applicant.pk


def test_hall_ticket_id_number_is_encrypted(org: Any) -> None:
    setup = make_hall(org)
    number = valid_id_number(birth="19550505")
    with _open_hall():
        ticket = ticket_issue(
            hall=setup.hall, category=setup.general, source="kiosk", holder_name="王", id_number=number
        )
    assert number not in raw(Ticket, ticket.pk, "id_number")
    assert Ticket.objects.get(pk=ticket.pk, id_number_hash=keyed_hash(number)).id_number == number


def test_licence_of_a_person_signs_and_verifies_the_plaintext(org: Any) -> None:
    person = ApplicantFactory(name="乌云", user=org.user("applicant"))
    licence = issue_marriage_certificate(org, person)
    assert person.id_number not in raw(Licence, licence.pk, "holder_identifier")
    fresh = Licence.objects.get(pk=licence.pk)
    assert fresh.holder_identifier == person.id_number
    assert licence_verify(fresh).status == "valid"
    assert licence_verify_identifier(licence.identifier).status == "valid"
    # Verification reads the decrypted value: a tampered plaintext no longer matches the signature.
    fresh.holder_identifier = valid_id_number(birth="19800808")
    fresh.save()
    assert licence_verify(Licence.objects.get(pk=licence.pk)).status != "valid"


class _Sink:
    def write(self, *args: Any, **kwargs: Any) -> None:
        pass

    def flush(self) -> None:
        pass


def _open_hall() -> Any:
    return time_machine.travel(at(MONDAY, 10), tick=False)
