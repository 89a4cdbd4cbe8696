"""URL patterns of the catalog's import and export screens (namespace "catalog")."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.catalog import views_import

urlpatterns: list[URLPattern] = [
    path("catalog/import/", views_import.import_page, name="import"),
    path("catalog/import/<int:import_id>/", views_import.import_detail, name="import_detail"),
    path("catalog/export.xlsx", views_import.export, name="export"),
]
