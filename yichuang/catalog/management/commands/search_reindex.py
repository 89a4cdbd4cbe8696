"""Rebuild the catalog search index (after an import, a dictionary change or a restore)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yichuang.catalog.search import search_rebuild_all
from yichuang.core.errors import ApplicationError


class Command(BaseCommand):
    help = "重建事项检索索引（分批进行，重建期间检索仍可用）。Rebuild the catalog search index in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批事项数（默认500）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            items, postings = search_rebuild_all(batch_size=options["batch_size"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"检索索引已重建：{items} 个办理项，{postings} 条索引，用时 {seconds:.1f} 秒。"
            )
        )
