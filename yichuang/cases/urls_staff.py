"""URL patterns of the staff desks (namespace "cases"): 窗口受理 /cases/window/, 审批办件 /cases/review/,
出证窗口 /cases/issue/, and the case page they share, /cases/<id>/, with the actions posted from it."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.cases import views_issue, views_review, views_staff, views_window

urlpatterns: list[URLPattern] = [
    # 窗口受理
    path("cases/window/", views_window.window_desk, name="window"),
    path("cases/window/applicants/", views_window.window_applicants, name="window_applicants"),
    path("cases/window/applicants/new/", views_window.window_applicant_register, name="window_register"),
    path("cases/window/items/", views_window.window_items, name="window_items"),
    path("cases/window/intake/", views_window.window_intake, name="window_intake"),
    path("cases/<int:case_id>/check/", views_window.window_check, name="window_check"),
    path("cases/<int:case_id>/refuse/", views_window.window_refuse, name="window_refuse"),
    path("cases/<int:case_id>/supply/", views_window.window_supply, name="window_supply"),
    path("cases/<int:case_id>/withdraw/", views_window.window_withdraw, name="window_withdraw"),
    path("cases/<int:case_id>/scan/", views_window.window_scan, name="window_scan"),
    # 审批办件
    path("cases/review/", views_review.review_inbox, name="review_inbox"),
    path("cases/<int:case_id>/review/start/", views_review.review_start, name="review_start"),
    path("cases/<int:case_id>/review/decide/", views_review.review_decide, name="review_decide"),
    path(
        "cases/<int:case_id>/review/procedure/start/",
        views_review.review_procedure_start,
        name="review_procedure_start",
    ),
    path(
        "cases/<int:case_id>/review/procedure/finish/",
        views_review.review_procedure_finish,
        name="review_procedure_finish",
    ),
    path(
        "cases/<int:case_id>/review/extension/",
        views_review.review_extension_request,
        name="review_extension_request",
    ),
    path(
        "cases/<int:case_id>/review/extension/<int:extension_id>/decide/",
        views_review.review_extension_decide,
        name="review_extension_decide",
    ),
    path(
        "cases/<int:case_id>/review/result-ready/",
        views_review.review_result_ready,
        name="review_result_ready",
    ),
    path("cases/<int:case_id>/review/terminate/", views_review.review_terminate, name="review_terminate"),
    path("cases/<int:case_id>/review/revoke/", views_review.review_revoke, name="review_revoke"),
    path("cases/<int:case_id>/review/verify/", views_review.review_verify, name="review_verify"),
    # 出证窗口
    path("cases/issue/", views_issue.issue_desk, name="issue_desk"),
    path("cases/<int:case_id>/deliver/", views_issue.issue_deliver, name="issue_deliver"),
    # the shared case page
    path("cases/<int:case_id>/", views_staff.case_detail, name="staff_case"),
    path("cases/<int:case_id>/applicant/full/", views_staff.case_applicant_full, name="staff_applicant_full"),
    path(
        "cases/<int:case_id>/notices/<int:notice_id>/pdf/",
        views_staff.notice_pdf,
        name="staff_notice_pdf",
    ),
    path("cases/<int:case_id>/files/<int:file_id>/", views_staff.case_file, name="staff_file"),
]
