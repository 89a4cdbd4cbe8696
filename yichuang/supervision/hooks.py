"""Keeping the roll-up exact when a fact lands in a day already rolled up, and when the calendar changes.

- A deemed acceptance (§32) dates the acceptance back to the receipt: after commit, that day is aggregated
  again (``rollup.reroll_day``).
- A change to the working-day calendar changes the working days of every case decided since: the ordinals
  are rewritten and the figures read those days live until the next roll-up rebuilds them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from yichuang.cases import hooks as case_hooks
from yichuang.cases.models import CaseStatus
from yichuang.core.models import CalendarDay, CalendarYear


@case_hooks.on_transition
def _deemed_acceptance(*, case: Any, before: str, actor: Any) -> None:
    if before != CaseStatus.SUBMITTED or not case.deemed_accepted or case.accepted_at is None:
        return
    day = timezone.localdate(case.accepted_at)
    if day >= timezone.localdate():
        return

    def reroll() -> None:
        from yichuang.supervision.rollup import reroll_day

        reroll_day(day)

    transaction.on_commit(reroll)


def _calendar_changed(year: int) -> None:
    from yichuang.supervision.ordinals import ordinals_forget, ordinals_write
    from yichuang.supervision.rollup import rollup_from

    def rewrite() -> None:
        ordinals_forget(year)
        ordinals_write(max(year, timezone.localdate().year))
        rollup_from(dt.date(year, 1, 1))

    transaction.on_commit(rewrite)


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_day_changed(sender: Any, instance: CalendarDay, **kwargs: Any) -> None:
    _calendar_changed(instance.date.year)


@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_year_changed(sender: Any, instance: CalendarYear, **kwargs: Any) -> None:
    _calendar_changed(instance.year)
