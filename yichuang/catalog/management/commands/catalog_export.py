from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yichuang.accounts.models import Department
from yichuang.catalog.exporting import catalog_export_sheets, workbook_write


class Command(BaseCommand):
    help = "导出事项库为 Excel（事项、申请材料两张表），可再导入。Export the catalog to an .xlsx workbook."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="输出的 .xlsx 文件路径")
        parser.add_argument("--department", type=int, default=None, help="只导出该部门（编号）的事项")

    def handle(self, *args: Any, **options: Any) -> None:
        department = options["department"]
        if department is not None and not Department.objects.filter(pk=department).exists():
            raise CommandError(f"没有编号为 {department} 的部门")
        path = Path(options["path"])
        workbook_write(catalog_export_sheets(department), path)
        self.stdout.write(f"已导出：{path}")
