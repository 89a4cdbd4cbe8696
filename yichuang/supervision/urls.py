"""The supervision screens (namespace ``supervision``): the dashboard and its drill-down, cards, rankings,
sampling, the monthly report and the hall's big screen."""

from django.urls import include, path

app_name = "supervision"

urlpatterns = [
    path("", include("yichuang.supervision.urls_dashboard")),
    path("", include("yichuang.supervision.urls_cards")),
    path("", include("yichuang.supervision.urls_ranking")),
    path("", include("yichuang.supervision.urls_sampling")),
    path("", include("yichuang.supervision.urls_reports")),
    path("", include("yichuang.supervision.urls_monthly")),
]
