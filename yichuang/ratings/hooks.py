"""Ratings plugs into the services it rates: a closed case texts its applicant a one-time rating link
(一事一评), and a window's rating page shows the rating form (一次一评)."""

from __future__ import annotations

import logging
from typing import Any

from yichuang.cases import hooks as case_hooks
from yichuang.cases.models import CaseStatus
from yichuang.hall import hooks as hall_hooks

logger = logging.getLogger("yichuang.ratings")


@case_hooks.on_transition
def _case_closed(*, case: Any, before: str, actor: Any) -> None:
    if case.status != CaseStatus.CLOSED or before == CaseStatus.CLOSED:
        return
    from yichuang.core.errors import ApplicationError
    from yichuang.ratings.services import case_invite
    from yichuang.ratings.subjects import served_case

    try:
        served = served_case(case)
    except ApplicationError:  # never let the invitation stop the case from closing
        logger.warning("case %s closed without a rating invitation", case.pk)
        return
    case_invite(served=served)


@hall_hooks.on_rating_panel
def _counter_panel(request: Any, state: Any) -> str | None:
    from yichuang.ratings.models import Evaluation, SubjectKind
    from yichuang.ratings.views_public import counter_panel_html

    ticket = state.rating_ticket
    if Evaluation.objects.filter(subject_kind=SubjectKind.HALL_TICKET, subject_id=ticket.pk).exists():
        return None
    return counter_panel_html(request, state.window, ticket)
