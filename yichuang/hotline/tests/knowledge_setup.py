"""Shared by the knowledge-base tests: a URL configuration with the screens (in the ``hotline`` namespace,
unless the project mounts them already) and the API router on a test API, categories, and articles reached
through the services."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, include, path, reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from config import api as platform_api
from yichuang.core.errors import ApplicationError
from yichuang.hotline import knowledge
from yichuang.hotline.api_knowledge import router
from yichuang.hotline.models_knowledge import KnowledgeArticle
from yichuang.hotline.models_taxonomy import HotlineCategory

test_api = NinjaAPI(
    renderer=platform_api.Utf8JSONRenderer(),
    auth=[platform_api.BearerTokenAuth(), platform_api.SessionAuth()],
    urls_namespace="hotline-knowledge-test-api",
)
test_api.add_exception_handler(ApplicationError, platform_api.on_application_error)  # type: ignore[arg-type]
test_api.add_exception_handler(NinjaValidationError, platform_api.on_validation_error)  # type: ignore[arg-type]
test_api.add_exception_handler(AuthenticationError, platform_api.on_authentication_error)  # type: ignore[arg-type]
test_api.add_router("/hotline", router)
API = "/api/test/hotline/knowledge"


def _mounted() -> bool:
    try:
        reverse("hotline:knowledge_list", urlconf="config.urls")
    except NoReverseMatch:
        return False
    return True


urlpatterns: list[Any] = [path("api/test/", test_api.urls), path("", include("config.urls"))]
if not _mounted():
    urlpatterns.append(path("", include(("yichuang.hotline.urls_knowledge", "hotline"), namespace="hotline")))

URLCONF = __name__


def category(path: str) -> HotlineCategory:
    """The category of ``path`` ("一级/二级/三级"), with its parents."""
    parent = None
    names = path.split("/")
    for level, _name in enumerate(names, start=1):
        node, _created = HotlineCategory.objects.get_or_create(
            path="/".join(names[:level]),
            defaults={"parent": parent, "level": level, "name": names[level - 1]},
        )
        parent = node
    assert parent is not None
    return parent


def article(
    actor: Any,
    *,
    question: str = "小区物业费收费标准怎么查？",
    answer: str = "物业服务收费实行政府指导价和市场调节价，可向住建局咨询。",
    publish: bool = True,
    **content: Any,
) -> KnowledgeArticle:
    created = knowledge.knowledge_create(actor=actor, question=question, answer=answer, **content)
    if publish:
        created = knowledge.knowledge_publish(actor=actor, article=created)
    return created
