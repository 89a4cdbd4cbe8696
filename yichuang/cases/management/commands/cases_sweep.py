"""manage.py cases_sweep [--date YYYY-MM-DD]: deemed acceptance, missed 容缺 materials, deadline states."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yichuang.cases.timing import cases_sweep


class Command(BaseCommand):
    help = "更新全部在办办件的时限状态（正常、临近到期、已超期），处理视为受理和容缺逾期"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="按该日期计算（默认今天），格式 YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        started = time.perf_counter()
        report = cases_sweep(today=today)
        elapsed = time.perf_counter() - started
        figures = " ".join(f"{key}={value}" for key, value in report.items())
        self.stdout.write(f"cases_sweep {figures} seconds={elapsed:.2f}")
