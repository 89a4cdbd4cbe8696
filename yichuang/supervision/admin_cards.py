"""The admin of the cards: the rules (``CardPolicy``, one row per kind of subject) are organisation data
edited here, every save in the audit log. Cards and their history are written only by the services (the
sweep, the department's answer, the inspector's review) and shown read-only. Imported by
``supervision.admin``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yichuang.core.admin import AuditedAdmin, ReadOnlyAdmin
from yichuang.supervision.models_cards import Card, CardEvent, CardPolicy


@admin.register(CardPolicy)
class CardPolicyAdmin(AuditedAdmin):
    list_display = ("subject_kind", "yellow_days", "answer_days", "active", "updated_at")
    list_editable = ("yellow_days", "answer_days", "active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # stop a rule with "启用" instead: without a row the defaults would apply again


class CardEventInline(admin.TabularInline):
    model = CardEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor", "note", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = (
        "issued_at",
        "color",
        "subject_kind",
        "subject_label",
        "department",
        "limit_date",
        "status",
        "answer_due",
        "answered_late",
    )
    list_filter = ("color", "status", "subject_kind", "answered_late")
    search_fields = ("subject_label", "title")
    list_select_related = ("department",)
    date_hierarchy = "issued_at"
    inlines = [CardEventInline]
