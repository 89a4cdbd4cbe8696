"""公开评价结果: the admin publishes a closed month's figures on the public page (``/ratings/public/``).

A month can be published once it is over (its last day before today) and only once; the public page then
shows its department figures and ranking (``figures.published_figures``), never anything of an unpublished
month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.permissions import require_capability
from yichuang.ratings.figures import month_start
from yichuang.ratings.models import Publication


def publication_publish(*, month: dt.date, actor: Any, now: dt.datetime | None = None) -> Publication:
    """Publish the month of ``month`` (any day of it) on the public page."""
    require_capability(actor, "ratings.publish", "只有政数局管理员可以公开评价结果")
    now = now or timezone.now()
    first = month_start(month)
    if first >= month_start(timezone.localdate(now)):
        raise ApplicationError(
            "只能公开已结束月份的评价结果", code="month_not_closed", fields={"month": ["该月份尚未结束"]}
        )
    try:
        return _publish(first=first, actor=actor, now=now)
    except IntegrityError:  # published by someone else meanwhile
        raise _already_published(first) from None


def _already_published(first: dt.date) -> ConflictError:
    return ConflictError(f"{first:%Y年%m月}的评价结果已经公开", code="already_published")


@audited_atomic
def _publish(*, first: dt.date, actor: Any, now: dt.datetime) -> Publication:
    if Publication.objects.filter(month=first).exists():
        raise _already_published(first)
    publication = Publication.objects.create(month=first, published_at=now, published_by=actor)
    audit_record(
        actor=actor, action="ratings.month_published", obj=publication, data={"month": f"{first:%Y-%m}"}
    )
    return publication
