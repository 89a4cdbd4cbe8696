"""URL patterns of the catalog's search screens (namespace "catalog")."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.catalog import views_search

urlpatterns: list[URLPattern] = [
    path("search/", views_search.portal_search, name="search"),
    path("catalog/search/", views_search.workbench_search, name="workbench_search"),
]
