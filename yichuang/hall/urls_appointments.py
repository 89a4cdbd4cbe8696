"""URL patterns of 预约 (namespace "hall"): the applicant's appointments and booking, the desk's booking for
a caller, the confirmation with its QR code, cancelling, and the kiosk's 预约签到 (no login)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.hall import views_appointments

urlpatterns: list[URLPattern] = [
    path("hall/appointments/", views_appointments.appointment_list, name="appointments"),
    path("hall/appointments/desk/", views_appointments.appointment_desk, name="appointments_desk"),
    path("hall/appointments/slots/", views_appointments.appointment_slots, name="appointments_slots"),
    path("hall/appointments/<str:code>/", views_appointments.appointment_detail, name="appointment_detail"),
    path(
        "hall/appointments/<str:code>/cancel/",
        views_appointments.appointment_cancel,
        name="appointment_cancel",
    ),
    path("hall/kiosk/check-in/", views_appointments.appointment_check_in, name="appointment_check_in"),
]
