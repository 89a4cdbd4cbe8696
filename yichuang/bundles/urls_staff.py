"""URL patterns of the 一件事 staff screens (namespace "bundles"): the window's desk and the application page
(/bundles/desk/), the admin's definitions (/bundles/manage/) and the figures (/bundles/figures/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.bundles import views_figures, views_manage, views_staff

urlpatterns: list[URLPattern] = [
    # 一件事工作台 (window, issuance window, helpers, departments read-only)
    path("bundles/desk/", views_staff.desk, name="desk"),
    path("bundles/desk/new/", views_staff.desk_new, name="desk_new"),
    path("bundles/desk/applicants/", views_staff.desk_applicants, name="desk_applicants"),
    path("bundles/desk/applicants/new/", views_staff.desk_register, name="desk_register"),
    path("bundles/desk/<int:pk>/", views_staff.desk_detail, name="desk_detail"),
    path("bundles/desk/<int:pk>/check/", views_staff.desk_check, name="desk_check"),
    path("bundles/desk/<int:pk>/supply/", views_staff.desk_supply, name="desk_supply"),
    path("bundles/desk/<int:pk>/deliver/", views_staff.desk_deliver, name="desk_deliver"),
    path(
        "bundles/desk/<int:pk>/notices/<int:notice_id>/pdf/",
        views_staff.desk_notice_pdf,
        name="desk_notice_pdf",
    ),
    # 一件事管理 (the admin)
    path("bundles/manage/", views_manage.manage, name="manage"),
    path("bundles/manage/new/", views_manage.manage_new, name="manage_new"),
    path("bundles/manage/<int:pk>/edit/", views_manage.manage_edit, name="manage_edit"),
    path("bundles/manage/<int:pk>/publish/", views_manage.manage_publish, name="manage_publish"),
    path("bundles/manage/<int:pk>/retire/", views_manage.manage_retire, name="manage_retire"),
    # 一件事成效
    path("bundles/figures/", views_figures.figures, name="figures"),
]
