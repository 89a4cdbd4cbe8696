"""URL patterns of 事项抽查 (namespace ``supervision``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.supervision import views_sampling as views

urlpatterns: list[URLPattern] = [
    path("supervision/sampling/", views.sampling_index, name="sampling"),
    path("supervision/sampling/draw/", views.sampling_draw_new, name="sampling_draw_new"),
    path("supervision/sampling/<int:draw_id>/", views.sampling_draw, name="sampling_draw"),
    path("supervision/sampling/items/<int:sampled_item_id>/", views.sampling_item, name="sampling_item"),
]
