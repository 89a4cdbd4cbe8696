"""Test URLconf: the dispatch API (``api_dispatch.router``) on an API with the platform's authentication
and error handlers, in front of the project's own URLs — so its tests do not depend on where
``config.api`` mounts it — and the directory's screens in the ``hotline`` namespace when the project's URLs
do not have that namespace yet."""

from django.urls import URLResolver, include, path
from ninja import NinjaAPI

from config.api import api as platform_api
from config.urls import urlpatterns as platform_urlpatterns
from yichuang.hotline import urls_directory
from yichuang.hotline.api_dispatch import router

api = NinjaAPI(
    auth=platform_api.auth,
    renderer=platform_api.renderer,
    urls_namespace="hotline-dispatch-test",
    docs_url=None,
    openapi_url=None,
)
for exception_class, handler in platform_api._exception_handlers.items():
    api.add_exception_handler(exception_class, handler)
api.add_router("/hotline", router)

_mounted = any(isinstance(p, URLResolver) and p.namespace == "hotline" for p in platform_urlpatterns)
_screens = [] if _mounted else [path("", include((urls_directory.urlpatterns, "hotline")))]

urlpatterns = [path("api/v1/", api.urls), *platform_urlpatterns, *_screens]
