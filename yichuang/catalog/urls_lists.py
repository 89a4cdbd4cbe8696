"""URL patterns of the catalog's lists screens (namespace "catalog"): public pages under /lists/,
the admin's screen under /catalog/lists/."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.catalog import views_lists

urlpatterns: list[URLPattern] = [
    path("lists/", views_lists.list_index, name="list_index"),
    path("lists/<slug:kind>/", views_lists.list_detail, name="list_detail"),
    path("lists/<slug:kind>/v/<int:number>/", views_lists.list_version, name="list_version"),
    path("lists/<slug:kind>/v/<int:number>.xlsx", views_lists.list_export, name="list_export"),
    path("catalog/lists/", views_lists.list_manage, name="list_manage"),
    path("catalog/lists/<slug:kind>/", views_lists.list_manage_detail, name="list_manage_detail"),
    path("catalog/lists/<slug:kind>/adjust", views_lists.list_manage_adjust, name="list_manage_adjust"),
    path(
        "catalog/lists/<slug:kind>/adjustments/<int:item_id>/remove",
        views_lists.list_manage_adjustment_remove,
        name="list_manage_adjustment_remove",
    ),
    path("catalog/lists/<slug:kind>/settings", views_lists.list_manage_update, name="list_manage_update"),
    path("catalog/lists/<slug:kind>/publish", views_lists.list_manage_publish, name="list_manage_publish"),
]
