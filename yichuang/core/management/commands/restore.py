from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yichuang.core.backup import BackupError, archive_check, restore_run


def _quiet(_line: str) -> None:
    pass


class Command(BaseCommand):
    help = (
        "从备份归档恢复整个数据库和上传文件：先完整校验归档，再在一个事务中恢复并核对。"
        " Restore an archive made by `backup`: checked fully first, restored in one transaction, verified."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="backup 生成的 .tar.gz 归档")
        parser.add_argument(
            "--force", action="store_true", help="目标数据库已有数据时也恢复（现有数据将被全部替换）"
        )
        parser.add_argument(
            "--check", action="store_true", help="只校验归档（校验和、行数、清单），不改动数据库"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        verbose = options["verbosity"] > 1
        try:
            if options["check"]:
                check = archive_check(path)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"归档完好：{len(check.manifest.tables)} 张表，{check.rows} 行，"
                        f"{len(check.manifest.files)} 个文件，创建于 {check.manifest.data.get('created_at')}"
                    )
                )
                return
            result = restore_run(
                path=path, force=options["force"], log=self.stdout.write if verbose else _quiet
            )
        except BackupError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：{result.tables} 张表，{result.rows} 行，{result.files} 个文件；"
                f"各表校验和一致，审计链完好（{result.audit_checked} 条事件）。"
            )
        )
