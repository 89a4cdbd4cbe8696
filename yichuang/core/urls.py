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
]
