"""The dashboard and its drill-down."""

from django.urls import path

from yichuang.supervision import views_dashboard

urlpatterns = [
    path("supervision/", views_dashboard.dashboard, name="dashboard"),
    path("supervision/cases/", views_dashboard.drill_down, name="drill_down"),
]
