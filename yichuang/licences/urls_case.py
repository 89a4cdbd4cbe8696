"""免证办 on a case's page (namespace "licences", joined into ``urls.py``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.licences import views_case

urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/licences/fetch/", views_case.case_fetch, name="case_fetch"),
    path("cases/<int:case_id>/licences/<str:reference>/", views_case.case_licence, name="case_licence"),
]
