from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yichuang.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from yichuang.core.i18n import languages

        languages.install()
