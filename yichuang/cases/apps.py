import sys

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Processes that serve requests; the in-process sweep never starts in tests or other commands.
_SERVING = ("runserver", "gunicorn", "uvicorn")


class CasesConfig(AppConfig):
    name = "yichuang.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from yichuang.cases import messages  # noqa: F401  (registers the message templates)

        interval = getattr(settings, "YICHUANG_SWEEP_INTERVAL_SECONDS", 0)
        argv = " ".join(sys.argv[:2])
        if interval > 0 and any(name in argv for name in _SERVING):
            from yichuang.cases import scheduler

            scheduler.start(interval)
