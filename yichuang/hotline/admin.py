"""The hotline's organisation data in the admin (政数局管理员): the classification, the dispatch directory and
the handling limits per nature and urgency, every save and delete in the audit log. Tickets are written only
by the services and shown read-only, the caller's identity left out."""

from __future__ import annotations

from django.contrib import admin

from yichuang.core.admin import AuditedAdmin, ReadOnlyAdmin
from yichuang.hotline.models import DirectoryEntry, HotlineCategory, HotlineLimit, HotlineTicket


@admin.register(HotlineLimit)
class HotlineLimitAdmin(AuditedAdmin):
    list_display = ("nature", "urgency", "sign_hours", "return_hours", "handle_days")
    list_filter = ("nature", "urgency")


@admin.register(HotlineCategory)
class HotlineCategoryAdmin(AuditedAdmin):
    list_display = ("path", "level", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("path",)


@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(AuditedAdmin):
    list_display = ("category", "division_code", "lead", "is_active")
    list_filter = ("is_active",)
    search_fields = ("category__path", "lead__name", "division_code")
    filter_horizontal = ("co_handlers",)


@admin.register(HotlineTicket)
class HotlineTicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "received_at", "channel", "nature", "urgency", "status", "lead")
    list_filter = ("status", "nature", "urgency", "channel")
    search_fields = ("number", "title")
    exclude = ("caller_name", "caller_phone", "caller_user", "idempotency_key")
