"""The supervision admin: card rules, sampling records, the ranking weights and the honours (read-only;
they are awarded on the ranking screen). Every save is in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yichuang.core.admin import AuditedAdmin, ReadOnlyAdmin
from yichuang.supervision import admin_cards, admin_sampling  # noqa: F401  (they register their models)
from yichuang.supervision.models import Honour, RankingScheme


@admin.register(RankingScheme)
class RankingSchemeAdmin(AuditedAdmin):
    list_display = (
        "__str__",
        "on_time",
        "online",
        "satisfaction",
        "yellow_points",
        "red_points",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RankingScheme.objects.exists()  # one scheme

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Honour)
class HonourAdmin(ReadOnlyAdmin):
    list_display = ("kind", "period_kind", "period_start", "window", "staff", "rank", "score", "awarded_by")
    list_filter = ("kind", "period_kind")
