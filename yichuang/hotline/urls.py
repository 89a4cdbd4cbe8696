"""The hotline's screens and endpoints (namespace ``hotline``): tickets, the knowledge base, the dispatch
directory and classifier, Open311 GeoReport v2, the figures and hot topics."""

from django.urls import include, path

app_name = "hotline"

urlpatterns = [
    path("", include("yichuang.hotline.urls_tickets")),
    path("", include("yichuang.hotline.urls_knowledge")),
    path("", include("yichuang.hotline.urls_directory")),
    path("", include("yichuang.hotline.urls_open311")),
    path("", include("yichuang.hotline.urls_figures")),
]
