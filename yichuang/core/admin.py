from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest

from yichuang.core import services
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError
from yichuang.core.models import AuditEvent, CalendarDay, CalendarYear, Notification


class AuditedAdmin(admin.ModelAdmin):
    """Organisation data edited in the admin: each save or delete appends an audit event
    ``<app>.<model>_created|changed|deleted`` naming what changed."""

    def _audit(self, request: HttpRequest, obj: Any, event: str, data: dict[str, Any]) -> None:
        audit_record(
            actor=request.user,
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_{event}",
            obj=obj,
            data=data,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            data = {"fields": sorted(form.changed_data), "label": str(obj)}
            self._audit(request, obj, "changed" if change else "created", data)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit(request, obj, "deleted", {"label": str(obj)})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, obj, "deleted", {"label": str(obj)})
            super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (audit events, notifications, published catalog rows)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "occurred_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "object_id", "actor_label")


class ServiceBackedAdmin(admin.ModelAdmin):
    """Admin edits go through the same services as screens and API (permission, audit)."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # create or delete only; a change is a new override

    def _run(self, request: HttpRequest, action: Any) -> bool:
        try:
            action()
        except ApplicationError as error:
            messages.error(request, error.message)
            return False
        return True


@admin.register(CalendarDay)
class CalendarDayAdmin(ServiceBackedAdmin):
    list_display = ("date", "is_working_day", "note", "updated_at")
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        self._run(
            request,
            lambda: services.calendar_day_set(
                actor=request.user, date=obj.date, is_working_day=obj.is_working_day, note=obj.note
            ),
        )

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        self._run(request, lambda: services.calendar_day_clear(actor=request.user, date=obj.date))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(ServiceBackedAdmin):
    list_display = ("year", "note", "created_at")

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        self._run(
            request,
            lambda: services.calendar_year_enter(actor=request.user, year=obj.year, note=obj.note),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: a notification is a record of what was sent; the recipient is shown masked."""

    list_display = ("created_at", "channel", "recipient", "template", "status", "object_type", "object_id")
    list_filter = ("channel", "status", "template")
    search_fields = ("=to", "object_id", "template")
    exclude = ("to",)
    readonly_fields = ("recipient", "channel", "subject", "body", "template", "status", "error", "backend")

    @admin.display(description="接收人")
    def recipient(self, obj: Notification) -> str:
        return obj.to_masked
