"""manage.py hotline_import_replies PATH [--limit N]: seed the knowledge base from departments' replies
(``replies.csv``). Run again at will: messages already imported are left as they are."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yichuang.hotline.knowledge_import import BATCH_SIZE, knowledge_import_replies, replies_read


class Command(BaseCommand):
    help = "从部门答复（replies.csv）导入12345知识库：每条答复一篇已发布的文章，重复导入不会重复新增"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="replies.csv 的路径")
        parser.add_argument("--limit", type=int, default=None, help="只导入前 N 条")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="每个事务导入的条数")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit 应为正整数")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 应为正整数")
        started = time.perf_counter()
        try:
            report = knowledge_import_replies(
                rows=replies_read(path, limit=limit), batch_size=options["batch_size"]
            )
        except (UnicodeDecodeError, KeyError) as exc:
            raise CommandError(f"文件格式不正确（应为 UTF-8 编码的 replies.csv）：{exc}") from exc
        for problem in report.problems[:5]:
            self.stderr.write(problem)
        self.stdout.write(f"{report.summary()}，用时 {time.perf_counter() - started:.1f} 秒")
