from typing import Any

from django.core.management.base import BaseCommand

from yichuang.accounts.demo import demo_logins
from yichuang.catalog.models import ImportStatus
from yichuang.demo.loader import load_everything


class Command(BaseCommand):
    help = (
        "载入演示数据（乌拉特中旗政务服务中心、事项库、真实事项目录）并打印各角色登录账号。"
        "Load the demo centre."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--without-real-catalogue",
            action="store_true",
            help="不导入 ../shared/data 中的真实事项目录 · skip importing the real item catalogue",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_everything(real_catalogue=not options["without_real_catalogue"])
        write = self.stdout.write
        write(self.style.SUCCESS("演示数据已就绪 · demo data ready"))
        catalog = report["catalog"]
        write(f"  事项库 · catalog: {catalog}")
        imported = report["real_catalogue"]
        if imported is None and not options["without_real_catalogue"]:
            write(
                "  未找到真实事项目录，已跳过 · real catalogue not found, skipped (../shared/data/catalog/)"
            )
        elif imported is not None:
            state = "已导入" if imported.status == ImportStatus.SUCCEEDED else "导入失败"
            write(
                f"  真实事项目录 · real catalogue ({imported.file_name}): {state}，{imported.total_rows} 行"
            )
        write(f"  办件 · cases: {report['cases']['cases']}")
        write("")
        write("  打开 http://127.0.0.1:8000/ 用以下账号登录 · log in with:")
        write(f"  {'角色 role':<16}{'用户名 username':<18}{'密码 password':<16}部门 department")
        for role, username, password, department in demo_logins():
            write(f"  {role:<14}{username:<18}{password:<16}{department}")
        write("  公开页面 · public pages: /guides/  /search/  /lists/  /track/")
        write("  大厅与评价 · hall, ratings: /hall/kiosk/  /hall/board/  /ratings/kiosk/  /ratings/public/")
        write("  电子监察 · supervision (inspector): /supervision/  /supervision/screen/")
        write("")
