"""URL of the display-mode switch (namespace "a11y"): open to everyone, logged in or not."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.core import views_a11y

app_name = "a11y"

urlpatterns: list[URLPattern] = [
    path("a11y/", views_a11y.display_modes_update, name="update"),
]
