from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public side that belongs to no single domain app; for now the self-service terminal (自助终端)."""

    name = "yichuang.portal"
    label = "portal"
    verbose_name = _("公众服务")
