"""All case screens, namespace "cases": the staff desks (window workbench, reviewer inbox, issuer desk),
the applicant portal and the public progress lookup. Each keeps its patterns in its own module."""

from __future__ import annotations

from yichuang.cases import urls_portal, urls_staff

app_name = "cases"

urlpatterns = [
    *urls_staff.urlpatterns,
    *urls_portal.urlpatterns,
]
