from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "yichuang.supervision"
    label = "supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from yichuang.supervision import hooks  # noqa: F401  (re-rolls a day whose acceptance was back-dated)
