"""URL patterns of the hall's big screen (大屏) and, later, the monthly report's files (namespace
"supervision")."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.supervision import views_screen

urlpatterns: list[URLPattern] = [
    path("supervision/screen/", views_screen.screen, name="screen"),
    path("supervision/screen/data/", views_screen.screen_data, name="screen_data"),
]
