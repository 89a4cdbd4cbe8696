from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo centre: loads every app's demo data in dependency order. Nothing depends on it."""

    name = "yichuang.demo"
    label = "demo"
    verbose_name = _("演示数据")
