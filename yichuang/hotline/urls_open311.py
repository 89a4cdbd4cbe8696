"""Open311 GeoReport v2 at its usual addresses (``/open311/v2/services.json`` …), to be included at "" in
the root urls (or in the ``hotline`` namespace: the names are ``open311_*``)."""

from django.urls import re_path

from yichuang.hotline import api_open311

_FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(r"^open311/discovery" + _FORMAT, api_open311.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services" + _FORMAT, api_open311.services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<service_code>[^/]+?)" + _FORMAT,
        api_open311.service_definition,
        name="open311_service_definition",
    ),
    re_path(r"^open311/v2/requests" + _FORMAT, api_open311.request_list, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<service_request_id>[^/]+?)" + _FORMAT,
        api_open311.request_detail,
        name="open311_request",
    ),
    # The swagger description of GeoReport v2 spells the single request "request/{id}".
    re_path(r"^open311/v2/request/(?P<service_request_id>[^/]+?)" + _FORMAT, api_open311.request_detail),
    re_path(
        r"^open311/v2/tokens/(?P<token>[^/]+?)" + _FORMAT, api_open311.token_detail, name="open311_token"
    ),
]
