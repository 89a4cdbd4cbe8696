"""Admin of 事项抽查. Draws and inspections are written by ``sampling`` (with their audit events); here they
are read, and only a draw's note may be edited (audited by ``AuditedAdmin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yichuang.core.admin import AuditedAdmin
from yichuang.supervision.models_sampling import Inspection, SampledItem, SampleDraw


class SampledItemInline(admin.TabularInline):
    model = SampledItem
    fields = ["item", "department", "first_this_year", "status"]
    readonly_fields = ["item", "department", "first_this_year", "status"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SampleDraw)
class SampleDrawAdmin(AuditedAdmin):
    list_display = ["__str__", "drawn_at", "drawn_by", "population_size", "sample_size"]
    list_filter = ["year"]
    readonly_fields = ["year", "month", "drawn_at", "drawn_by", "seed", "population_size", "sample_size"]
    fields = [*readonly_fields, "note"]
    inlines = [SampledItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(AuditedAdmin):
    list_display = ["sampled_item", "conclusion", "inspector", "inspected_at", "rectification_due"]
    list_filter = ["conclusion", "sampled_item__draw__year"]
    list_select_related = ["sampled_item__draw", "sampled_item__item", "inspector"]
    search_fields = ["sampled_item__item__name", "findings"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Inspection._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
