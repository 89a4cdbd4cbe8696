"""Reads of 事项抽查: the year's coverage, a month's summary, draws and sampled items as a viewer sees them.

Inspectors and admins (``supervision.sample``) see every department; a viewer with ``supervision.view`` only
(the chief representative) sees the sampled items and findings of his own department's subtree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.cases.models import Case
from yichuang.catalog.models import ServiceItem
from yichuang.core.errors import NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability
from yichuang.supervision.models_sampling import (
    Conclusion,
    Inspection,
    SampledItem,
    SampledItemStatus,
    SampleDraw,
)
from yichuang.supervision.sampling import sampling_population

VIEW_CAPABILITIES = ("supervision.sample", "supervision.view")


def can_view_sampling(actor: Any) -> bool:
    return any(has_capability(actor, capability) for capability in VIEW_CAPABILITIES)


def can_sample(actor: Any) -> bool:
    return has_capability(actor, "supervision.sample")


def require_view(actor: Any) -> None:
    if not can_view_sampling(actor):
        raise PermissionDeniedError(
            "只有监察员、管理员和首席代表可以查看事项抽查", extra={"needs": "supervision.view"}
        )


def _departments(actor: Any) -> QuerySet[Department] | None:
    """The departments ``actor`` sees, or None for all of them (no filter needed)."""
    if actor is None or can_sample(actor):
        return None
    return department_scope(actor)


def sampled_item_scope(actor: Any) -> QuerySet[SampledItem]:
    require_view(actor)
    rows = SampledItem.objects.all()
    departments = _departments(actor)
    return rows if departments is None else rows.filter(department__in=departments)


# ——— draws and items ———


def draw_list(*, year: int) -> QuerySet[SampleDraw]:
    """The year's draws with the number of items inspected."""
    return (
        SampleDraw.objects.filter(year=year)
        .select_related("drawn_by")
        .annotate(inspected=Count("items", filter=Q(items__status=SampledItemStatus.INSPECTED)))
        .order_by("month")
    )


def draw_get(*, actor: Any, draw_id: int) -> SampleDraw:
    require_view(actor)
    draw = SampleDraw.objects.select_related("drawn_by").filter(pk=draw_id).first()
    if draw is None:
        raise NotFoundError("未找到该抽查批次")
    return draw


def draw_items(*, actor: Any, draw: SampleDraw) -> QuerySet[SampledItem]:
    """The draw's items ``actor`` may see, by department, with their inspection."""
    return (
        sampled_item_scope(actor)
        .filter(draw=draw)
        .select_related("item", "department", "inspection", "inspection__inspector")
        .order_by("department__path", "item__basic_code", "pk")
    )


def sampled_item_get(*, actor: Any, sampled_item_id: int) -> SampledItem:
    """One sampled item; another department's reads as absent."""
    found = (
        sampled_item_scope(actor)
        .select_related(
            "draw", "item", "item__current_version", "department", "inspection", "inspection__inspector"
        )
        .filter(pk=sampled_item_id)
        .first()
    )
    if found is None:
        raise NotFoundError("未找到该抽查事项，或它不在您的管辖范围内")
    return found


def inspection_of(sampled_item: SampledItem) -> Inspection | None:
    try:
        return sampled_item.inspection
    except Inspection.DoesNotExist:
        return None


def item_recent_cases(*, item: ServiceItem, limit: int = 20) -> list[dict[str, Any]]:
    """The item's latest cases (number, status, deadline state), to choose the cases to look at."""
    rows = (
        Case.objects.filter(item=item)
        .order_by("-submitted_at", "-pk")
        .values("pk", "number", "status", "deadline_state", "submitted_at", "due_date", "closed_at")[:limit]
    )
    status_labels = dict(Case._meta.get_field("status").choices or [])
    deadline_labels = dict(Case._meta.get_field("deadline_state").choices or [])
    return [
        {
            **row,
            "status_label": status_labels.get(row["status"], row["status"]),
            "deadline_label": deadline_labels.get(row["deadline_state"], row["deadline_state"]),
        }
        for row in rows
    ]


# ——— the year's coverage ———


@dataclass
class MonthCoverage:
    month: int
    draw: SampleDraw | None
    sample_size: int = 0  # items of this draw the viewer sees
    first: int = 0
    inspected: int = 0

    @property
    def pending(self) -> int:
        return self.sample_size - self.inspected


@dataclass
class YearCoverage:
    year: int
    population: int  # stationed items now in use (in the viewer's departments)
    drawn: int  # of those, drawn at least once this year
    inspected: int  # of those, inspected at least once this year
    months: list[MonthCoverage] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.population - self.drawn

    @property
    def drawn_percent(self) -> float:
        return round(100 * self.drawn / self.population, 1) if self.population else 0.0

    @property
    def inspected_percent(self) -> float:
        return round(100 * self.inspected / self.population, 1) if self.population else 0.0


def year_coverage(*, year: int, actor: Any = None) -> YearCoverage:
    """Coverage of ``year``: the population, how many were drawn and inspected at least once, and each
    month's draw with its size (four queries)."""
    departments = _departments(actor)
    population = sampling_population()
    sampled = SampledItem.objects.filter(draw__year=year)
    if departments is not None:
        population = population.filter(department__in=departments)
        sampled = sampled.filter(department__in=departments)
    population_ids = set(population.values_list("pk", flat=True))
    drawn: set[int] = set()
    inspected: set[int] = set()
    per_month: dict[int, Counter[str]] = {}
    for item_id, month, status, first in sampled.values_list(
        "item_id", "draw__month", "status", "first_this_year"
    ):
        drawn.add(item_id)
        counts = per_month.setdefault(month, Counter())
        counts["size"] += 1
        counts["first"] += int(first)
        if status == SampledItemStatus.INSPECTED:
            inspected.add(item_id)
            counts["inspected"] += 1
    draws = {draw.month: draw for draw in SampleDraw.objects.filter(year=year).select_related("drawn_by")}
    months = []
    for month in range(1, 13):
        counts = per_month.get(month, Counter())
        months.append(
            MonthCoverage(
                month=month,
                draw=draws.get(month),
                sample_size=counts["size"],
                first=counts["first"],
                inspected=counts["inspected"],
            )
        )
    return YearCoverage(
        year=year,
        population=len(population_ids),
        drawn=len(population_ids & drawn),
        inspected=len(population_ids & inspected),
        months=months,
    )


# ——— a month's summary (the monthly report) ———


@dataclass
class MonthSummary:
    year: int
    month: int
    draw: SampleDraw | None
    sample_size: int
    inspected: int
    conclusions: dict[str, int]  # Conclusion value → count, every value present
    findings: list[Inspection]  # the inspections not 合格, by department

    @property
    def pending(self) -> int:
        return self.sample_size - self.inspected

    @property
    def conclusion_rows(self) -> list[tuple[str, str, int]]:
        return [(value, str(label), self.conclusions[value]) for value, label in Conclusion.choices]


def sampling_summary(*, year: int, month: int, actor: Any = None) -> MonthSummary:
    """The month's draw for the monthly report: sample size, inspected, conclusions, findings."""
    departments = _departments(actor)
    draw = SampleDraw.objects.filter(year=year, month=month).first()
    items = SampledItem.objects.filter(draw__year=year, draw__month=month)
    inspections = Inspection.objects.filter(sampled_item__draw__year=year, sampled_item__draw__month=month)
    if departments is not None:
        items = items.filter(department__in=departments)
        inspections = inspections.filter(sampled_item__department__in=departments)
    counts = items.aggregate(
        size=Count("pk"), inspected=Count("pk", filter=Q(status=SampledItemStatus.INSPECTED))
    )
    conclusions = dict.fromkeys(Conclusion.values, 0)
    for value, number in inspections.values_list("conclusion").annotate(n=Count("pk")).order_by():
        conclusions[value] = number
    findings = list(
        inspections.exclude(conclusion=Conclusion.PASS)
        .select_related("sampled_item__item", "sampled_item__department", "inspector")
        .order_by("sampled_item__department__path", "sampled_item__item__basic_code", "pk")
    )
    return MonthSummary(
        year=year,
        month=month,
        draw=draw,
        sample_size=counts["size"] or 0,
        inspected=counts["inspected"] or 0,
        conclusions=conclusions,
        findings=findings,
    )
