"""Django admin for 一件事: read-only. Bundles are defined, published and retired on the 一件事管理 screen
(``definitions``), applications move only through the services; here the admin can look things up."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yichuang.bundles.models import (
    Bundle,
    BundleApplication,
    BundleCase,
    BundleEvent,
    BundleMember,
    BundleNotice,
    BundleQuestion,
)
from yichuang.core.admin import ReadOnlyAdmin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QuestionInline(ReadOnlyInline):
    model = BundleQuestion
    fields = ("position", "key", "text", "multiple", "choices")


class MemberInline(ReadOnlyInline):
    model = BundleMember
    fields = ("position", "item", "label", "condition", "fields")


@admin.register(Bundle)
class BundleAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "event_kind", "event", "lead_department", "status", "promised_days")
    list_filter = ("status", "event_kind")
    search_fields = ("name", "code", "event")
    list_select_related = ("lead_department",)
    inlines = (QuestionInline, MemberInline)


class MemberCaseInline(ReadOnlyInline):
    model = BundleCase
    fields = ("position", "member", "case", "state", "note")


class EventInline(ReadOnlyInline):
    model = BundleEvent
    fields = ("at", "action", "actor", "note")


@admin.register(BundleApplication)
class BundleApplicationAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "bundle",
        "applicant_name",
        "applicant_identifier",
        "channel",
        "status",
        "outcome",
        "submitted_at",
        "promised_due_date",
    )
    list_filter = ("status", "outcome", "channel", "bundle")
    search_fields = ("=number",)
    list_select_related = ("bundle", "applicant")
    date_hierarchy = "submitted_at"
    exclude = ("idempotency_key",)
    inlines = (MemberCaseInline, EventInline)

    @admin.display(description="申请人")
    def applicant_name(self, obj: BundleApplication) -> str:
        return obj.applicant.name

    @admin.display(description="证件号码")
    def applicant_identifier(self, obj: BundleApplication) -> str:
        return obj.applicant.masked_identifier


@admin.register(BundleNotice)
class BundleNoticeAdmin(ReadOnlyAdmin):
    list_display = ("document_number", "kind", "application", "issued_at")
    list_filter = ("kind",)
    search_fields = ("=document_number", "=application__number")
    list_select_related = ("application",)
    exclude = ("pdf",)
