from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "yichuang.supervision"
    label = "supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from yichuang.cases import scheduler
        from yichuang.supervision import hooks  # noqa: F401  (re-rolls a day whose acceptance was back-dated)
        from yichuang.supervision.jobs import supervision_periodic

        scheduler.register(supervision_periodic)
