"""Roll up the days not rolled up yet, then today's facts older than a few minutes (run it every few minutes
from cron, or let the in-process scheduler do it); ``--rebuild`` rolls every day again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from yichuang.supervision.rollup import rollup, rollup_today


class Command(BaseCommand):
    help = "效能监察汇总：汇总尚未汇总的已结束日期，再汇总当日数分钟前的数据（--rebuild 全部重新汇总）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="重新汇总全部日期")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rollup(rebuild=options["rebuild"])
        self.stdout.write(
            f"汇总 {report['from']} 至 {report['to']}：写入 {report['rows']} 行；"
            f"已汇总至 {report['rolled_until']}（不含）"
        )
        today = rollup_today()
        if today["partial_until"] is not None:
            mark = timezone.localtime(today["partial_until"])
            self.stdout.write(f"当日汇总至 {mark:%H:%M:%S}（不含）：写入 {today['rows']} 行")
