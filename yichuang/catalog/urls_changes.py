"""URL patterns of the catalog's staff screens (namespace "catalog"): workbench, items, change requests."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.catalog import views_changes as views

urlpatterns: list[URLPattern] = [
    path("catalog/", views.workbench, name="workbench"),
    path("catalog/items/new/", views.item_new, name="item_new"),
    path("catalog/items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("catalog/items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("catalog/items/<int:item_id>/retire/", views.item_retire, name="item_retire"),
    path("catalog/changes/", views.change_list, name="change_list"),
    path("catalog/changes/<int:change_request_id>/", views.change_detail, name="change_detail"),
    path("catalog/changes/<int:change_request_id>/approve/", views.change_approve, name="change_approve"),
    path("catalog/changes/<int:change_request_id>/reject/", views.change_reject, name="change_reject"),
    path("catalog/changes/<int:change_request_id>/withdraw/", views.change_withdraw, name="change_withdraw"),
]
