"""API of the Mongolian texts of content (/api/v1/i18n/…): the same reads and writes as the admin's screen."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from yichuang.core.errors import NotFoundError
from yichuang.core.i18n import selectors
from yichuang.core.i18n.languages import MONGOLIAN
from yichuang.core.i18n.services import TRANSLATE_CAPABILITY, content_translation_set, translated_language
from yichuang.core.permissions import require_capability

router = Router(tags=["蒙古文内容"])


class KindOut(Schema):
    kind: str
    label: str
    objects: int
    fields: int
    translated: int
    stale: int
    missing: int


class FieldOut(Schema):
    field: str
    label: str
    chinese: str
    source_hash: str
    state: str
    text: str
    translated_from: str = ""  # the Chinese the stored translation was made from


class ObjectOut(Schema):
    kind: str
    key: str
    title: str
    state: str
    fields: list[FieldOut]


class ObjectQuery(Schema):
    kind: str
    key: str
    language: str = MONGOLIAN


class TranslationIn(Schema):
    kind: str
    key: str
    field: str
    text: str
    source_hash: str = ""
    language: str = MONGOLIAN


def _allowed(request: HttpRequest) -> None:
    require_capability(request.user, TRANSLATE_CAPABILITY, "只有政数局管理员可以维护蒙古文内容")


@router.get("/content/summary", response=list[KindOut])
def content_summary(request: HttpRequest, language: str = MONGOLIAN) -> list[selectors.KindSummary]:
    """How much of each kind of content is translated, 待更新 (stale) or missing."""
    _allowed(request)
    language = translated_language(language)
    return selectors.content_summary(selectors.content_objects(language=language))


def _object_out(row: selectors.ObjectRow) -> ObjectOut:
    return ObjectOut(
        kind=row.obj.kind,
        key=row.obj.key,
        title=row.obj.title,
        state=row.state,
        fields=[
            FieldOut(
                field=each.field.field,
                label=each.field.label,
                chinese=each.field.text,
                source_hash=each.field.hash,
                state=each.state,
                text=each.text,
                translated_from=each.translation.source_text if each.translation is not None else "",
            )
            for each in row.fields
        ],
    )


@router.get("/content/object", response=ObjectOut)
def content_object(request: HttpRequest, query: Query[ObjectQuery]) -> ObjectOut:
    """One object's fields: the Chinese, its hash (send it back with a translation) and the translation."""
    _allowed(request)
    language = translated_language(query.language)
    row = selectors.content_object(kind=query.kind, key=query.key, language=language)
    if row is None:
        raise NotFoundError("未找到要翻译的内容")
    return _object_out(row)


@router.put("/content", response=ObjectOut)
def content_translation_put(request: HttpRequest, payload: TranslationIn) -> ObjectOut:
    """Store (or, with an empty text, remove) one field's translation; ``source_hash`` is the hash of the
    Chinese the translator saw (409 ``source_changed`` when it has changed since)."""
    content_translation_set(
        actor=request.user,
        kind=payload.kind,
        key=payload.key,
        field=payload.field,
        text=payload.text,
        source_hash=payload.source_hash,
        language=payload.language,
    )
    row = selectors.content_object(kind=payload.kind, key=payload.key, language=payload.language.lower())
    assert row is not None  # the service found it
    return _object_out(row)
