"""Business gauges for Prometheus (docs/operations.md#metrics): open and overdue cases, tickets waiting in
the hall today, open 12345 tickets.

Core's ``/metrics`` knows no app; this collector reaches it through ``YICHUANG_METRICS_COLLECTORS``.
Each gauge is one COUNT over an index, and the four are cached together (``YICHUANG_METRICS_CACHE_SECONDS``,
30 by default; shared by every worker when the cache is Redis), so a scrape every few seconds costs four
queries at most twice a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from yichuang.cases.models import Case
from yichuang.cases.workflow import OPEN_STATUSES as CASE_OPEN_STATUSES
from yichuang.cases.workflow import TIMED_STATUSES
from yichuang.hall.models import Ticket, TicketStatus
from yichuang.hotline.models_tickets import OPEN_STATUSES as HOTLINE_OPEN_STATUSES
from yichuang.hotline.models_tickets import HotlineTicket

logger = logging.getLogger("yichuang.supervision")

CACHE_KEY = "supervision:metrics:gauges"

GAUGES: dict[str, str] = {
    "yichuang_cases_open": "Cases not yet closed (from submission to delivery).",
    "yichuang_cases_overdue": "Running cases (accepted, in review) past their due date: 超期在办.",
    "yichuang_hall_tickets_waiting": "Hall tickets of today still waiting to be called.",
    "yichuang_hotline_tickets_open": "12345 tickets not yet closed or merged.",
}


def gauge_values() -> dict[str, int]:
    """The gauges now, one aggregate each (the definitions of the supervision figures)."""
    today = timezone.localdate()
    return {
        "yichuang_cases_open": Case.objects.filter(status__in=CASE_OPEN_STATUSES).count(),
        "yichuang_cases_overdue": Case.objects.filter(status__in=TIMED_STATUSES, due_date__lt=today).count(),
        "yichuang_hall_tickets_waiting": Ticket.objects.filter(
            day=today, status=TicketStatus.WAITING
        ).count(),
        "yichuang_hotline_tickets_open": HotlineTicket.objects.filter(
            status__in=HOTLINE_OPEN_STATUSES
        ).count(),
    }


def cached_gauge_values() -> dict[str, int]:
    seconds = int(getattr(settings, "YICHUANG_METRICS_CACHE_SECONDS", 30))
    values = cache.get(CACHE_KEY) if seconds > 0 else None
    if values is None:
        values = gauge_values()
        if seconds > 0:
            cache.set(CACHE_KEY, values, timeout=seconds)
    return values


class BusinessCollector:
    """Yields the gauges, plus ``yichuang_business_metrics_up`` (0 when the database could not be read:
    the scrape still answers, with the request metrics)."""

    def collect(self) -> Iterator[Metric]:
        try:
            values = cached_gauge_values()
        except DatabaseError:
            logger.warning("business metrics: the database could not be read", exc_info=True)
            values = None
        up = GaugeMetricFamily(
            "yichuang_business_metrics_up", "1 when the business gauges could be read from the database."
        )
        up.add_metric([], 0 if values is None else 1)
        yield up
        for name, documentation in GAUGES.items():
            if values is not None and name in values:
                yield GaugeMetricFamily(name, documentation, value=values[name])
