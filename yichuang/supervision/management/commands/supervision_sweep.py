"""manage.py supervision_sweep: issue the yellow cards (a case or 12345 ticket close to its limit) and the
red cards (past it) to the responsible departments, and lift the yellow cards whose case or ticket finished
in time. Idempotent: run it every few minutes or at least daily (cron or the task queue)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from yichuang.supervision.cards import cards_sweep


class Command(BaseCommand):
    help = "电子监察定时任务：临近办理期限的办件和工单发黄牌，超期的发红牌，按期办结的解除黄牌"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = cards_sweep()
        figures = " ".join(f"{key}={value}" for key, value in report.items())
        self.stdout.write(f"supervision_sweep {figures} seconds={time.perf_counter() - started:.2f}")
