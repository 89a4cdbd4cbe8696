"""The self-service terminal's screens (namespace "portal"), all public, under ``/terminal/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.portal import views

app_name = "portal"

urlpatterns: list[URLPattern] = [
    path("terminal/", views.terminal_choose, name="terminal_choose"),
    path("terminal/<slug:hall_code>/", views.terminal_start, name="terminal_start"),
    path("terminal/<slug:hall_code>/end/", views.terminal_end, name="terminal_end"),
    path("terminal/<slug:hall_code>/ticket/", views.terminal_ticket, name="terminal_ticket"),
    path(
        "terminal/<slug:hall_code>/ticket/<int:pk>/", views.terminal_ticket_done, name="terminal_ticket_done"
    ),
    path("terminal/<slug:hall_code>/progress/", views.terminal_lookup, name="terminal_lookup"),
    path("terminal/<slug:hall_code>/progress/case/", views.terminal_case, name="terminal_case"),
    path("terminal/<slug:hall_code>/print/", views.terminal_print, name="terminal_print"),
    path("terminal/<slug:hall_code>/print/open/", views.terminal_print_open, name="terminal_print_open"),
    path("terminal/<slug:hall_code>/print/document.pdf", views.terminal_print_pdf, name="terminal_print_pdf"),
    path("terminal/<slug:hall_code>/appointment/", views.terminal_appointment, name="terminal_appointment"),
    path(
        "terminal/<slug:hall_code>/appointment/done/",
        views.terminal_appointment_done,
        name="terminal_appointment_done",
    ),
]
