"""URL patterns of the catalog's import screens (included by ``yichuang.catalog.urls``, namespace "catalog")."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
