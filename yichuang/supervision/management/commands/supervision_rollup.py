"""Roll up the days not rolled up yet (nightly); ``--rebuild`` rolls every day again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yichuang.supervision.rollup import rollup


class Command(BaseCommand):
    help = "效能监察按日汇总：汇总尚未汇总的已结束日期（--rebuild 全部重新汇总）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="重新汇总全部日期")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rollup(rebuild=options["rebuild"])
        self.stdout.write(
            f"汇总 {report['from']} 至 {report['to']}：写入 {report['rows']} 行；"
            f"已汇总至 {report['rolled_until']}（不含）"
        )
