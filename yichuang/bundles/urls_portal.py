"""URL patterns of the public 一件事专区 and guides, the progress lookup (no login) and the applicant's 一件事
(apply online, 我的一件事; login as an applicant). Namespace "bundles".

``bundles/track/`` comes before ``bundles/<code>/``: a single path segment after ``bundles/`` is a bundle's
code, so other one-segment pages under ``bundles/`` must be listed before it too.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.bundles import views_portal, views_public

urlpatterns: list[URLPattern] = [
    path("bundles/", views_public.public_list, name="public_list"),
    path("bundles/track/", views_public.track, name="track"),
    path("bundles/<slug:code>/", views_public.public_guide, name="public_guide"),
    path("bundles/<slug:code>/apply/", views_portal.apply, name="portal_apply"),
    path("my/bundles/", views_portal.application_list, name="portal_list"),
    path("my/bundles/<int:pk>/", views_portal.application_detail, name="portal_detail"),
    path("my/bundles/<int:pk>/supply/", views_portal.supply_correction, name="portal_supply"),
    path("my/bundles/<int:pk>/withdraw/", views_portal.withdraw, name="portal_withdraw"),
    path(
        "my/bundles/<int:pk>/notices/<int:notice_id>/pdf/",
        views_portal.notice_pdf,
        name="portal_notice_pdf",
    ),
]
