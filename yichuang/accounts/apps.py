from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yichuang.accounts"
    label = "accounts"
    verbose_name = _("部门与人员")

    def ready(self) -> None:
        from yichuang.accounts import signals, token_cache  # noqa: F401  (connect their receivers)
