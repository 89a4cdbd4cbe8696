"""manage.py hall_sweep: end-of-day abandonment, windows left open, appointment no-shows, tidal windows."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from yichuang.hall.sweep import hall_sweep


class Command(BaseCommand):
    help = "大厅定时任务：下班后未叫到的号码记为未等候离开、自动签退窗口、预约爽约、评估潮汐窗口"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = hall_sweep()
        figures = " ".join(f"{key}={value}" for key, value in report.items())
        self.stdout.write(f"hall_sweep {figures} seconds={time.perf_counter() - started:.2f}")
