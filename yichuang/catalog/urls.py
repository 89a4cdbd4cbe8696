"""All catalog screens, namespace "catalog": public guides, lists and search; staff workbench,
change management and imports. Each feature keeps its patterns in its own ``urls_<feature>`` module."""

from __future__ import annotations

from yichuang.catalog import urls_changes, urls_guides, urls_import, urls_lists, urls_search

app_name = "catalog"

urlpatterns = [
    *urls_guides.urlpatterns,
    *urls_changes.urlpatterns,
    *urls_lists.urlpatterns,
    *urls_search.urlpatterns,
    *urls_import.urlpatterns,
]
