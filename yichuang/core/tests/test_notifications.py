from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.urls import reverse

from yichuang.core.masking import mask_email
from yichuang.core.models import Notification
from yichuang.core.notifications import (
    Message,
    NotificationBackend,
    NotificationTemplateError,
    notify,
    notify_many,
    register_template,
)

pytestmark = pytest.mark.django_db

ACCEPTED = (
    "【一窗】您申请的“{item_name}”（办件编号{case_number}）已受理，承诺{promised_days}个工作日内办结。"
    "查询：{track_url}"
)
register_template("test.case_accepted", ACCEPTED, subject="办件已受理：{case_number}")

PHONE = "13812345678"
CONTEXT = {
    "item_name": "食品经营许可",
    "case_number": "2025-0001",
    "promised_days": 5,
    "track_url": "https://yc.example/t/abc",
}


class ExplodingBackend(NotificationBackend):
    def send(self, message: Message) -> None:
        raise ConnectionError(f"gateway refused {message.to}")


def _send(**overrides) -> None:
    arguments = {"channel": "sms", "to": PHONE, "template": "test.case_accepted", "context": CONTEXT}
    notify(**{**arguments, **overrides})


# ---------------------------------------------------------------- templates


def test_a_message_is_rendered_from_its_template_and_recorded_in_the_transaction(
    org, django_capture_on_commit_callbacks
) -> None:
    related = org.user("applicant")
    # The database backend sends nothing, so it writes its row with the change: no second commit.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(related=related)
    assert callbacks == []
    sent = Notification.objects.get()
    assert sent.body == (
        "【一窗】您申请的“食品经营许可”（办件编号2025-0001）已受理，承诺5个工作日内办结。查询：https://yc.example/t/abc"
    )
    assert sent.subject == "办件已受理：2025-0001"
    assert (sent.channel, sent.to, sent.status, sent.template) == ("sms", PHONE, "sent", "test.case_accepted")
    assert (sent.object_type, sent.object_id) == ("accounts.user", str(related.pk))
    assert sent.backend == "yichuang.core.notifications.DatabaseBackend"


def test_an_explicit_subject_wins_over_the_template_subject(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _send(channel="email", to="bater@example.com", subject="您的办件")
    assert Notification.objects.get().subject == "您的办件"


def test_an_unknown_template_is_an_error_at_call_time(django_capture_on_commit_callbacks) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(NotificationTemplateError, match=r"未注册的通知模板：case\.nope"),
    ):
        _send(template="case.nope")
    assert callbacks == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("broken", [{"track_url": None}, {"promised_days": None, "track_url": None}])
def test_a_missing_value_is_an_error_naming_it_never_a_half_message(
    broken, django_capture_on_commit_callbacks
) -> None:
    context = {key: value for key, value in {**CONTEXT, **broken}.items() if value is not None}
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(NotificationTemplateError) as error,
    ):
        _send(context=context)
    for name in broken:
        assert name in str(error.value)
    assert callbacks == [] and not Notification.objects.exists()


def test_a_value_that_does_not_fit_the_format_spec_is_an_error() -> None:
    register_template("test.count", "前面还有{ahead:d}人")
    with pytest.raises(NotificationTemplateError, match="无法填入"):
        notify(channel="sms", to=PHONE, template="test.count", context={"ahead": "三"})


def test_a_key_cannot_be_taken_over_by_a_different_text_and_placeholders_are_plain_names() -> None:
    register_template("test.case_accepted", ACCEPTED, subject="办件已受理：{case_number}")  # same: harmless
    with pytest.raises(NotificationTemplateError, match="已注册为不同的内容"):
        register_template("test.case_accepted", "别的内容{x}")
    with pytest.raises(NotificationTemplateError, match="只能是简单名称"):
        register_template("test.attr", "您好，{case.applicant.phone}")
    with pytest.raises(NotificationTemplateError, match="格式错误"):
        register_template("test.broken", "未闭合的{占位")


@pytest.mark.parametrize(
    ("channel", "to", "match"),
    [
        ("fax", PHONE, "不支持的通知渠道"),
        ("sms", "", "没有接收人"),
        ("sms", "bater@example.com", "应为电话号码"),
        ("email", PHONE, "应为电子邮箱"),
    ],
)
def test_a_wrong_channel_or_recipient_is_refused(channel, to, match) -> None:
    with pytest.raises(NotificationTemplateError, match=match):
        _send(channel=channel, to=to)


# ---------------------------------------------------------------- after commit


@transaction.atomic
def _change_state_then_fail(**overrides) -> None:
    _send(**overrides)
    raise RuntimeError("the state change failed after notify")


def test_a_rolled_back_state_change_sends_nothing(
    settings, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    # E-mail leaves the process, so a message sent before the rollback could not be taken back.
    settings.YICHUANG_NOTIFICATION_BACKEND = "yichuang.core.notifications.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _change_state_then_fail(channel="email", to="bater@example.com")
    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.exists()


class RecordingBackend(NotificationBackend):
    sent: list[str] = []

    def send(self, message: Message) -> None:
        self.sent.append(message.to)


@pytest.mark.django_db(transaction=True)
def test_real_commit_sends_and_real_rollback_does_not(settings) -> None:
    with pytest.raises(RuntimeError):
        _change_state_then_fail(to="13900001111")
    with transaction.atomic():
        _send()
    assert list(Notification.objects.values_list("to", flat=True)) == [PHONE]
    _send(to="13900002222")  # outside a transaction: at once
    assert Notification.objects.count() == 2
    # A backend that leaves the process is only called once the change is committed.
    settings.YICHUANG_NOTIFICATION_BACKEND = "yichuang.core.tests.test_notifications.RecordingBackend"
    RecordingBackend.sent.clear()
    with pytest.raises(RuntimeError):
        _change_state_then_fail(to="13900003333")
    with transaction.atomic():
        _send()
        assert RecordingBackend.sent == []
    assert RecordingBackend.sent == [PHONE]


def test_notify_many_queues_all_or_none(django_capture_on_commit_callbacks) -> None:
    recipients = [("sms", PHONE), ("email", "bater@example.com")]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotificationTemplateError):
        notify_many(recipients=[*recipients, ("sms", "")], template="test.case_accepted", context=CONTEXT)
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        queued = notify_many(recipients=recipients, template="test.case_accepted", context=CONTEXT)
    assert queued == 2
    assert sorted(Notification.objects.values_list("channel", "to")) == [
        ("email", "bater@example.com"),
        ("sms", PHONE),
    ]


# ---------------------------------------------------------------- backends


def test_the_log_backend_logs_masked_and_records_nothing(
    settings, caplog, django_capture_on_commit_callbacks
) -> None:
    settings.YICHUANG_NOTIFICATION_BACKEND = "yichuang.core.notifications.LogBackend"
    with (
        caplog.at_level(logging.INFO, logger="yichuang.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _send()
    assert not Notification.objects.exists()
    assert "138****5678" in caplog.text and PHONE not in caplog.text
    assert "食品经营许可" in caplog.text


def test_a_failing_backend_is_recorded_and_logged_not_raised(
    settings, caplog, django_capture_on_commit_callbacks
) -> None:
    settings.YICHUANG_NOTIFICATION_BACKEND = "yichuang.core.tests.test_notifications.ExplodingBackend"
    with (
        caplog.at_level(logging.WARNING, logger="yichuang.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _send()  # does not raise
    failed = Notification.objects.get()
    assert failed.status == Notification.Status.FAILED
    assert failed.error == "ConnectionError: gateway refused 138****5678"
    assert failed.backend.endswith("ExplodingBackend")
    assert "notification failed" in caplog.text and PHONE not in caplog.text


def test_a_backend_path_that_does_not_import_is_recorded_as_a_failure(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.YICHUANG_NOTIFICATION_BACKEND = "yichuang.core.notifications.NoSuchBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _send()
    failed = Notification.objects.get()
    assert failed.status == "failed" and "NoSuchBackend" in failed.error


def test_the_email_backend_sends_mail_and_records_both_channels(
    settings, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    settings.YICHUANG_NOTIFICATION_BACKEND = "yichuang.core.notifications.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        _send(channel="email", to="bater@example.com")
        _send()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["bater@example.com"]
    assert mailoutbox[0].subject == "办件已受理：2025-0001"
    assert "食品经营许可" in mailoutbox[0].body
    assert sorted(Notification.objects.values_list("channel", "status")) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]


# ---------------------------------------------------------------- screen and API


def _sent(count: int, *, to: str = PHONE, related=None) -> None:
    for _ in range(count):
        notify(channel="sms", to=to, template="test.case_accepted", context=CONTEXT, related=related)


@pytest.mark.parametrize("role", ["admin", "inspector"])
def test_the_screen_shows_recipients_masked(
    org, client_for, role, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _sent(1)
        notify(channel="email", to="bater@example.com", template="test.case_accepted", context=CONTEXT)
    response = client_for(role).get(reverse("core:notification_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "138****5678" in html and PHONE not in html
    assert "b****@example.com" in html and "bater@example.com" not in html
    assert "食品经营许可" in html


def test_the_screen_filters_by_full_recipient_and_object(
    org, client_for, django_capture_on_commit_callbacks
) -> None:
    applicant = org.user("applicant")
    with django_capture_on_commit_callbacks(execute=True):
        _sent(1, related=applicant)
        _sent(1, to="13900001111")
    client = client_for("admin")
    html = client.get(reverse("core:notification_list"), {"recipient": "13900001111"}).content.decode()
    assert "139****1111" in html and "138****5678" not in html
    html = client.get(
        reverse("core:notification_list"), {"object_type": "accounts.user", "object_id": applicant.pk}
    ).content.decode()
    assert "138****5678" in html and "139****1111" not in html


@pytest.mark.parametrize("role", ["applicant", "clerk"])
def test_applicants_and_clerks_may_not_see_notifications(org, client_for, role) -> None:
    client = client_for(role)
    assert client.get(reverse("core:notification_list")).status_code == 403
    response = client.get("/api/v1/notifications")
    assert response.status_code == 403
    assert response.json()["error"]["code"]


def test_the_api_filters_and_masks(org, client_for, django_capture_on_commit_callbacks) -> None:
    applicant = org.user("applicant")
    with django_capture_on_commit_callbacks(execute=True):
        _sent(2, related=applicant)
        _sent(1, to="13900001111")
    client = client_for("inspector")
    body = client.get("/api/v1/notifications").json()
    assert body["total"] == 3
    assert PHONE not in str(body)
    assert {item["to"] for item in body["items"]} == {"138****5678", "139****1111"}
    body = client.get("/api/v1/notifications", {"recipient": PHONE}).json()
    assert body["total"] == 2 and {item["to"] for item in body["items"]} == {"138****5678"}
    body = client.get(
        "/api/v1/notifications", {"object_type": "accounts.user", "object_id": str(applicant.pk), "limit": 1}
    ).json()
    assert body["total"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["template"] == "test.case_accepted"
    assert body["items"][0]["status"] == "sent"
    assert client.get("/api/v1/notifications", {"limit": 0}).status_code == 422


def test_the_list_query_count_does_not_grow_with_rows(
    org, client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
) -> None:
    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        _sent(3)
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("core:notification_list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        _sent(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("core:notification_list")).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/notifications").status_code == 200


def test_mask_email_keeps_only_the_first_letter_and_the_domain() -> None:
    assert mask_email("bater@example.com") == "b****@example.com"
    assert mask_email("a@nm.gov.cn") == "a*@nm.gov.cn"
    assert mask_email("") == ""


def test_the_django_admin_lists_notifications_read_only_and_masked(
    org, client_for, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _sent(1)
    client = client_for("admin")
    changelist = reverse("admin:core_notification_changelist")
    html = client.get(changelist).content.decode()
    assert "138****5678" in html and PHONE not in html
    detail = client.get(reverse("admin:core_notification_change", args=[Notification.objects.get().pk]))
    assert detail.status_code == 200
    assert PHONE not in detail.content.decode()
    assert client.get(reverse("admin:core_notification_add")).status_code == 403
