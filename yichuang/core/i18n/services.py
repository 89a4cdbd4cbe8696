"""Writes of the language machinery."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.i18n.languages import language_choices


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
