"""URL patterns of the public guides (namespace "catalog"): no login needed."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.catalog import views_guides as views

urlpatterns: list[URLPattern] = [
    path("guides/", views.guide_index, name="guide_index"),
    path("guides/<int:item_id>/", views.guide_detail, name="guide_detail"),
    path("guides/<int:item_id>/plain/", views.guide_plain, name="guide_plain"),
    path("guides/<int:item_id>/versions/", views.guide_versions, name="guide_versions"),
    path("guides/<int:item_id>/v/<int:number>/", views.guide_version, name="guide_version"),
    path("guides/<int:item_id>/diff/", views.guide_diff, name="guide_diff"),
    path("guides/files/<str:sha256>/", views.file_download, name="file_download"),
]
