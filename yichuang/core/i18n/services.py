"""Writes of the language machinery."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.i18n import content, spreadsheet
from yichuang.core.i18n.languages import MONGOLIAN, language_choices
from yichuang.core.i18n.models import ContentTranslation
from yichuang.core.permissions import require_capability


@transaction.atomic
def user_language_set(*, actor: Any, user: Any, language: str) -> bool:
    """Store the interface language a user chose for himself (blank: follow the request). Returns whether
    it changed; a change leaves an audit event."""
    if actor is None or not actor.is_authenticated or actor.pk != user.pk:
        raise PermissionDeniedError("只能设置本人的界面语言")
    if language and language not in dict(language_choices()):
        raise ApplicationError("不支持该语言", fields={"language": ["不支持该语言"]})
    locked = get_user_model()._default_manager.select_for_update().get(pk=user.pk)
    before = locked.language
    user.language = language
    if before == language:
        return False
    locked.language = language
    locked.save(update_fields=["language"])
    audit_record(actor=actor, action="user.language", obj=locked, data={"language": [before, language]})
    return True


# ---------------------------------------------------------------------------------------------------------
# Mongolian texts of content (see yichuang.core.i18n.content)

TRANSLATE_CAPABILITY = "i18n.translate"
MAX_TEXT_LENGTH = 4000
_MONGOLIAN_LETTER = re.compile(r"[\u1820-\u1878\u1880-\u18aa\U00011660-\U0001167f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufdd0-\ufdef]")


def translated_language(language: str) -> str:
    """``language`` when it is an offered language other than the source (Chinese); else an error."""
    code = (language or "").lower()
    if code == settings.LANGUAGE_CODE or code not in dict(language_choices()):
        raise ApplicationError("不支持该语言", code="bad_language", fields={"language": ["不支持该语言"]})
    return code


def clean_translation(text: str) -> str:
    return content.normalise(text or "")


def translation_errors(text: str, field: content.SourceField, *, language: str = MONGOLIAN) -> list[str]:
    """What is wrong with ``text`` as the translation of ``field`` (an empty list when nothing is)."""
    errors = []
    if len(text) > MAX_TEXT_LENGTH:
        errors.append(f"译文不能超过 {MAX_TEXT_LENGTH} 个字符")
    if _CONTROL.search(text):
        errors.append("译文含有不可见的控制字符，请删除后重新输入")
    if language == MONGOLIAN:
        if _CYRILLIC.search(text):
            errors.append("请使用传统蒙古文（竖写蒙古文），不要使用西里尔字母")
        elif not _MONGOLIAN_LETTER.search(text):
            errors.append("译文中没有蒙古文字母：请输入传统蒙古文")
    if field.has_parameters:
        wanted, found = field.parameters, content.placeholders(text)
        if found != wanted:
            names = "、".join("{" + name + "}" for name in sorted(wanted)) or "（无）"
            errors.append(f"译文必须原样保留占位符 {names}，不能增删或改名")
    return errors


def _source_object(kind: str, key: str) -> content.SourceObject:
    source = content.source(kind)
    found = source.get(key) if source is not None else None
    if found is None:
        raise NotFoundError("未找到要翻译的内容：它可能已被删除或改名", code="content_not_found")
    return found


def _source_field(obj: content.SourceObject, field: str) -> content.SourceField:
    found = obj.field(field)
    if found is None:
        raise NotFoundError("未找到要翻译的内容：它可能已被删除或改名", code="content_not_found")
    return found


def _store(
    *, actor: Any, obj: content.SourceObject, source_field: content.SourceField, text: str, language: str
) -> ContentTranslation | None:
    """Write one field's translation (validated by the caller) with its audit event; None when removed."""
    target = {"kind": obj.kind, "key": obj.key, "field": source_field.field, "language": language}
    existing = ContentTranslation.objects.select_for_update().filter(**target).first()
    if not text:
        if existing is None:
            return None
        existing.delete()
        audit_record(
            actor=actor,
            action="i18n.content.clear",
            object_type=ContentTranslation._meta.label_lower,
            object_id=f"{obj.kind}/{obj.key}/{source_field.field}"[:64],
            data={**target, "text": [existing.text, ""]},
        )
        return None
    if existing is not None and existing.text == text and existing.source_hash == source_field.hash:
        return existing
    before_text = existing.text if existing is not None else ""
    was_stale = existing is not None and existing.source_hash != source_field.hash
    row = existing or ContentTranslation(**target)
    row.text = text
    row.source_hash = source_field.hash
    row.source_text = content.normalise(source_field.text)
    row.updated_at = timezone.now()
    row.updated_by = actor if getattr(actor, "pk", None) else None
    row.save()
    audit_record(
        actor=actor,
        action="i18n.content.set",
        obj=row,
        data={**target, "text": [before_text, text], "was_stale": was_stale},
    )
    return row


def _unchanged(existing: ContentTranslation | None, text: str, source_field: content.SourceField) -> bool:
    if existing is None:
        return not text
    return existing.text == text and existing.source_hash == source_field.hash


@audited_atomic
def content_translation_set(
    *,
    actor: Any,
    kind: str,
    key: str,
    field: str,
    text: str,
    source_hash: str = "",
    language: str = MONGOLIAN,
) -> ContentTranslation | None:
    """Store the translation of one field of content, made from its Chinese as it reads now; an empty
    ``text`` removes it. ``source_hash`` is the hash of the Chinese the translator saw: when the Chinese has
    changed since, nothing is stored (the translator must see the new text first). Returns the row (None
    when removed); every change leaves an audit event, an unchanged text none."""
    require_capability(actor, TRANSLATE_CAPABILITY, "只有政数局管理员可以维护蒙古文内容")
    language = translated_language(language)
    obj = _source_object(kind, key)
    source_field = _source_field(obj, field)
    if source_hash and source_hash != source_field.hash:
        raise ConflictError(
            "中文原文已经修改，请刷新页面，按新的原文重新翻译",
            code="source_changed",
            fields={field: ["原文已修改"]},
        )
    text = clean_translation(text)
    if text:
        errors = translation_errors(text, source_field, language=language)
        if errors:
            raise ApplicationError(errors[0], code="invalid_translation", fields={field: errors})
    return _store(actor=actor, obj=obj, source_field=source_field, text=text, language=language)


@dataclass
class SaveResult:
    changed: int = 0
    unchanged: int = 0


@audited_atomic
def content_translations_save(
    *, actor: Any, kind: str, key: str, entries: list[tuple[str, str, str]], language: str = MONGOLIAN
) -> SaveResult:
    """Save the translations of several fields of one object at once (the screen's form): ``entries`` are
    ``(field, text, source_hash)``. All or nothing: any wrong field → an error naming every wrong field."""
    require_capability(actor, TRANSLATE_CAPABILITY, "只有政数局管理员可以维护蒙古文内容")
    language = translated_language(language)
    obj = _source_object(kind, key)
    errors: dict[str, list[str]] = {}
    planned: list[tuple[content.SourceField, str]] = []
    for field, text, shown_hash in entries:
        source_field = _source_field(obj, field)
        cleaned = clean_translation(text)
        if shown_hash and shown_hash != source_field.hash:
            errors[field] = ["中文原文已经修改，请按新的原文重新翻译"]
        elif cleaned and (problems := translation_errors(cleaned, source_field, language=language)):
            errors[field] = problems
        planned.append((source_field, cleaned))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(
            f"有 {len(errors)} 处译文需要修改：{first}", code="invalid_translation", fields=errors
        )
    existing = {
        row.field: row for row in ContentTranslation.objects.filter(kind=kind, key=key, language=language)
    }
    result = SaveResult()
    for source_field, cleaned in planned:
        if _unchanged(existing.get(source_field.field), cleaned, source_field):
            result.unchanged += 1
            continue
        _store(actor=actor, obj=obj, source_field=source_field, text=cleaned, language=language)
        result.changed += 1
    return result


@dataclass
class ImportResult:
    changed: int = 0
    unchanged: int = 0
    empty: int = 0
    # rows whose Chinese changed after the export: (row number, what it is)
    stale: list[tuple[int, str]] = dataclasses.field(default_factory=list)


@audited_atomic
def content_translations_import(*, actor: Any, data: bytes, language: str = MONGOLIAN) -> ImportResult:
    """Import a translation workbook (``spreadsheet.content_workbook``'s layout). Rows with an empty
    translation change nothing; rows whose Chinese has changed since the export are skipped and listed; any
    wrong row → nothing is imported and the error lists every wrong row (at most 50) by its number."""
    require_capability(actor, TRANSLATE_CAPABILITY, "只有政数局管理员可以维护蒙古文内容")
    language = translated_language(language)
    rows = spreadsheet.read_rows(data)
    objects: dict[tuple[str, str], content.SourceObject | None] = {}
    errors: list[dict[str, Any]] = []
    planned: list[tuple[content.SourceObject, content.SourceField, str]] = []
    result = ImportResult()
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        text = clean_translation(row.mongolian)
        if not text:
            result.empty += 1
            continue
        if (row.kind, row.key) not in objects:
            source = content.source(row.kind)
            objects[row.kind, row.key] = source.get(row.key) if source is not None else None
        obj = objects[row.kind, row.key]
        source_field = obj.field(row.field) if obj is not None else None
        target = (row.kind, row.key, row.field)
        if source_field is None or obj is None:
            errors.append(
                {
                    "row": row.number,
                    "message": "找不到该条内容（类别代码、对象标识或字段被改动，或内容已删除）",
                }
            )
        elif target in seen:
            errors.append({"row": row.number, "message": f"与第 {seen[target]} 行是同一条内容，请只保留一行"})
        elif row.source_hash != source_field.hash:
            result.stale.append((row.number, f"{obj.title} · {source_field.label}"))
        elif problems := translation_errors(text, source_field, language=language):
            errors.append({"row": row.number, "message": "；".join(problems)})
        else:
            planned.append((obj, source_field, text))
        seen.setdefault(target, row.number)
    if errors:
        first = errors[0]
        raise ApplicationError(
            f"导入文件有 {len(errors)} 行需要改正，未导入任何译文。第 {first['row']} 行：{first['message']}",
            code="import_invalid",
            extra={"rows": errors[:50]},
        )
    existing = {
        (row.kind, row.key, row.field): row
        for row in ContentTranslation.objects.filter(
            language=language, kind__in={kind for kind, _key in objects}
        )
    }
    for obj, source_field, text in planned:
        if _unchanged(existing.get((obj.kind, obj.key, source_field.field)), text, source_field):
            result.unchanged += 1
            continue
        _store(actor=actor, obj=obj, source_field=source_field, text=text, language=language)
        result.changed += 1
    audit_record(
        actor=actor,
        action="i18n.content.import",
        object_type=ContentTranslation._meta.label_lower,
        data={
            "language": language,
            "changed": result.changed,
            "unchanged": result.unchanged,
            "stale": len(result.stale),
            "empty": result.empty,
        },
    )
    return result
