from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yichuang.accounts.models import User
from yichuang.accounts.roles import Role
from yichuang.catalog.importing import catalog_import_start
from yichuang.catalog.models import ImportStatus
from yichuang.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "导入事项（CSV 或 .xlsx，全部或全不），打印逐行报告；失败时退出码为1。"
        "Import catalog items from a CSV/XLSX file, all rows or none."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="CSV 或 .xlsx 文件路径")
        parser.add_argument(
            "--as", dest="username", default="", help="以哪个政数局管理员的身份导入（默认：唯一的管理员）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        admins = User.objects.filter(role=Role.ADMIN, is_active=True)
        if options["username"]:
            actor = admins.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"没有名为“{options['username']}”的在用管理员")
        else:
            if admins.count() != 1:
                raise CommandError("请用 --as 指定导入的管理员用户名")
            actor = admins.get()
        try:
            record = catalog_import_start(
                actor=actor, file_name=path.name, content=path.read_bytes(), background=False
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        write = self.stdout.write
        write(f"文件：{record.file_name}（{record.source_format or '未识别'}）")
        write(f"状态：{record.get_status_display()}")
        write(f"数据行：{record.total_rows}")
        write(f"新增部门：{record.created_departments}")
        write(f"新增事项：{record.created_items}")
        for warning in record.warnings:
            where = f"第{warning['row']}行：" if warning.get("row") else ""
            label = "说明" if warning.get("level") == "info" else "提示"
            write(f"{label}：{where}{warning['message']}")
        for error in record.errors:
            sheet = f"{error['sheet']} " if error.get("sheet") else ""
            where = f"{sheet}第{error['row']}行" if error.get("row") else "文件"
            column = f"［{error['column']}］" if error.get("column") else ""
            self.stderr.write(f"错误：{where}{column}{error['message']}")
        if record.status != ImportStatus.SUCCEEDED:
            raise CommandError("导入失败，没有写入任何数据", returncode=1)
