"""What the supervision figures count, defined once for the roll-up, the live part and the drill-down.

A case contributes up to three facts, each on its own local day:

- **接件** (submitted) on the day of ``submitted_at``;
- **受理** (accepted) on the day of ``accepted_at`` (a deemed acceptance counts from receipt, §32), with its
  flags: 网上受理 (channel online or mobile), 即办件 (kind immediate), 综合窗口受理 (accepted by a 综窗受理员,
  the comprehensive windows' role), 免证办 (a material satisfied from an e-licence or shared data);
- **办结** (decided) on the day of ``decided_at`` (the decision closes the handling, codes 11–13): 按时 when
  decided on or before ``due_date``, 提前 when before it, 超期 when after it, and the working days from the
  acceptance day to the decision day (``WorkdayOrdinal``).

Each dimension names who a fact belongs to: the case's department or item; the window where the accepting
clerk was signed in at that moment (from the hall's window log); the staff member who accepted or decided.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import TruncDate

from yichuang.accounts.models import User
from yichuang.accounts.roles import Role
from yichuang.cases.models import Case, CaseChannel, CaseKind, CaseMaterial, CaseMaterialState
from yichuang.hall.models import WindowEvent
from yichuang.supervision.models import COUNT_FIELDS, Dimension, WorkdayOrdinal

ONLINE_CHANNELS = (CaseChannel.ONLINE, CaseChannel.MOBILE)

# fact → the timestamp that dates it
FACT_DATES = {"submitted": "submitted_at", "accepted": "accepted_at", "decided": "decided_at"}

# metric → (fact, condition on the annotated case rows)
METRICS: dict[str, tuple[str, Q]] = {
    "submitted": ("submitted", Q()),
    "accepted": ("accepted", Q()),
    "accepted_online": ("accepted", Q(channel__in=ONLINE_CHANNELS)),
    "accepted_immediate": ("accepted", Q(kind=CaseKind.IMMEDIATE)),
    # A subquery, not a join on the users: PostgreSQL hashes the clerks once, where a join planned for the
    # few cases it expected of the last minutes scanned the users once per case.
    "accepted_one_window": ("accepted", Q(accepted_by__in=User.objects.filter(role=Role.CLERK).values("pk"))),
    "accepted_exempt": ("accepted", Q(exempt=True)),
    "decided": ("decided", Q()),
    "decided_on_time": ("decided", Q(due_date__isnull=True) | Q(decided_day__lte=F("due_date"))),
    "decided_early": ("decided", Q(decided_day__lt=F("due_date"))),
    "decided_late": ("decided", Q(decided_day__gt=F("due_date"))),
}

# dimension → fact → the field (or annotation) that keys it; a fact missing here is not counted there
KEYS: dict[str, dict[str, str]] = {
    Dimension.DEPARTMENT: {
        "submitted": "department_id",
        "accepted": "department_id",
        "decided": "department_id",
    },
    Dimension.ITEM: {"submitted": "item_id", "accepted": "item_id", "decided": "item_id"},
    Dimension.STAFF: {"accepted": "accepted_by_id", "decided": "decided_by_id"},
    Dimension.WINDOW: {"accepted": "accepting_window"},
}


def local_day(field: str) -> TruncDate:
    return TruncDate(field)


def _window_at_acceptance() -> Any:
    """The window the accepting clerk was signed in at when he accepted: his latest window-log entry as the
    window's clerk, provided that window still had him as its clerk at that moment (not signed out or handed
    over since)."""
    own = (
        WindowEvent.objects.filter(clerk=OuterRef("accepted_by"), at__lte=OuterRef("accepted_at"))
        .order_by("-at", "-pk")
        .values("window_id")[:1]
    )
    return Subquery(own)


def _window_clerk_then() -> Any:
    latest = (
        WindowEvent.objects.filter(window=OuterRef("window_candidate"), at__lte=OuterRef("accepted_at"))
        .order_by("-at", "-pk")
        .values("clerk_id")[:1]
    )
    return Subquery(latest)


def annotate(cases: QuerySet[Case], fact: str, *, window: bool = False) -> QuerySet[Case]:
    """The annotations the metrics of ``fact`` read."""
    if fact == "accepted":
        exempt = CaseMaterial.objects.filter(case=OuterRef("pk")).filter(
            ~Q(licence_identifier="") | Q(state=CaseMaterialState.EXEMPT)
        )
        cases = cases.annotate(fact_day=local_day("accepted_at"), exempt=Exists(exempt))
        if window:
            cases = cases.annotate(window_candidate=_window_at_acceptance()).annotate(
                window_clerk=_window_clerk_then()
            )
            cases = cases.annotate(
                accepting_window=CaseWhen(
                    When(window_clerk=F("accepted_by"), then=F("window_candidate")), default=Value(None)
                )
            )
        return cases
    if fact == "decided":
        ordinal = WorkdayOrdinal.objects.filter(day=OuterRef("decided_day")).values("ordinal")[:1]
        start = WorkdayOrdinal.objects.filter(day=OuterRef("accepted_day")).values("ordinal")[:1]
        return cases.annotate(
            decided_day=local_day("decided_at"),
            accepted_day=local_day("accepted_at"),
        ).annotate(
            fact_day=F("decided_day"),
            decided_ordinal=Subquery(ordinal),
            accepted_ordinal=Subquery(start),
        )
    return cases.annotate(fact_day=local_day(FACT_DATES[fact]))


def grouped(cases: QuerySet[Case], fact: str, dimension: str) -> QuerySet[Any] | None:
    """One fact of ``cases`` counted per (day, key, department) for ``dimension``, with every count column
    (zero for another fact's columns), or None when the dimension does not count this fact."""
    key_field = KEYS[dimension].get(fact)
    if key_field is None:
        return None
    rows = annotate(cases, fact, window=dimension == Dimension.WINDOW)
    counts: dict[str, Any] = {}
    for name in COUNT_FIELDS:
        if name == "working_days":
            counts[name] = (
                Sum(F("decided_ordinal") - F("accepted_ordinal")) if fact == "decided" else Value(0)
            )
            continue
        metric_fact, condition = METRICS[name]
        if metric_fact != fact:
            counts[name] = Value(0)
        elif condition:
            counts[name] = Count("pk", filter=condition)
        else:
            counts[name] = Count("pk")
    return (
        rows.order_by()
        .annotate(fact_key=F(key_field), fact_department=F("department_id"))
        .values("fact_day", "fact_key", "fact_department")
        .annotate(**counts)
        .values("fact_day", "fact_key", "fact_department", *COUNT_FIELDS)
    )


def metric_cases(cases: QuerySet[Case], metric: str, *, window: bool = False) -> tuple[QuerySet[Case], str]:
    """``cases`` annotated for ``metric`` and filtered by its condition; and the fact the caller dates."""
    fact, condition = METRICS[metric]
    rows = annotate(cases, fact, window=window)
    return (rows.filter(condition) if condition else rows), fact
