"""`manage.py demo_load` (what `make demo` runs) builds the whole demo centre and can run twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from yichuang.accounts.models import Applicant, Department, User
from yichuang.accounts.roles import Role
from yichuang.cases.models import Case
from yichuang.catalog.models import CatalogImport, ItemKind, ItemStatus, ServiceItem
from yichuang.core.audit import audit_verify_chain
from yichuang.demo.loader import real_catalogue_path
from yichuang.supervision.models import Card, FigureDay, Inspection, SampleDraw

pytestmark = pytest.mark.django_db


def test_demo_load_builds_the_centre_and_can_run_twice(capsys) -> None:
    call_command("demo_load")
    handling = ServiceItem.objects.filter(kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE)
    counts = (Department.objects.count(), User.objects.count(), handling.count(), Case.objects.count())
    call_command("demo_load")
    assert (
        Department.objects.count(),
        User.objects.count(),
        handling.count(),
        Case.objects.count(),
    ) == counts
    # The case history shows every desk something to do, with deadline colours.
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"submitted", "correction", "refused", "accepted", "in_review", "special_procedure"} <= statuses
    assert {"approved", "denied", "result_ready", "closed"} <= statuses
    assert {"normal", "warning", "overdue", "paused"} <= set(
        Case.objects.values_list("deadline_state", flat=True)
    )
    assert Case.objects.filter(applicant__user__username="applicant").count() >= 3

    out = capsys.readouterr().out
    assert {user.role for user in User.objects.all()} == set(Role.values)
    for username in ("admin", "clerk", "reviewer", "chief_rep", "issuer", "helper", "operator", "handler", "inspector", "applicant"):  # fmt: skip
        assert username in out
    assert Department.objects.filter(name="乌拉特中旗市场监督管理局").get().depth == 2
    assert Applicant.objects.filter(kind="legal").count() == 6
    assert Applicant.objects.filter(kind="natural").count() == 20
    demo_items = handling.filter(department__division_code="150824")
    assert demo_items.count() >= 60
    assert all(item.current_version_id and item.implementation_code for item in demo_items)
    if real_catalogue_path() is not None:
        assert CatalogImport.objects.filter(status="succeeded").count() == 1
        assert handling.filter(department__division_code="511602").count() == 1135
    # Supervision: the year's draws, the cards on the overdue demo cases, the roll-up.
    assert SampleDraw.objects.count() == timezone.localdate().month
    assert Card.objects.filter(color="red").exists() and FigureDay.objects.exists()
    assert Inspection.objects.filter(conclusion="basic").exists()
    assert audit_verify_chain().ok


def test_demo_load_can_leave_out_the_real_catalogue(capsys) -> None:
    call_command("demo_load", "--without-real-catalogue")
    assert not CatalogImport.objects.exists()
    assert ServiceItem.objects.filter(department__division_code="150824").exists()
