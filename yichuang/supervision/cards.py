"""Yellow and red cards: the sweep that issues and lifts them, the department's answer and the inspector's
review.

The sweep works on sets: one query per kind and colour finds the subjects that need a card and have none, the
cards are inserted in batches with ``ignore_conflicts`` (the unique (subject, colour) constraint makes a
second sweep, or two at once, a no-op) and each batch reads back exactly the rows it inserted to record their
events. Yellow: a running case or ticket within ``yellow_days`` working days of its limit. Red: past it.
A case whose clock is paused (特别程序) gets none; a case first seen already overdue gets only the red one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_in_scope
from yichuang.cases.models import Case, CaseStatus, DeadlineState
from yichuang.cases.workflow import TIMED_STATUSES
from yichuang.core.audit import audit_record, audited_atomic, step_record, step_update
from yichuang.core.calendar import add_working_days, working_days_between
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.masking import mask_text
from yichuang.core.notifications import notify_many, register_template
from yichuang.core.permissions import has_capability, require_capability
from yichuang.hotline.models_tickets import HotlineStatus, HotlineTicket
from yichuang.supervision.models_cards import Card, CardColor, CardEvent, CardPolicy, CardStatus, SubjectKind

C = CardStatus
CARD_TRANSITIONS: dict[str, frozenset[str]] = {
    C.ISSUED: frozenset({C.ANSWERED, C.LIFTED}),
    C.ANSWERED: frozenset({C.ACCEPTED, C.RETURNED}),
    C.RETURNED: frozenset({C.ANSWERED, C.LIFTED}),
    C.ACCEPTED: frozenset(),
    C.LIFTED: frozenset(),
}
AWAITING_ANSWER = (C.ISSUED, C.RETURNED)
# A ticket's handling clock runs while the lead department holds it (as ``hotline_sweep`` supervises).
HOTLINE_TIMED = (HotlineStatus.DISPATCHED, HotlineStatus.HANDLING)
# Cases whose handling is over (decided, or ended otherwise): a yellow card on them may be lifted.
CASE_RUNNING = (*TIMED_STATUSES, CaseStatus.SPECIAL_PROCEDURE)
HOTLINE_FINISHED = (HotlineStatus.REPLIED, HotlineStatus.CLOSED, HotlineStatus.MERGED)
BATCH_SIZE = 500
TEXT_LIMIT = 2000

CARDS_ISSUED_TEMPLATE = "supervision.cards_issued"
register_template(
    CARDS_ISSUED_TEMPLATE,
    "【电子监察】{department}新收到黄牌{yellow}张、红牌{red}张，请于{answer_due}前登录系统说明原因和整改措施。",
    subject="电子监察发牌通知：{department}",
)

CARD_RETURNED_TEMPLATE = "supervision.card_returned"
register_template(
    CARD_RETURNED_TEMPLATE,
    "【电子监察】{label}的{color}答复已被退回：{note}。请于{answer_due}前重新说明原因和整改措施。",
    subject="电子监察答复退回：{label}",
)


# ——— policy ———


@dataclass(frozen=True)
class Policy:
    subject_kind: str
    yellow_days: int
    answer_days: int
    active: bool


def card_policy(subject_kind: str) -> Policy:
    """The centre's rule for ``subject_kind``, or the defaults when no row exists."""
    row = CardPolicy.objects.filter(subject_kind=subject_kind).first()
    if row is not None:
        return Policy(subject_kind, row.yellow_days, row.answer_days, row.active)
    yellow_days, answer_days = CardPolicy.DEFAULTS[SubjectKind(subject_kind)]
    return Policy(subject_kind, yellow_days, answer_days, True)


# ——— reasons ———


class _Reasons:
    """The generated reason of a card, with the working-day counts memoised per date."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._left: dict[dt.date, int] = {}
        self._late: dict[dt.date, int] = {}

    def yellow(self, limit: dt.date) -> str:
        if limit not in self._left:
            self._left[limit] = working_days_between(self.today, limit)
        days = self._left[limit]
        if days <= 0:
            return f"今日到期（办理期限{limit:%Y-%m-%d}）"
        return f"距办理期限还有{days}个工作日（办理期限{limit:%Y-%m-%d}）"

    def red(self, limit: dt.date) -> str:
        if limit not in self._late:
            self._late[limit] = working_days_between(limit, self.today)
        days = self._late[limit]
        if days <= 0:
            return f"已超过办理期限（办理期限{limit:%Y-%m-%d}）"
        return f"已超过办理期限{days}个工作日（办理期限{limit:%Y-%m-%d}）"


# ——— the sweep ———


@dataclass
class _Candidate:
    subject_kind: str
    subject_id: int
    subject_label: str
    title: str
    department_id: int
    color: str
    limit_date: dt.date
    reason: str


def _has_card(kind: str, color: str) -> Exists:
    return Exists(Card.objects.filter(subject_kind=kind, subject_id=OuterRef("pk"), color=color))


def _case_candidates(policy: Policy, today: dt.date, reasons: _Reasons) -> Iterable[_Candidate]:
    running = (
        Case.objects.filter(status__in=TIMED_STATUSES, due_date__isnull=False)
        .exclude(deadline_state=DeadlineState.PAUSED)
        .order_by()
    )
    warn_until = add_working_days(today, policy.yellow_days)
    wanted = (
        (CardColor.RED, Q(due_date__lt=today)),
        (CardColor.YELLOW, Q(due_date__gte=today, due_date__lte=warn_until)),
    )
    for color, window in wanted:
        rows = (
            running.filter(window)
            .filter(~_has_card(SubjectKind.CASE, color))
            .values_list("pk", "number", "item_version__name", "department_id", "due_date")
            .iterator(chunk_size=2000)
        )
        for pk, number, name, department_id, due in rows:
            if due is None:  # excluded by the query; for the type checker
                continue
            yield _Candidate(
                SubjectKind.CASE,
                pk,
                number,
                (name or "")[:200],
                department_id,
                color,
                due,
                reasons.red(due) if color == CardColor.RED else reasons.yellow(due),
            )


def _local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _ticket_candidates(
    policy: Policy, today: dt.date, now: dt.datetime, reasons: _Reasons
) -> Iterable[_Candidate]:
    running = HotlineTicket.objects.filter(
        status__in=HOTLINE_TIMED, due_at__isnull=False, lead__isnull=False
    ).order_by()
    warn_end = _local_day_start(add_working_days(today, policy.yellow_days) + dt.timedelta(days=1))
    wanted = (
        (CardColor.RED, Q(due_at__lt=now)),
        (CardColor.YELLOW, Q(due_at__gte=now, due_at__lt=warn_end)),
    )
    for color, window in wanted:
        rows = (
            running.filter(window)
            .filter(~_has_card(SubjectKind.HOTLINE, color))
            .values_list("pk", "number", "title", "lead_id", "due_at")
            .iterator(chunk_size=2000)
        )
        for pk, number, title, lead_id, due_at in rows:
            due = timezone.localdate(due_at)
            yield _Candidate(
                SubjectKind.HOTLINE,
                pk,
                number,
                mask_text(title or "")[:200],
                lead_id,
                color,
                due,
                reasons.red(due) if color == CardColor.RED else reasons.yellow(due),
            )


@audited_atomic
def _issue_batch(
    candidates: list[_Candidate], *, answer_due: dict[str, dt.date], now: dt.datetime
) -> list[Card]:
    """Insert the batch's cards (a card another sweep inserted meanwhile is skipped) and record the ones
    this batch created: their events, the audit log and the department's notice."""
    token = uuid.uuid4().hex
    Card.objects.bulk_create(
        [
            Card(
                subject_kind=c.subject_kind,
                subject_id=c.subject_id,
                subject_label=c.subject_label,
                title=c.title,
                department_id=c.department_id,
                color=c.color,
                limit_date=c.limit_date,
                reason=c.reason,
                status=C.ISSUED,
                issued_at=now,
                issued_by=None,
                batch=token,
                answer_due=answer_due[c.subject_kind],
            )
            for c in candidates
        ],
        ignore_conflicts=True,
    )
    created = list(Card.objects.filter(batch=token).select_related("department").order_by("pk"))
    CardEvent.objects.bulk_create(
        [
            CardEvent(
                card=card,
                action=CardEvent.Action.ISSUED,
                from_status="",
                to_status=C.ISSUED,
                actor=None,
                at=now,
                note=card.reason,
                data={"color": card.color, "limit_date": card.limit_date.isoformat()},
            )
            for card in created
        ]
    )
    for card in created:
        audit_record(
            actor=None,
            action="supervision.card_issued",
            obj=card,
            data={
                "subject": f"{card.subject_kind}:{card.subject_id}",
                "label": card.subject_label,
                "department": card.department_id,
                "color": card.color,
                "limit_date": card.limit_date.isoformat(),
                "answer_due": card.answer_due.isoformat(),
            },
        )
    _notify_departments(created)
    return created


def _answerers(department: Department) -> list[tuple[str, str]]:
    """The SMS recipients of a department's cards: its active staff who answer cards and have a phone."""
    return [
        ("sms", user.phone)
        for user in department.staff.filter(is_active=True).exclude(phone="")
        if has_capability(user, "supervision.answer")
    ]


def _notify_departments(cards: list[Card]) -> None:
    """One SMS per department and batch to its staff who answer cards (those with a phone number)."""
    by_department: dict[int, Counter[str]] = {}
    departments: dict[int, Department] = {}
    for card in cards:
        by_department.setdefault(card.department_id, Counter())[card.color] += 1
        departments[card.department_id] = card.department
    for department_id, colours in by_department.items():
        department = departments[department_id]
        recipients = _answerers(department)
        if not recipients:
            continue
        due = min(card.answer_due for card in cards if card.department_id == department_id)
        notify_many(
            recipients=recipients,
            template=CARDS_ISSUED_TEMPLATE,
            context={
                "department": department.name,
                "yellow": colours[CardColor.YELLOW],
                "red": colours[CardColor.RED],
                "answer_due": f"{due:%m-%d}",
            },
        )


def _batches(rows: Iterable[Any], size: int = BATCH_SIZE) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _liftable_case_cards(today: dt.date) -> QuerySet[Card]:
    """Yellow cards awaiting an answer whose case is no longer running and ended by its limit."""
    finished_in_time = Case.objects.filter(pk=OuterRef("subject_id"), due_date__isnull=False).exclude(
        status__in=CASE_RUNNING
    )
    finished_in_time = finished_in_time.filter(
        Q(decided_at__isnull=False, decided_at__date__lte=F("due_date"))
        | Q(decided_at__isnull=True, closed_at__isnull=False, closed_at__date__lte=F("due_date"))
        | Q(decided_at__isnull=True, closed_at__isnull=True, due_date__gte=today)
    )
    return Card.objects.filter(
        subject_kind=SubjectKind.CASE, color=CardColor.YELLOW, status__in=AWAITING_ANSWER
    ).filter(Exists(finished_in_time))


def _liftable_ticket_cards(now: dt.datetime) -> QuerySet[Card]:
    """Yellow cards awaiting an answer whose ticket was answered, closed or merged by its limit."""
    finished_in_time = HotlineTicket.objects.filter(
        pk=OuterRef("subject_id"), status__in=HOTLINE_FINISHED, due_at__isnull=False
    ).filter(
        Q(replied_at__isnull=False, replied_at__lte=F("due_at"))
        | Q(replied_at__isnull=True, closed_at__isnull=False, closed_at__lte=F("due_at"))
        | Q(replied_at__isnull=True, closed_at__isnull=True, due_at__gte=now)
    )
    return Card.objects.filter(
        subject_kind=SubjectKind.HOTLINE, color=CardColor.YELLOW, status__in=AWAITING_ANSWER
    ).filter(Exists(finished_in_time))


@audited_atomic
def _lift_batch(ids: list[int], *, now: dt.datetime) -> int:
    count = 0
    # Locked and re-read: a card answered (or lifted by another sweep) since the query is left alone.
    for card in (
        Card.objects.select_for_update().filter(pk__in=ids, status__in=AWAITING_ANSWER).order_by("pk")
    ):
        card_transition(
            card=card,
            to=C.LIFTED,
            action=CardEvent.Action.LIFTED,
            actor=None,
            at=now,
            changes={"lifted_at": now},
            note="已在办理期限内办结，黄牌预警自动解除",
        )
        count += 1
    return count


def cards_sweep(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Issue the yellow and red cards that are due and lift the yellow ones whose subject finished in time.
    Idempotent, and safe to run while another sweep runs. Returns the counts. A ``today`` other than the
    current date without ``now`` replays that day as at its first moment."""
    if now is None:
        now = timezone.now()
        if today is not None and today != timezone.localdate(now):  # a day replayed: as at its start
            now = _local_day_start(today)
    today = today or timezone.localdate(now)
    reasons = _Reasons(today)
    report = {"yellow": 0, "red": 0, "lifted": 0}
    policies = {kind: card_policy(kind) for kind in SubjectKind.values}
    answer_due = {kind: add_working_days(today, policy.answer_days) for kind, policy in policies.items()}
    sources: list[Iterable[_Candidate]] = []
    if policies[SubjectKind.CASE].active:
        sources.append(_case_candidates(policies[SubjectKind.CASE], today, reasons))
    if policies[SubjectKind.HOTLINE].active:
        sources.append(_ticket_candidates(policies[SubjectKind.HOTLINE], today, now, reasons))
    for source in sources:
        # Read fully before writing: SQLite does not allow writes while a read cursor is open.
        for batch in _batches(list(source)):
            for card in _issue_batch(batch, answer_due=answer_due, now=now):
                report[card.color] += 1
    for liftable in (_liftable_case_cards(today), _liftable_ticket_cards(now)):
        ids = list(liftable.values_list("pk", flat=True))
        for batch in _batches(ids):
            report["lifted"] += _lift_batch(batch, now=now)
    audit_record(actor=None, action="supervision.cards_sweep", data={"day": today.isoformat(), **report})
    return report


# ——— the card's steps ———


def card_transition(
    *,
    card: Card,
    to: str,
    action: str,
    actor: Any,
    at: dt.datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CardEvent:
    """Move a locked ``card`` to ``to`` as the table allows, apply ``changes``, append its event and the
    audit entry."""
    if to not in CARD_TRANSITIONS[card.status]:
        raise ConflictError(
            f"该{card.get_color_display()}当前为“{card.get_status_display()}”，不能执行此操作",
            code="card_state",
            extra={"status": card.status, "to": to},
        )
    before = card.status
    card.status = to
    for name, value in (changes or {}).items():
        setattr(card, name, value)
    step_update(card, {"status", *(changes or {})})
    event = step_record(
        CardEvent(
            card=card,
            action=action,
            from_status=before,
            to_status=to,
            actor_id=getattr(actor, "pk", None),
            at=at,
            note=note,
            data=data or {},
        )
    )
    audit_record(
        actor=actor,
        action=f"supervision.card_{action}",
        obj=card,
        data={"label": card.subject_label, "color": card.color, "from": before, "to": to, **(data or {})},
    )
    return event


def _locked(card: Card | int) -> Card:
    pk = card if isinstance(card, int) else card.pk
    locked = Card.objects.select_for_update(of=("self",)).select_related("department").filter(pk=pk).first()
    if locked is None:
        raise NotFoundError("未找到该黄牌红牌")
    return locked


def _required(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    if len(text) > TEXT_LIMIT:
        limit = f"内容不能超过{TEXT_LIMIT}字"
        raise ApplicationError(limit, code="invalid", fields={field: [limit]})
    return text


@audited_atomic
def card_answer(
    *, actor: Any, card: Card | int, reason: str, fix: str, now: dt.datetime | None = None
) -> Card:
    """The department's answer: why the limit was (nearly) missed and what it does about it. A card already
    answered and awaiting review refuses a second answer (409)."""
    require_capability(actor, "supervision.answer", "您没有答复黄牌红牌的权限")
    now = now or timezone.now()
    locked = _locked(card)
    if not department_in_scope(actor, locked.department):
        raise NotFoundError("未找到该黄牌红牌")  # another department's card reads as absent
    errors: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for field, value, message in (
        ("reason", reason, "请填写原因说明"),
        ("fix", fix, "请填写整改措施"),
    ):
        try:
            texts[field] = _required(value, field, message)
        except ApplicationError as error:
            errors.update(error.fields)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, code="invalid", fields=errors)
    if locked.status == C.ANSWERED:
        raise ConflictError(
            "该牌已答复，正在等待监察员审核", code="card_state", extra={"status": locked.status}
        )
    changes: dict[str, Any] = {"answered_at": now, "answer_count": locked.answer_count + 1}
    if locked.first_answered_at is None:
        changes["first_answered_at"] = now
        changes["answered_late"] = timezone.localdate(now) > locked.answer_due
    card_transition(
        card=locked,
        to=C.ANSWERED,
        action=CardEvent.Action.ANSWERED,
        actor=actor,
        at=now,
        changes=changes,
        data={"reason": texts["reason"], "fix": texts["fix"], "answer": locked.answer_count},
    )
    return locked


@audited_atomic
def card_review(
    *, actor: Any, card: Card | int, accept: bool, note: str = "", now: dt.datetime | None = None
) -> Card:
    """The inspector accepts the department's answer, or returns it with the reason (the department then
    answers again within a fresh ``answer_days``)."""
    require_capability(actor, "supervision.card", "您没有审核黄牌红牌答复的权限")
    now = now or timezone.now()
    locked = _locked(card)
    note = (note or "").strip()
    if len(note) > TEXT_LIMIT:
        raise ApplicationError(f"内容不能超过{TEXT_LIMIT}字", code="invalid", fields={"note": ["过长"]})
    if not accept and not note:
        raise ApplicationError("退回须说明理由", code="invalid", fields={"note": ["请填写退回理由"]})
    if locked.status != C.ANSWERED:
        raise ConflictError(
            f"该牌当前为“{locked.get_status_display()}”，没有待审核的答复",
            code="card_state",
            extra={"status": locked.status},
        )
    changes: dict[str, Any] = {"reviewed_at": now}
    data: dict[str, Any] = {"accept": accept}
    if not accept:
        days = card_policy(locked.subject_kind).answer_days
        changes["answer_due"] = add_working_days(timezone.localdate(now), days)
        data["answer_due"] = changes["answer_due"].isoformat()
    card_transition(
        card=locked,
        to=C.ACCEPTED if accept else C.RETURNED,
        action=CardEvent.Action.ACCEPTED if accept else CardEvent.Action.RETURNED,
        actor=actor,
        at=now,
        changes=changes,
        note=note,
        data=data,
    )
    if not accept:
        recipients = _answerers(locked.department)
        if recipients:
            notify_many(
                recipients=recipients,
                template=CARD_RETURNED_TEMPLATE,
                context={
                    "label": locked.subject_label,
                    "color": locked.get_color_display(),
                    "note": note[:100],
                    "answer_due": f"{locked.answer_due:%m-%d}",
                },
                related=locked,
            )
    return locked


def cards_sweep_by(*, actor: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """The inspector runs the sweep from the screen or the API."""
    require_capability(actor, "supervision.card", "您没有执行发牌的权限")
    return cards_sweep(now=now)
