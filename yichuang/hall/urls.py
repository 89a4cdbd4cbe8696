"""Screens of the service hall, namespace "hall": the kiosk, the display board, the counter screens and the
clerk's window desk (``urls_screens``), appointments (``urls_appointments``), the figures
(``urls_figures``) and the admin's hall settings (``urls_manage``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from yichuang.hall import urls_appointments, urls_figures, urls_manage, urls_screens

app_name = "hall"

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_manage.urlpatterns,
    *urls_figures.urlpatterns,
    *urls_appointments.urlpatterns,
    *urls_screens.urlpatterns,
]
