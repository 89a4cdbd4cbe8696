"""URL patterns of the applicant portal (我的办件, login as an applicant) and the public progress lookup
(办理进度查询, no login). Namespace "cases"."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.cases import views_portal, views_track

urlpatterns: list[URLPattern] = [
    path("my/cases/", views_portal.case_list, name="portal_list"),
    path("my/cases/apply/<int:item_id>/", views_portal.apply, name="portal_apply"),
    path("my/cases/<int:case_id>/", views_portal.case_detail, name="portal_detail"),
    path("my/cases/<int:case_id>/supply/", views_portal.supply, name="portal_supply"),
    path("my/cases/<int:case_id>/deferred/", views_portal.supply_deferred, name="portal_supply_deferred"),
    path("my/cases/<int:case_id>/withdraw/", views_portal.withdraw, name="portal_withdraw"),
    path(
        "my/cases/<int:case_id>/notices/<int:notice_id>/pdf/",
        views_portal.notice_download,
        name="portal_notice_pdf",
    ),
    path("my/cases/<int:case_id>/files/<int:file_id>/", views_portal.file_download, name="portal_file"),
    path("track/", views_track.track, name="track"),
]
