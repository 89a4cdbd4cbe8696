"""一件事成效: how each bundle did over a period, and what applying once saved the applicants compared with
applying item by item. Reads only, in a fixed number of queries whatever the number of applications.

For the applications submitted in the period (their ``submitted_at`` local date from ``start`` to ``end``):

- applications: all of them; closed: those 已办结 now.
- on time: of the applications (not withdrawn) whose results are all ready (``results_ready_at``) and
  that carry the bundle's promise (``promised_due_date``, set at acceptance), those whose results were
  ready on or before the promised date (local dates). One never accepted has no promise: not counted.
- average working days: from the submission's local date to the results' local date
  (``core.calendar.working_days_between``), over the same applications with their results ready.
- saved, over the applications not withdrawn, each compared with applying for its selected members one by
  one: visits (the members' item versions' ``visits_required`` against the bundle's ``visits``), materials
  (the separate materials against the merged ones, as the ``apply`` event recorded them) and promised days
  (the members' promised days against the bundle's). A member routed to its department counts with the
  version its case was filed under; a member never routed with its item's current version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from yichuang.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleCase,
    BundleEvent,
    BundleStatus,
)
from yichuang.core.calendar import working_days_between


@dataclass
class Saving:
    separately: int = 0  # applying item by item
    bundled: int = 0  # applying once

    @property
    def saved(self) -> int:
        return self.separately - self.bundled

    def add(self, other: Saving) -> None:
        self.separately += other.separately
        self.bundled += other.bundled


@dataclass
class BundleFigures:
    bundle: Bundle | None  # None: all bundles together
    applications: int = 0
    closed: int = 0
    results_ready: int = 0
    with_promise: int = 0  # results ready, with the bundle's promised date
    on_time: int = 0
    working_days_total: int = 0
    counted: int = 0  # applications the savings are counted over (not withdrawn)
    visits: Saving = field(default_factory=Saving)
    materials: Saving = field(default_factory=Saving)
    days: Saving = field(default_factory=Saving)

    @property
    def on_time_share(self) -> float | None:
        """On-time applications among those with their results ready and a promise, 0–1; None if none."""
        return self.on_time / self.with_promise if self.with_promise else None

    @property
    def on_time_percent(self) -> float | None:
        share = self.on_time_share
        return None if share is None else round(share * 100, 1)

    @property
    def average_working_days(self) -> float | None:
        return self.working_days_total / self.results_ready if self.results_ready else None

    def add(self, other: BundleFigures) -> None:
        for name in (
            "applications",
            "closed",
            "results_ready",
            "with_promise",
            "on_time",
            "working_days_total",
            "counted",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.visits.add(other.visits)
        self.materials.add(other.materials)
        self.days.add(other.days)


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    rows: list[BundleFigures]
    total: BundleFigures


def _period(start: dt.date, end: dt.date) -> Q:
    """Submitted on a local date from ``start`` to ``end`` (an index-friendly range on the timestamp)."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return Q(submitted_at__gte=since, submitted_at__lt=until)


def bundle_figures(*, start: dt.date, end: dt.date) -> Figures:
    """The figures of every bundle that is published or had applications in the period, and their total.
    Four queries (bundles, applications, members, apply events) plus the calendar's, once per year."""
    in_period = BundleApplication.objects.filter(_period(start, end))
    counted_ids = in_period.exclude(status=ApplicationStatus.WITHDRAWN).values("pk")
    applications = list(
        in_period.order_by().values(
            "pk", "bundle_id", "status", "submitted_at", "results_ready_at", "promised_due_date"
        )
    )
    by_bundle: dict[int, BundleFigures] = {}
    bundles = Bundle.objects.filter(
        Q(status=BundleStatus.PUBLISHED) | Q(pk__in={row["bundle_id"] for row in applications})
    ).order_by("position", "pk")
    for bundle in bundles:
        by_bundle[bundle.pk] = BundleFigures(bundle)
    counted: dict[int, int] = {}  # application → bundle, for the savings
    for row in applications:
        figures = by_bundle[row["bundle_id"]]
        figures.applications += 1
        if row["status"] == ApplicationStatus.CLOSED:
            figures.closed += 1
        if row["status"] == ApplicationStatus.WITHDRAWN:
            continue  # no results to count (whatever ``results_ready_at`` a withdrawal left behind)
        figures.counted += 1
        counted[row["pk"]] = row["bundle_id"]
        if row["results_ready_at"] is None:
            continue
        ready_on = timezone.localdate(row["results_ready_at"])
        figures.results_ready += 1
        figures.working_days_total += working_days_between(timezone.localdate(row["submitted_at"]), ready_on)
        if row["promised_due_date"] is not None:
            figures.with_promise += 1
            figures.on_time += ready_on <= row["promised_due_date"]
    members = (
        BundleCase.objects.filter(application_id__in=counted_ids)
        .order_by()
        .values_list(
            "application_id",
            Coalesce("case__item_version__visits_required", "member__item__current_version__visits_required"),
            Coalesce("case__item_version__promised_days", "member__item__current_version__promised_days"),
        )
    )
    # An application made or withdrawn between these queries is skipped rather than miscounted.
    for application_id, visits, days in members:
        if application_id not in counted:
            continue
        figures = by_bundle[counted[application_id]]
        figures.visits.separately += visits or 0
        figures.days.separately += days or 0
    events = BundleEvent.objects.filter(application_id__in=counted_ids, action="apply").values_list(
        "application_id", "data"
    )
    for application_id, data in events:
        if application_id not in counted:
            continue
        figures = by_bundle[counted[application_id]]
        figures.materials.separately += int((data or {}).get("separate_materials") or 0)
        figures.materials.bundled += int((data or {}).get("materials") or 0)
    for figures in by_bundle.values():
        assert figures.bundle is not None
        figures.visits.bundled = figures.counted * figures.bundle.visits
        figures.days.bundled = figures.counted * figures.bundle.promised_days
    rows = list(by_bundle.values())
    total = BundleFigures(None)
    for figures in rows:
        total.add(figures)
    return Figures(start, end, rows, total)
