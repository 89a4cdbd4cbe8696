"""manage.py hotline_import_taxonomy PATH: load the three-level classification (``taxonomy.csv``: 一级分类,
二级分类,三级分类) into the hotline's categories. Run again at will: categories already there are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yichuang.core.errors import ApplicationError
from yichuang.hotline.taxonomy import taxonomy_import, taxonomy_read


class Command(BaseCommand):
    help = "导入12345热线三级分类（taxonomy.csv），重复导入不会重复新增"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="taxonomy.csv 的路径（列：一级分类,二级分类,三级分类）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            report = taxonomy_import(rows=taxonomy_read(path))
        except UnicodeDecodeError as exc:
            raise CommandError(f"文件应为 UTF-8 编码：{exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(report.summary())
