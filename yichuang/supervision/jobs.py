"""The supervision's periodic work, run by the in-process scheduler after each deadline sweep (or by cron:
``supervision_sweep``, ``supervision_rollup``, ``supervision_draw``). Each step is idempotent and cheap when
there is nothing to do."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def supervision_periodic() -> dict[str, Any]:
    from yichuang.supervision.cards import cards_sweep
    from yichuang.supervision.rollup import rollup, rollup_today
    from yichuang.supervision.sampling import sample_draw

    today = timezone.localdate()
    _draw, drawn = sample_draw(actor=None, year=today.year, month=today.month)
    rolled = rollup(today=today)["rows"]
    return {"cards": cards_sweep(), "rollup": rolled, "today": rollup_today()["rows"], "drawn": drawn}
