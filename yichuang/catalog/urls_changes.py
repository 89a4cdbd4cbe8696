"""URL patterns of the catalog's changes screens (namespace "catalog")."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
