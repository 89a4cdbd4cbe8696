"""The knowledge base's screens, to be included in the ``hotline`` namespace (``hotline:knowledge_*``)."""

from django.urls import path

from yichuang.hotline import views_knowledge

urlpatterns = [
    path("hotline/knowledge/", views_knowledge.knowledge_list, name="knowledge_list"),
    path("hotline/knowledge/search/", views_knowledge.knowledge_search_partial, name="knowledge_search"),
    path("hotline/knowledge/stale/", views_knowledge.knowledge_stale, name="knowledge_stale"),
    path("hotline/knowledge/new/", views_knowledge.knowledge_new, name="knowledge_new"),
    path("hotline/knowledge/<int:article_id>/", views_knowledge.knowledge_detail, name="knowledge_detail"),
    path("hotline/knowledge/<int:article_id>/edit/", views_knowledge.knowledge_edit, name="knowledge_edit"),
    path(
        "hotline/knowledge/<int:article_id>/publish/",
        views_knowledge.knowledge_publish,
        name="knowledge_publish",
    ),
    path(
        "hotline/knowledge/<int:article_id>/retire/",
        views_knowledge.knowledge_retire,
        name="knowledge_retire",
    ),
    path("hotline/knowledge/<int:article_id>/use/", views_knowledge.knowledge_use, name="knowledge_use"),
    path(
        "hotline/knowledge/<int:article_id>/versions/<int:number>/",
        views_knowledge.knowledge_version,
        name="knowledge_version",
    ),
]
