from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yichuang.core.backup import BackupError, backup_create


def _quiet(_line: str) -> None:
    pass


class Command(BaseCommand):
    help = (
        "把整个数据库和上传文件备份为一个与数据库无关的归档（.tar.gz）。"
        " Back up every table and MEDIA_ROOT into one engine-independent archive (docs/backup.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            required=True,
            help="归档文件路径；给一个目录则在其中生成 yichuang-<时间>.tar.gz",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 1
        try:
            result = backup_create(
                output=Path(options["output"]), log=self.stdout.write if verbose else _quiet
            )
        except BackupError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{result.path}（{result.tables} 张表，{result.rows} 行，{result.files} 个文件，"
                f"审计链到第 {result.audit_seq} 条）"
            )
        )
