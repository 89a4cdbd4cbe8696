"""Search screens: the public portal's 事项检索 and the staff workbench's, with live results.

Thin: read the query, call ``search.search_items``, render. Bad input (a query too long, a page too
far) shows the service's message on the page instead of failing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from yichuang.accounts.models import Department
from yichuang.catalog import search
from yichuang.catalog.models import ServiceItem
from yichuang.core.errors import ApplicationError
from yichuang.core.permissions import require_capability

PAGE_SIZE = 20


def guide_url(item_id: int) -> str:
    """The public guide of an item (``catalog:guide_detail``)."""
    try:
        return reverse("catalog:guide_detail", args=[item_id])
    except NoReverseMatch:  # the guide screens are wired in their own module
        return f"/guides/{item_id}/"


def _positive_int(value: str | None, default: int | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number > 0 else default


def _search_context(request: HttpRequest, *, url_name: str, department_id: int | None) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    page = _positive_int(request.GET.get("page"), 1) or 1
    results: search.SearchResults | None = None
    error = ""
    if query:
        try:
            results = search.search_items(
                query=query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, department_id=department_id
            )
        except ApplicationError as exc:
            error = exc.message
    base = reverse(url_name)

    def link(**changes: Any) -> str:
        params = {"q": query, "department": department_id or "", "page": page, **changes}
        return base + "?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})

    rows = []
    if results is not None:
        rows = [_row(item) for item in results.hits]
    return {
        "query": query,
        "results": results,
        "rows": rows,
        "error": error,
        "page": page,
        "search_url": base,
        "previous_url": link(page=page - 1) if results and results.has_previous else "",
        "next_url": link(page=page + 1) if results and results.has_next else "",
        "suggestion_urls": [(s, link(q=s, page=1)) for s in (results.suggestions if results else [])],
        "department_id": department_id,
    }


def _row(item: ServiceItem) -> dict[str, Any]:
    version = item.current_version
    assert version is not None
    return {"item": item, "version": version, "guide_url": guide_url(item.pk)}


@require_GET
def portal_search(request: HttpRequest) -> HttpResponse:
    context = _search_context(request, url_name="catalog:search", department_id=None)
    return render(request, "catalog/search.html", context)


@login_required
@require_GET
def workbench_search(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "catalog.view", "您没有查看事项库的权限")
    department_id = _positive_int(request.GET.get("department"), None)
    context = _search_context(request, url_name="catalog:workbench_search", department_id=department_id)
    context["workbench"] = True
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "catalog/_search_results.html", context)
    context["departments"] = (
        Department.objects.filter(is_active=True, service_items__isnull=False).distinct().order_by("path")
    )
    return render(request, "catalog/search_workbench.html", context)
