"""好差评统计 (namespace "ratings"): the staff screen and its Excel export, the admin's 公开 of a month, and
the public page of the published months."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.ratings import views_figures

urlpatterns: list[URLPattern] = [
    path("ratings/figures/", views_figures.figures, name="figures"),
    path("ratings/figures.xlsx", views_figures.figures_export, name="figures_xlsx"),
    path("ratings/publish/", views_figures.publish, name="publish"),
    path("ratings/public/", views_figures.public, name="public"),
]
