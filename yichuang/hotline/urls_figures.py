"""12345统计 (to be included in the ``hotline`` namespace): the screen and its Excel export."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.hotline import views_figures

urlpatterns: list[URLPattern] = [
    path("hotline/figures/", views_figures.figures, name="figures"),
    path("hotline/figures.xlsx", views_figures.figures_export, name="figures_xlsx"),
]
