"""一件事 screens, namespace "bundles": the public 一件事专区 and applying (``urls_portal``), the window's
and issuance window's desk, the admin's definitions and the figures (``urls_staff``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from yichuang.bundles import urls_portal, urls_staff

app_name = "bundles"

# Staff first: the portal's ``bundles/<code>/`` would otherwise take ``bundles/desk/`` and the like.
urlpatterns: list[URLPattern | URLResolver] = [*urls_staff.urlpatterns, *urls_portal.urlpatterns]
