"""``{% load content_translations %}``: the admin's Mongolian texts of content in templates.

``{% content_texts "item" version as mn %}`` gives the fields of a piece of content in the active language
(``language="mn-mong"`` to ask for Mongolian whatever the page's language); ``{{ mn.name }}`` prints the
Mongolian in ``<span lang="mn-Mong">`` or the marked Chinese fallback (see ``content.Rendition``), or nothing
with ``only_translated=True`` (beside the Chinese, as on the bilingual display board).
``{% content_text mn "category" code "name" minutes=5 %}`` reads a field whose name is built from parts and
fills its ``{…}`` fields. ``{% guide_mongolian version %}`` is the vertical Mongolian panel of a guide.
"""

from __future__ import annotations

from typing import Any

from django import template

from yichuang.core.i18n import content

register = template.Library()


@register.simple_tag
def content_texts(
    kind: str, obj: Any, language: str = "", only_translated: bool = False
) -> content.ContentTexts:
    return content.texts_for(
        content.describe(kind, obj), language=language or None, only_translated=only_translated
    )


@register.simple_tag
def content_text(texts: content.ContentTexts | None, *parts: Any, **values: Any) -> Any:
    if texts is None:
        return ""
    rendition = texts.part(*parts)
    return rendition.format(**values) if values else rendition


@register.simple_tag
def showing_mongolian() -> bool:
    return content.showing_mongolian()


def _entries(renditions: list[content.Rendition]) -> list[list[content.Rendition]]:
    """Fields named ``a.b.c`` that share ``a.b`` (a process step's name and description) form one entry."""
    entries: list[list[content.Rendition]] = []
    last = None
    for rendition in renditions:
        parts = rendition.field.split(".")
        stem = ".".join(parts[:2]) if len(parts) >= 3 else None
        if stem is not None and stem == last and entries:
            entries[-1].append(rendition)
        else:
            entries.append([rendition])
        last = stem
    return entries


@register.inclusion_tag("core/_guide_mongolian.html")
def guide_mongolian(version: Any) -> dict[str, Any]:
    """A guide's Mongolian texts set vertically; nothing unless the page is in Mongolian."""
    if not content.showing_mongolian():
        return {"show": False}
    texts = content.texts_for(content.describe("item", version))
    groups = [(group, _entries(renditions)) for group, renditions in texts.groups if group]
    return {"show": True, "texts": texts, "name": texts["name"], "groups": groups, "counts": texts.counts}
