from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "yichuang.bundles"
    label = "bundles"
    verbose_name = _("一件事")

    def ready(self) -> None:
        from yichuang.bundles import progress
        from yichuang.cases import hooks

        # After the licences app (INSTALLED_APPS order): a member waiting for a licence starts once the
        # licence is signed, so its 免证办 finds it.
        hooks.on_transition(progress.on_transition)
        hooks.on_approved(progress.on_approved)
        hooks.on_step(progress.on_step)
        hooks.on_case_data(progress.case_data)
