from typing import Any

from django.core.management.base import BaseCommand

from yichuang.accounts.demo import demo_logins, load_demo


class Command(BaseCommand):
    help = "载入演示数据（乌拉特中旗政务服务中心）并打印各角色登录账号。Load the demo centre."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 · demo data ready"))
        self.stdout.write("")
        self.stdout.write("  打开 http://127.0.0.1:8000/ 用以下账号登录 · log in with:")
        self.stdout.write(f"  {'角色 role':<16}{'用户名 username':<18}{'密码 password':<16}部门 department")
        for role, username, password, department in demo_logins():
            self.stdout.write(f"  {role:<14}{username:<18}{password:<16}{department}")
        self.stdout.write("")
