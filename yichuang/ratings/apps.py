from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "yichuang.ratings"
    label = "ratings"
    verbose_name = _("好差评")

    def ready(self) -> None:
        from yichuang.ratings import hooks  # noqa: F401  (registers with cases and hall)
