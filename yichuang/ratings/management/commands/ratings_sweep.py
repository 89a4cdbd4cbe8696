"""manage.py ratings_sweep: escalate overdue rectifications of bad ratings to the admin, close answered
ones the rater did not rate in time. Run it every hour or so (cron or the task queue)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from yichuang.ratings.services import ratings_sweep


class Command(BaseCommand):
    help = "好差评定时任务：超期未整改的差评上报督办，评价人逾期未评价整改结果的自动办结"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = ratings_sweep()
        figures = " ".join(f"{key}={value}" for key, value in report.items())
        self.stdout.write(f"ratings_sweep {figures} seconds={time.perf_counter() - started:.2f}")
