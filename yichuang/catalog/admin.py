"""Django admin for the catalog's reference data. Items, versions and lists change only through the
change-request and publication services (screens and API), so here they are read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yichuang.accounts.admin import AuditedAdmin
from yichuang.catalog.models import ChangeRequest, ItemTypeCode, ItemVersion, SearchSynonym, ServiceItem
from yichuang.catalog.search import search_synonyms_changed
from yichuang.core.admin import ReadOnlyAdmin


@admin.register(ItemTypeCode)
class ItemTypeCodeAdmin(AuditedAdmin):
    list_display = ("item_type", "code")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SearchSynonym)
class SearchSynonymAdmin(AuditedAdmin):
    list_display = ("phrase", "expansions")
    search_fields = ("phrase", "expansions")

    # Searches read synonyms from a cache: drop it so an edit takes effect at once.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        search_synonyms_changed()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        search_synonyms_changed()


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "department", "implementation_code", "status")
    list_filter = ("kind", "status", "level")
    search_fields = ("name", "implementation_code", "basic_code", "source_code")
    list_select_related = ("department",)


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyAdmin):
    list_display = ("name", "number", "change_kind", "published_at")
    list_filter = ("change_kind",)
    search_fields = ("name", "implementation_code")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "status", "department", "proposed_at")
    list_filter = ("kind", "status")
    list_select_related = ("department", "item")
