"""manage.py supervision_draw [--year --month]: draw the month's stationed items for inspection (事项抽查),
the current month by default, unless it was drawn already. Run it once a month (cron or the task queue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yichuang.core.errors import ApplicationError
from yichuang.supervision.sampling import sample_draw


class Command(BaseCommand):
    help = "事项抽查：抽取本月（或指定月份）的进驻事项，已抽取的月份不重复抽取"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="年度（默认今年）")
        parser.add_argument("--month", type=int, help="月份1-12（默认本月）")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        year = options.get("year") or today.year
        month = options.get("month") or today.month
        try:
            draw, created = sample_draw(actor=None, year=year, month=month)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        state = "已抽取" if created else "已抽取过，未重复抽取"
        self.stdout.write(
            f"{draw.year}年{draw.month}月事项抽查{state}：进驻事项{draw.population_size}项，"
            f"抽取{draw.sample_size}项（批次 {draw.pk}）"
        )
