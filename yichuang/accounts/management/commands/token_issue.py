from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yichuang.accounts.models import User
from yichuang.accounts.roles import Role
from yichuang.accounts.services import api_token_issue
from yichuang.core.errors import ApplicationError


class Command(BaseCommand):
    help = "为集成系统签发接口令牌（只显示一次）。Issue an API bearer token for a user."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="用途，如“省级平台对接”")
        parser.add_argument("--by", default="admin", help="签发的管理员用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        actor = User.objects.filter(username=options["by"], role=Role.ADMIN).first()
        if user is None or actor is None:
            raise CommandError("用户或签发管理员不存在")
        try:
            _token, raw = api_token_issue(actor=actor, user=user, name=options["name"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(raw)
