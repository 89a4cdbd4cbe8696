from django.urls import path

from yichuang.core import views
from yichuang.core.i18n import views as i18n_views

app_name = "core"

urlpatterns = [
    path("calendar/", views.calendar_year, name="calendar"),
    path("calendar/day/", views.calendar_day_update, name="calendar_day_update"),
    path("calendar/year/", views.calendar_year_enter, name="calendar_year_enter"),
    path("audit/", views.audit_list, name="audit_list"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("i18n/missing/", i18n_views.missing_report, name="i18n_missing"),
    path("i18n/content/", i18n_views.content_list, name="i18n_content"),
    path("i18n/content/edit/", i18n_views.content_edit, name="i18n_content_edit"),
    path("i18n/content/export.xlsx", i18n_views.content_export, name="i18n_content_export"),
    path("i18n/content/import/", i18n_views.content_import, name="i18n_content_import"),
]
