"""办理时限 of hotline tickets: per nature and urgency, in working hours (sign, return) and working days
(handle). Rows of ``HotlineLimit`` are the centre's rules; where a row is missing the defaults below apply
(DESIGN §4: sign within a working day; 咨询 2, 求助 5, 建议 10, 投诉/举报 15 working days — shorter for
urgent matters).

Working hours count the hours of working days only: a ticket dispatched on Friday at 16:00 with 24 hours to
sign is due on Monday at 16:00 when the weekend is off, and a holiday moves it further.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from yichuang.core.calendar import add_working_days, is_working_day
from yichuang.hotline.models_tickets import HotlineLimit, Nature, Urgency


@dataclass(frozen=True)
class Limits:
    sign_hours: int
    return_hours: int
    handle_days: int


_SIGN_HOURS = {Urgency.A: 2, Urgency.B: 8, Urgency.C: 24}
_HANDLE_DAYS = {
    Nature.CONSULT: {Urgency.A: 1, Urgency.B: 1, Urgency.C: 2},
    Nature.HELP: {Urgency.A: 1, Urgency.B: 3, Urgency.C: 5},
    Nature.SUGGEST: {Urgency.A: 5, Urgency.B: 7, Urgency.C: 10},
    Nature.PRAISE: {Urgency.A: 5, Urgency.B: 5, Urgency.C: 5},
    Nature.COMPLAINT: {Urgency.A: 3, Urgency.B: 7, Urgency.C: 15},
    Nature.REPORT: {Urgency.A: 3, Urgency.B: 7, Urgency.C: 15},
}


def default_limits(nature: str, urgency: str) -> Limits:
    sign = _SIGN_HOURS[Urgency(urgency)]
    return Limits(
        sign_hours=sign, return_hours=sign, handle_days=_HANDLE_DAYS[Nature(nature)][Urgency(urgency)]
    )


def limits_for(nature: str, urgency: str) -> Limits:
    row = HotlineLimit.objects.filter(nature=nature, urgency=urgency).first()
    if row is None:
        return default_limits(nature, urgency)
    return Limits(sign_hours=row.sign_hours, return_hours=row.return_hours, handle_days=row.handle_days)


def add_working_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """``start`` plus ``hours`` counted on working days only (local time)."""
    moment = timezone.localtime(start)
    remaining = dt.timedelta(hours=hours)
    while True:
        if not is_working_day(moment.date()):
            moment = timezone.make_aware(
                dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time.min)
            )
            continue
        midnight = timezone.make_aware(dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time.min))
        left_today = midnight - moment
        if remaining <= left_today:
            return moment + remaining
        remaining -= left_today
        moment = midnight


def handle_due(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local) of the ``days``-th working day after ``start``'s day."""
    day = add_working_days(timezone.localtime(start).date(), days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
