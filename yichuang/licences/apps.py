from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "yichuang.licences"
    label = "licences"
    verbose_name = _("电子证照与电子印章")

    def ready(self) -> None:
        from yichuang.cases import hooks
        from yichuang.catalog import references
        from yichuang.licences import exemption, issuing, selectors

        hooks.on_submitted(exemption.on_submitted)
        hooks.on_approved(issuing.on_approved)
        hooks.on_result_form(issuing.result_form)
        references.register_licence_types(selectors.licence_type_names)
