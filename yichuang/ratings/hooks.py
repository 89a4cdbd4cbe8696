"""Ratings plugs into the services it rates: a closed case texts its applicant a one-time rating link
(一事一评), a window's rating page shows the rating form (一次一评), and the 12345 office's call-back is the
caller's rating of the ticket (满意 → 满意, 基本满意 → 基本满意, 不满意 → 不满意, a bad rating)."""

from __future__ import annotations

import logging
from typing import Any

from yichuang.cases import hooks as case_hooks
from yichuang.cases.models import CaseStatus
from yichuang.hall import hooks as hall_hooks
from yichuang.hotline import hooks as hotline_hooks

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


# The call-back's three answers on the five levels.
CALLBACK_LEVELS = {"satisfied": 4, "basic": 3, "unsatisfied": 2}


@hotline_hooks.on_called_back
def _hotline_called_back(*, ticket: Any, result: str, actor: Any, at: Any) -> None:
    from yichuang.core.errors import ApplicationError
    from yichuang.ratings.models import Channel
    from yichuang.ratings.services import evaluation_submit
    from yichuang.ratings.subjects import served_hotline_ticket

    level = CALLBACK_LEVELS.get(result)
    if level is None:
        return
    try:
        evaluation_submit(
            served=served_hotline_ticket(ticket), channel=Channel.HOTLINE, level=level, actor=actor, now=at
        )
    except ApplicationError as error:  # rated at an earlier call-back (the first one stands), or too late
        logger.info("hotline ticket %s not rated: %s", ticket.pk, error.code)
