"""A read compiled once gives the same objects as the ORM, one query per call, and keeps the ORM's rules."""

from __future__ import annotations

import pytest
from django.db import transaction

from yichuang.accounts.models import User
from yichuang.core.prepared import PreparedRead

pytestmark = pytest.mark.django_db


def _staff(pk: int):
    return (
        User.objects.select_related("department")
        .only("username", "role", "is_active", "date_joined", "department__name", "department__path")
        .filter(pk=pk)
    )


def test_it_reads_what_the_orm_reads_with_the_joined_rows(org, django_assert_num_queries) -> None:
    read = PreparedRead(_staff)
    for username in ("reviewer", "clerk", "reviewer_bdc"):
        expected = _staff(org.user(username).pk).get()
        with django_assert_num_queries(1):
            found = read.get(expected.pk)
            assert found is not None
            # the joined department came with it, and the datetime went through the same converters
            assert (found.department.name, found.department.path) == (
                expected.department.name,
                expected.department.path,
            )
        assert (found.pk, found.username, found.role, found.is_active, found.date_joined) == (
            expected.pk,
            expected.username,
            expected.role,
            expected.is_active,
            expected.date_joined,
        )
        assert found.get_deferred_fields() == expected.get_deferred_fields()
        assert not found._state.adding and found._state.db == "default"


def test_a_missing_key_reads_none_and_a_read_without_its_key_is_refused() -> None:
    assert PreparedRead(_staff).get(10**9) is None
    with pytest.raises(ValueError, match="does not use each of its keys"):
        PreparedRead(lambda pk: User.objects.filter(pk=1)).get(1)


def test_several_keys_of_both_kinds_and_every_row_in_order(org) -> None:
    read = PreparedRead(
        lambda department_id, role: User.objects.filter(department_id=department_id, role=role).order_by(
            "-username"
        ),
        key_types=(int, str),
    )
    staff = read.rows(org.scjg.pk, "reviewer")
    expected = list(User.objects.filter(department=org.scjg, role="reviewer").order_by("-username"))
    assert [user.username for user in staff] == [user.username for user in expected] and staff
    assert read.rows(org.scjg.pk, "no-such-role") == []
    with pytest.raises(TypeError):
        read.rows(org.scjg.pk)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction_as_with_the_orm(org) -> None:
    read = PreparedRead(lambda pk: User.objects.select_for_update().filter(pk=pk))
    pk = org.user("clerk").pk
    with transaction.atomic():
        assert read.get(pk).username == "clerk"
    with pytest.raises(transaction.TransactionManagementError):
        read.get(pk)  # compiled already: the rule still holds
