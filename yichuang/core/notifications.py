"""Notifications 消息通知: one interface for every SMS and e-mail the platform sends.

Apps register their message templates (``register_template``) and call ``notify`` from their
services. The message is rendered at once — an unknown template or a missing value raises
``NotificationTemplateError`` in the caller, never a half message — and handed to the backend only
after the surrounding transaction commits, so a rolled-back state change sends nothing. The database
backend, which sends nothing, writes its row inside the transaction instead (the same guarantee, without
a second commit per step).

The backend is ``settings.YICHUANG_NOTIFICATION_BACKEND`` (a dotted path). A backend's ``send``
raises on failure; the failure is logged and recorded as a ``Notification`` row with status
``failed`` and never reaches the caller's request. With a real job queue (RQ, yichuang/core/jobs.py) a
message for an outside backend is delivered by a queue worker after the commit.
"""

from __future__ import annotations

import dataclasses
import logging
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.module_loading import import_string
from django_tasks import task

from yichuang.core import jobs
from yichuang.core.audit import step_record
from yichuang.core.masking import mask_email, mask_phone, mask_text
from yichuang.core.models import Notification
from yichuang.core.permissions import require_capability

logger = logging.getLogger("yichuang.notifications")

DEFAULT_BACKEND = "yichuang.core.notifications.DatabaseBackend"
CHANNELS = frozenset(Notification.Channel.values)
ERROR_MAX_CHARS = 1000


class NotificationTemplateError(ValueError):
    """A programming error: the template or its values do not produce a complete message."""


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    text: str
    subject: str
    fields: frozenset[str]


@dataclass(frozen=True)
class Message:
    """A rendered message, ready for a backend."""

    channel: str
    to: str
    subject: str
    body: str
    template: str
    object_type: str = ""
    object_id: str = ""

    @property
    def to_masked(self) -> str:
        return mask_recipient(self.channel, self.to)


_TEMPLATES: dict[str, MessageTemplate] = {}


def _fields_of(key: str, text: str) -> set[str]:
    fields: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise NotificationTemplateError(f"通知模板 {key} 格式错误：{error}") from None
    for _literal, field, _spec, _conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier():
            # Attribute or index access ({case.applicant.phone}) would reach past the values the
            # caller chose to put into the message.
            raise NotificationTemplateError(f"通知模板 {key} 的占位符 {{{field}}} 只能是简单名称")
        fields.add(field)
    return fields


def register_template(key: str, text: str, subject: str = "", *, replace: bool = False) -> MessageTemplate:
    """Register a message template under ``key`` (``"case.accepted"``), at import or ``ready()`` time.

    Registering the same text twice is harmless; a different text under a taken key is refused
    unless ``replace=True`` — two apps must not silently fight over one key.
    """
    if not key or not text:
        raise NotificationTemplateError("通知模板的键和正文都不能为空")
    fields = _fields_of(key, text) | _fields_of(key, subject)
    template = MessageTemplate(key=key, text=text, subject=subject, fields=frozenset(fields))
    existing = _TEMPLATES.get(key)
    if existing is not None and existing != template and not replace:
        raise NotificationTemplateError(f"通知模板 {key} 已注册为不同的内容")
    _TEMPLATES[key] = template
    return template


def template_get(key: str) -> MessageTemplate:
    try:
        return _TEMPLATES[key]
    except KeyError:
        raise NotificationTemplateError(f"未注册的通知模板：{key}") from None


def template_keys() -> list[str]:
    return sorted(_TEMPLATES)


def render(template: str, context: Mapping[str, Any], subject: str = "") -> tuple[str, str]:
    """Return ``(subject, body)`` of ``template`` filled with ``context``, or raise."""
    found = template_get(template)
    missing = sorted(name for name in found.fields if context.get(name) is None)
    if missing:
        raise NotificationTemplateError(f"通知模板 {template} 缺少内容：{'、'.join(missing)}")
    values = {name: context[name] for name in found.fields}
    try:
        body = found.text.format_map(values)
        rendered_subject = subject or found.subject.format_map(values)
    except (ValueError, TypeError) as error:  # a format spec that does not fit the value ({n:d} with "三")
        raise NotificationTemplateError(f"通知模板 {template} 无法填入内容：{error}") from None
    return rendered_subject, body


def mask_recipient(channel: str, to: str) -> str:
    return mask_email(to) if channel == Notification.Channel.EMAIL else mask_phone(to)


def _check_recipient(channel: str, to: str) -> str:
    if channel not in CHANNELS:
        raise NotificationTemplateError(f"不支持的通知渠道：{channel}（可用：{'、'.join(sorted(CHANNELS))}）")
    to = (to or "").strip()
    if not to:
        raise NotificationTemplateError("通知没有接收人（手机号码或电子邮箱为空）")
    if channel == Notification.Channel.SMS and not to.lstrip("+").replace("-", "").isdigit():
        raise NotificationTemplateError(f"短信接收人应为电话号码：{mask_text(to)}")
    if channel == Notification.Channel.EMAIL and "@" not in to:
        raise NotificationTemplateError(f"邮件接收人应为电子邮箱：{mask_email(to)}")
    return to


def message_build(
    *,
    channel: str,
    to: str,
    template: str,
    context: Mapping[str, Any],
    related: models.Model | None = None,
    subject: str = "",
) -> Message:
    """Render and check a message without sending it (``notify`` uses this; so can a preview)."""
    to = _check_recipient(channel, to)
    rendered_subject, body = render(template, context, subject)
    return Message(
        channel=channel,
        to=to,
        subject=rendered_subject[:200],
        body=body,
        template=template,
        object_type=related._meta.label_lower if related is not None else "",
        object_id=str(related.pk) if related is not None and related.pk is not None else "",
    )


def notify(
    *,
    channel: str,
    to: str,
    template: str,
    context: Mapping[str, Any],
    related: models.Model | None = None,
    subject: str = "",
) -> None:
    """Send one message after the current transaction commits (at once outside a transaction)."""
    message = message_build(
        channel=channel, to=to, template=template, context=context, related=related, subject=subject
    )
    _queue(message)


def _queue(message: Message) -> None:
    try:
        backend: NotificationBackend | None = backend_get()
    except ImportError:
        backend = None  # ``deliver`` records the broken setting as a failure after the commit
    if backend is not None and backend.in_transaction and transaction.get_connection().in_atomic_block:
        backend.send(message)  # only a row in this transaction: it exists exactly when the change commits
        return
    transaction.on_commit(partial(_hand_over, message), robust=True)


def _hand_over(message: Message) -> None:
    """After the commit: to a queue worker when there is a real queue (a slow SMS gateway then never holds
    up the request, and the job outlives the web process), else straight to the backend."""
    if jobs.backend_name() == "rq":
        deliver_job.enqueue(dataclasses.asdict(message))
    else:
        deliver(message)


@task()
def deliver_job(message: dict[str, str]) -> None:
    """The queued delivery (yichuang/core/jobs.py)."""
    deliver(Message(**message))


def notify_many(
    *,
    recipients: Iterable[tuple[str, str]],
    template: str,
    context: Mapping[str, Any],
    related: models.Model | None = None,
    subject: str = "",
) -> int:
    """Send the same message to several ``(channel, to)`` pairs; returns how many were queued.

    Every message is built before any is queued, so one bad recipient queues none.
    """
    messages = [
        message_build(
            channel=channel, to=to, template=template, context=context, related=related, subject=subject
        )
        for channel, to in recipients
    ]
    for message in messages:
        _queue(message)
    return len(messages)


# ---------------------------------------------------------------- delivery


def backend_path() -> str:
    return getattr(settings, "YICHUANG_NOTIFICATION_BACKEND", "") or DEFAULT_BACKEND


def backend_get() -> NotificationBackend:
    backend_class = import_string(backend_path())
    return backend_class()


def deliver(message: Message) -> None:
    """Hand ``message`` to the configured backend; a failure is logged and recorded, never raised."""
    path = backend_path()
    try:
        backend_get().send(message)
    except Exception as error:
        reason = mask_text(f"{type(error).__name__}: {error}")[:ERROR_MAX_CHARS]
        logger.warning(
            "notification failed: %s to %s template %s via %s: %s",
            message.channel,
            message.to_masked,
            message.template,
            path,
            reason,
        )
        try:
            notification_record(message, status=Notification.Status.FAILED, error=reason, backend=path)
        except Exception:  # the database itself is gone: the log line above is all we can keep
            logger.exception("notification failure could not be recorded")


def notification_record(message: Message, *, status: str, error: str = "", backend: str = "") -> Notification:
    return Notification.objects.create(
        channel=message.channel,
        to=message.to,
        subject=message.subject,
        body=message.body,
        template=message.template,
        status=status,
        error=error,
        backend=backend,
        object_type=message.object_type,
        object_id=message.object_id,
    )


class NotificationBackend:
    """Base of every backend: ``send`` delivers one message or raises.

    ``in_transaction``: the backend only writes to the database, so a message queued inside a transaction
    is written in it (no second commit, and gone if the change rolls back); every other backend is called
    after the commit."""

    in_transaction = False

    def send(self, message: Message) -> None:
        raise NotImplementedError

    @property
    def path(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"


class DatabaseBackend(NotificationBackend):
    """Delivers nothing; records the message as sent (demo, tests, a gateway not yet contracted). Inside a
    step the row is written with the step's audit events (``step_record``)."""

    in_transaction = True

    def send(self, message: Message) -> None:
        step_record(
            Notification(
                channel=message.channel,
                to=message.to,
                subject=message.subject,
                body=message.body,
                template=message.template,
                status=Notification.Status.SENT,
                backend=self.path,
                object_type=message.object_type,
                object_id=message.object_id,
            )
        )


class LogBackend(NotificationBackend):
    """Writes the message to the log (phone and ID numbers are masked by the log filter)."""

    def send(self, message: Message) -> None:
        logger.info(
            "notification %s to %s [%s] %s %s",
            message.channel,
            message.to_masked,
            message.template,
            message.subject,
            message.body,
        )


class EmailBackend(NotificationBackend):
    """E-mail through Django's mail settings (``EMAIL_BACKEND``, ``EMAIL_HOST`` …) and a record of it.

    SMS are only recorded: a county needs its operator's SMS gateway contract first; plug it in as
    another backend subclass.
    """

    def send(self, message: Message) -> None:
        if message.channel == Notification.Channel.EMAIL:
            send_mail(
                subject=message.subject or "一窗通知",
                message=message.body,
                from_email=None,
                recipient_list=[message.to],
                fail_silently=False,
            )
        notification_record(message, status=Notification.Status.SENT, backend=self.path)


# ---------------------------------------------------------------- reading


def notification_list(
    *, actor: Any, recipient: str = "", object_type: str = "", object_id: str = "", status: str = ""
) -> QuerySet[Notification]:
    """Notifications newest first, for admins and inspectors; ``recipient`` matches the full number."""
    require_capability(actor, "audit.view", "只有管理员和监察员可以查看通知记录")
    notifications = Notification.objects.order_by("-created_at", "-id")
    if recipient.strip():
        notifications = notifications.filter(to=recipient.strip())
    if object_type.strip():
        notifications = notifications.filter(object_type=object_type.strip())
    if object_id.strip():
        notifications = notifications.filter(object_id=object_id.strip())
    if status.strip():
        notifications = notifications.filter(status=status.strip())
    return notifications
