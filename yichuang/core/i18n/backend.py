"""The template backend: Django's, with the marked ``i18n`` library and the markers resolved once a template
has been rendered (a span in HTML text, nothing elsewhere; see :mod:`yichuang.core.i18n.marking`)."""

from __future__ import annotations

from typing import Any

from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates, Template, reraise
from django.utils.safestring import mark_safe

from yichuang.core.i18n import tags_marked
from yichuang.core.i18n.marking import has_markers, resolve_markers, strip_markers

HTML_SUFFIXES = (".html", ".htm")


class MarkedTemplate(Template):
    def render(self, context: Any = None, request: Any = None) -> str:
        output = super().render(context, request)
        if not has_markers(output):
            return output
        name = str(self.template.origin.template_name or "")
        if name.endswith(HTML_SUFFIXES):
            return resolve_markers(output)
        return mark_safe(strip_markers(output))


class MarkingDjangoTemplates(DjangoTemplates):
    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        # {% load i18n %} gets Django's library with marking translate tags, in this engine only.
        self.engine.template_libraries["i18n"] = tags_marked.register

    def from_string(self, template_code: str) -> MarkedTemplate:
        return MarkedTemplate(self.engine.from_string(template_code), self)

    def get_template(self, template_name: str) -> MarkedTemplate:
        try:
            return MarkedTemplate(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
