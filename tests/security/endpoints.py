"""Every URL the project serves, walked from ``django.urls.get_resolver()``.

Screens are keyed by their route (``/cases/<int:case_id>/``); the ninja API, whose paths are in the resolver
too (one pattern per operation), by method and route (``POST /api/v1/cases/<case_id>/accept``), because one
API path carries several operations. The admin's hundreds of patterns are summarised by ``ADMIN_SAMPLE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_SAMPLE = (
    "/admin/",
    "/admin/accounts/user/",
    "/admin/core/auditevent/",
    "/admin/catalog/serviceitem/",
    "/admin/bundles/bundleapplication/",
    "/admin/hall/ticket/",
    "/admin/hotline/hotlineticket/",
    "/admin/ratings/evaluation/",
    "/admin/supervision/card/",
)


@dataclass(frozen=True)
class Endpoint:
    key: str
    route: str  # without the leading slash, as Django stores it
    name: str
    method: str  # the method whose answer decides (API: the operation's; screens: GET)
    api: bool
    regex: bool

    @property
    def params(self) -> list[str]:
        if self.regex:
            return re.findall(r"\(\?P<(\w+)>", self.route)
        return [part.split(":")[-1] for part in re.findall(r"<([^>]+)>", self.route)]

    def url(self, kwargs: dict[str, Any]) -> str:
        if self.regex:
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), self.route)
            path = path.lstrip("^").rstrip("$").replace("\\.", ".")
        else:
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), self.route)
        return "/" + path


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Any:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield (
                prefix + str(entry.pattern),
                name,
                hasattr(entry.pattern, "regex") and entry.pattern.__class__.__name__ == "RegexPattern",
            )


def _api_methods() -> dict[str, list[str]]:
    """API route → the methods of its operations (from ninja's routers, the source of the resolver's patterns)."""
    from ninja.utils import normalize_path, replace_path_param_notation

    from config.api import api

    methods: dict[str, list[str]] = {}
    for bound in api._get_bound_routers():
        prefix = replace_path_param_notation(bound.prefix)
        for path, view in bound.path_operations.items():
            parts = [part for part in (prefix, replace_path_param_notation(path)) if part]
            route = "api/v1/" + normalize_path("/".join(parts)).lstrip("/")
            for operation in view.operations:
                methods.setdefault(route, []).extend(operation.methods)
    return methods


def all_endpoints() -> list[Endpoint]:
    """Every non-admin endpoint, API operations split by method."""
    api_methods = _api_methods()
    found: dict[str, Endpoint] = {}
    for route, name, regex in _walk(get_resolver()):
        if route.startswith("admin/"):
            continue
        if route in api_methods:
            for method in api_methods[route]:
                key = f"{method} /{route}"
                found.setdefault(key, Endpoint(key, route, name, method, api=True, regex=False))
        else:
            key = "/" + route
            found.setdefault(key, Endpoint(key, route, name, "GET", api=False, regex=regex))
    return sorted(found.values(), key=lambda e: e.key)


def admin_routes() -> list[str]:
    return [route for route, _, _ in _walk(get_resolver()) if route.startswith("admin/")]
