"""manage.py hotline_import_appeals PATH [--limit N] [--lead NAME] [--user USERNAME]: real appeals
(``fuzhou_appeals.csv``) as closed tickets of the demo's history, taken through the services on their own
dates. Run again at will: rows already imported are skipped."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from yichuang.accounts.models import Department, User
from yichuang.accounts.roles import Role
from yichuang.core.errors import ApplicationError
from yichuang.hotline.appeals_import import appeals_import


class Command(BaseCommand):
    help = (
        "导入真实的12345诉求（fuzhou_appeals.csv）作为演示历史工单："
        "按原日期受理、派单、签收、答复、回访，重复导入不会重复新增"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="fuzhou_appeals.csv 的路径")
        parser.add_argument("--limit", type=int, default=None, help="只导入前 N 条")
        parser.add_argument(
            "--lead",
            default="",
            help="主办单位的名称、简称或统一社会信用代码（默认：生态环境、水务或供水单位）",
        )
        parser.add_argument("--user", default="", help="以哪个管理员的名义导入（默认：第一个管理员）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit 应为正整数")
        users = User.objects.filter(is_active=True, role=Role.ADMIN)
        actor = (users.filter(username=options["user"]) if options["user"] else users).order_by("pk").first()
        if actor is None:
            raise CommandError("未找到可用的管理员账号（--user）")
        lead = None
        if options["lead"]:
            name = options["lead"]
            lead = Department.objects.filter(
                Q(name=name) | Q(short_name=name) | Q(credit_code=name), is_active=True
            ).first()
            if lead is None:
                raise CommandError(f"未找到主办单位：{name}")
        started = time.perf_counter()
        try:
            report = appeals_import(path, actor=actor, lead=lead, limit=limit)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        except (UnicodeDecodeError, KeyError) as exc:
            raise CommandError(f"文件格式不正确（应为 UTF-8 编码的 fuzhou_appeals.csv）：{exc}") from exc
        for line, message in report.failed[:5]:
            self.stderr.write(f"第 {line} 行：{message}")
        self.stdout.write(f"{report.summary()}，用时 {time.perf_counter() - started:.1f} 秒")
