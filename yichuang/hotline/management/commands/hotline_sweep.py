"""manage.py hotline_sweep: remind the lead of 12345 tickets past their sign limit (催办) and supervise those
past their handling limit (督办), once each. Run it every few minutes (cron or the task queue)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from yichuang.hotline.tickets import hotline_sweep


class Command(BaseCommand):
    help = "12345定时任务：超过签收时限的工单催办，超过办理时限的工单督办"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = hotline_sweep()
        figures = " ".join(f"{key}={value}" for key, value in report.items())
        self.stdout.write(f"hotline_sweep {figures} seconds={time.perf_counter() - started:.2f}")
