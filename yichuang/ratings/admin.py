"""The admin's 好差评 settings (政数局管理员): the rating rules (``RatingPolicy``, one row) are organisation
data edited here, every save in the audit log. Ratings, rectifications, appeals and publications are
written only by the services and shown read-only, without the rater's identity or the appeal's evidence
(which only the staff screens serve, to who may see them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yichuang.core.admin import AuditedAdmin, ReadOnlyAdmin
from yichuang.ratings.models import Appeal, Evaluation, Publication, RatingPolicy, Rectification


@admin.register(RatingPolicy)
class RatingPolicyAdmin(AuditedAdmin):
    list_display = (
        "__str__",
        "rating_period_days",
        "rectification_working_days",
        "appeal_days",
        "rectification_rating_days",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row: the services read the first one; until it exists they use the defaults.
        return super().has_add_permission(request) and not RatingPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The rater's identity stays out of the admin: only who must call back sees it, on the staff screens.
RATER_FIELDS = (
    "rater_user",
    "rater_name",
    "rater_id_number",
    "rater_credit_code",
    "rater_phone",
    "idempotency_key",
)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = (
        "rated_at",
        "subject_label",
        "department",
        "staff",
        "channel",
        "level",
        "is_bad",
        "is_real_name",
        "status",
    )
    list_filter = ("status", "is_bad", "level", "channel", "subject_kind")
    search_fields = ("subject_label", "case_number")
    date_hierarchy = "rated_at"
    exclude = RATER_FIELDS


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = (
        "evaluation",
        "department",
        "assignee",
        "status",
        "due_date",
        "escalated_at",
        "rater_level",
    )
    list_filter = ("status",)
    search_fields = ("evaluation__subject_label",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "department", "ground", "filed_by", "filed_at", "status", "decided_at")
    list_filter = ("status", "ground")
    exclude = ("evidence",)


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("month", "published_at", "published_by")
