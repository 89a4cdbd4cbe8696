"""Public e-licence screens, namespace "licences": verification (what the QR code on a licence opens) and the
published seals."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.licences import views_public

app_name = "licences"

urlpatterns: list[URLPattern] = [
    path("licences/verify/", views_public.verify, name="verify"),
    path("licences/seals/", views_public.seal_list, name="seals"),
    path("licences/seals/<int:seal_id>.svg", views_public.seal_svg, name="seal_svg"),
]
