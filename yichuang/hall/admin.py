"""The admin's hall settings (政数局管理员): halls and their hours, categories, windows, tidal rules and
appointment slot plans are organisation data edited here; every save and delete is in the audit log.
Tickets, appointments and the logs are written only by the services and shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from yichuang.core.admin import AuditedAdmin as CoreAuditedAdmin
from yichuang.core.admin import ReadOnlyAdmin
from yichuang.core.audit import audit_record
from yichuang.hall.models import (
    Appointment,
    Hall,
    ServiceCategory,
    SlotPlan,
    Ticket,
    TidalRule,
    Window,
    WindowEvent,
)


class AuditedAdmin(CoreAuditedAdmin):
    """Hall data: also the window's categories, which the admin form saves after the window."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            if form.changed_data and "categories" in form.changed_data:
                audit_record(
                    actor=request.user,
                    action=f"hall.{form.instance._meta.model_name}_categories",
                    obj=form.instance,
                    data={"categories": sorted(c.code for c in form.instance.categories.all())},
                )


@admin.register(Hall)
class HallAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "department",
        "opens_at",
        "closes_at",
        "extended_closes_at",
        "weekend_opens_at",
        "is_active",
    )
    fieldsets = (
        (None, {"fields": ("code", "name", "department", "address", "phone", "is_active")}),
        (
            "服务时间",
            {
                "fields": (
                    "opens_at",
                    "closes_at",
                    "extended_closes_at",
                    "weekend_opens_at",
                    "weekend_closes_at",
                )
            },
        ),
        (
            "排队与预约规则",
            {
                "fields": (
                    "notify_ahead",
                    "booking_days_ahead",
                    "checkin_early_minutes",
                    "checkin_late_minutes",
                    "no_show_limit",
                    "no_show_period_days",
                    "booking_ban_days",
                )
            },
        ),
    )


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AuditedAdmin):
    list_display = ("prefix", "name", "hall", "service_minutes", "daily_limit", "bookable", "is_active")
    list_filter = ("hall", "is_active")


@admin.register(Window)
class WindowAdmin(AuditedAdmin):
    list_display = (
        "number",
        "name",
        "kind",
        "department",
        "is_reserve",
        "standby_clerk",
        "status",
        "clerk",
        "is_active",
    )
    list_filter = ("hall", "kind", "is_reserve", "status")
    filter_horizontal = ("categories",)
    # The shift (status, clerk) changes only through sign-in, pause and sign-out.
    readonly_fields = (
        "status",
        "clerk",
        "opened_by_tidal",
        "status_changed_at",
        "pause_reason",
        "rating_ticket",
    )


@admin.register(TidalRule)
class TidalRuleAdmin(AuditedAdmin):
    list_display = (
        "category",
        "open_waiting",
        "open_wait_minutes",
        "close_waiting",
        "close_wait_minutes",
        "is_active",
    )


@admin.register(SlotPlan)
class SlotPlanAdmin(AuditedAdmin):
    list_display = ("category", "days", "starts_at", "ends_at", "capacity", "is_active")
    list_filter = ("category__hall", "days", "is_active")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "day", "category", "status", "priority", "source", "window", "issued_at")
    list_filter = ("day", "status", "category")
    exclude = ("id_number", "phone", "idempotency_key")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "day", "category", "status", "booked_at")
    list_filter = ("status", "category")
    exclude = ("id_number", "phone", "idempotency_key")


@admin.register(WindowEvent)
class WindowEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "window", "kind", "clerk", "category", "note")
    list_filter = ("kind", "window__hall")
