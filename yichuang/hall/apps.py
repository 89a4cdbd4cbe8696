from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "yichuang.hall"
    label = "hall"
    verbose_name = _("服务大厅")

    def ready(self) -> None:
        from yichuang.hall import signals  # noqa: F401  (connects the receivers)
