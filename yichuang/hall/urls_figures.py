"""大厅统计: the screen (/hall/figures/) and its Excel export (/hall/figures.xlsx)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.hall import views_figures

urlpatterns: list[URLPattern] = [
    path("hall/figures/", views_figures.figures, name="figures"),
    path("hall/figures.xlsx", views_figures.figures_export, name="figures_xlsx"),
]
