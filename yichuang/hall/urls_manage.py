from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.hall import views_manage

urlpatterns: list[URLPattern] = [
    path("hall/manage/", views_manage.manage, name="manage"),
    path("hall/manage/log/", views_manage.window_log, name="window_log"),
]
