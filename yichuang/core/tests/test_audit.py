from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from yichuang.accounts import services
from yichuang.core.audit import audit_batch, audit_record, audit_verify_chain, step_record, step_update
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _register_three(org) -> None:
    for number, name in (("150824199003071233", "巴特尔"), ("110101199003071233", "王芳")):
        services.applicant_register(actor=org.user("clerk"), kind="natural", name=name, id_number=number)
    services.applicant_register(
        actor=org.user("helper"), kind="legal", name="草原牧歌餐饮", credit_code="91150824MA0N12345P"
    )


def test_every_service_call_appends_a_chained_event(org) -> None:
    before = AuditEvent.objects.count()
    _register_three(org)
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) == before + 3
    assert [e.action for e in events[-3:]] == ["applicant.register"] * 3
    assert events[-1].actor_label == "helper"
    for previous, current in itertools.pairwise(events):
        assert current.prev_hash == previous.hash
        assert current.seq == previous.seq + 1
    report = audit_verify_chain()
    assert report.ok and report.checked == len(events)


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_a_batch_appends_its_events_together_when_the_step_ends(org) -> None:
    clerk = org.user("clerk")
    with transaction.atomic(), audit_batch():
        first = audit_record(actor=clerk, action="test.first")
        audit_record(actor=clerk, action="test.second")
        assert "test.first" not in _actions() and first.pk is None  # not yet: appended at the end
    assert _actions()[-2:] == ["test.first", "test.second"]
    assert first.pk is not None and first.seq == AuditEvent.objects.get(action="test.second").seq - 1
    assert audit_verify_chain().ok


def test_a_failed_step_leaves_no_event_and_a_rolled_back_savepoint_takes_only_its_own(org) -> None:
    clerk = org.user("clerk")

    def failing_step() -> None:
        with transaction.atomic(), audit_batch():
            audit_record(actor=clerk, action="test.lost")
            raise RuntimeError("the step failed")

    with pytest.raises(RuntimeError):
        failing_step()
    assert "test.lost" not in _actions()
    with transaction.atomic(), audit_batch():
        audit_record(actor=clerk, action="test.kept")
        try:
            with transaction.atomic():  # a nested block that fails on its own
                audit_record(actor=clerk, action="test.undone")
                raise RuntimeError
        except RuntimeError:
            pass
        audit_record(actor=clerk, action="test.also_kept")
    actions = _actions()
    assert "test.undone" not in actions and actions[-2:] == ["test.kept", "test.also_kept"]
    assert audit_verify_chain().ok


def test_a_steps_records_are_written_with_its_events(org) -> None:
    from yichuang.core.models import Notification

    def message(to: str) -> Notification:
        return Notification(channel="sms", to=to, body="您的办件已受理", template="test", status="sent")

    clerk = org.user("clerk")
    with transaction.atomic(), audit_batch():
        kept = step_record(message("13900000001"))
        audit_record(actor=clerk, action="test.with_record")
        assert not Notification.objects.filter(to="13900000001").exists() and kept.pk is None
    assert Notification.objects.filter(to="13900000001").exists()
    assert _actions()[-1] == "test.with_record" and audit_verify_chain().ok

    def failing_step() -> None:
        with transaction.atomic(), audit_batch():
            step_record(message("13900000002"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_step()
    assert not Notification.objects.filter(to="13900000002").exists()
    outside = step_record(message("13900000003"))  # no batch: written at once
    assert outside.pk is not None


def test_a_steps_row_updates_land_with_its_events_each_row_once(org) -> None:
    from yichuang.accounts.models import User

    clerk = org.user("clerk")
    with transaction.atomic(), audit_batch():
        clerk.full_name = "窗口甲"
        step_update(clerk, ["full_name"])
        clerk.email = "window@example.com"
        step_update(clerk, {"email"})  # the same row again: one UPDATE with both fields
        audit_record(actor=clerk, action="test.update")
        assert User.objects.get(pk=clerk.pk).full_name != "窗口甲"  # not yet
    stored = User.objects.get(pk=clerk.pk)
    assert (stored.full_name, stored.email) == ("窗口甲", "window@example.com")
    assert audit_verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_a_batch_needs_a_transaction() -> None:
    with pytest.raises(transaction.TransactionManagementError), audit_batch():
        pass


def test_personal_data_is_masked_in_the_log(org) -> None:
    _register_three(org)
    event = AuditEvent.objects.filter(action="applicant.register").order_by("seq").first()
    assert event.data["id_number"] == "1508**********1233"
    assert "150824199003071233" not in str(event.data)


def test_changing_one_stored_row_is_named_by_audit_verify(org, capsys) -> None:
    _register_three(org)
    victim = AuditEvent.objects.filter(action="applicant.register").order_by("seq")[1]
    # Tamper the way an attacker with database access would: bypass the model.
    AuditEvent.objects.filter(pk=victim.pk).update(data={**victim.data, "kind": "legal"})
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_break.seq == victim.seq
    assert "篡改" in report.first_break.reason
    with pytest.raises(CommandError, match=f"#{victim.seq}"):
        call_command("audit_verify")


def test_removing_a_row_or_the_tail_is_detected(org) -> None:
    _register_three(org)
    last = AuditEvent.objects.order_by("-seq").first()
    AuditEvent.objects.filter(pk=last.pk)._raw_delete(using="default")
    report = audit_verify_chain()
    assert not report.ok and "末尾被删除" in report.first_break.reason
    middle = AuditEvent.objects.order_by("seq")[0]
    AuditEvent.objects.filter(pk=middle.pk)._raw_delete(using="default")
    report = audit_verify_chain()
    assert report.first_break.seq == middle.seq and "缺失" in report.first_break.reason


def test_an_intact_chain_passes_the_command(org, capsys) -> None:
    _register_three(org)
    call_command("audit_verify")
    assert "审计链完好" in capsys.readouterr().out


def test_events_cannot_be_changed_through_the_model(org) -> None:
    _register_three(org)
    event = AuditEvent.objects.first()
    event.action = "forged"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_audit_verify_api_is_for_admin_and_inspector(client_for) -> None:
    assert client_for("inspector").get("/api/v1/audit/verify").json()["ok"] is True
    assert client_for("admin").get("/audit/?verify=1").status_code == 200
    assert client_for("clerk").get("/api/v1/audit/verify").status_code == 403
    assert client_for("clerk").get("/audit/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers itself; the row-lock race is tested on PostgreSQL")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                audit_record(actor=None, action="test.concurrent", object_id=f"{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 60
    assert audit_verify_chain().ok
