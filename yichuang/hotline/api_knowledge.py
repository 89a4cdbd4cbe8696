"""API of the 12345 knowledge base (mounted at ``/api/v1/hotline``): search and read (any staff member),
create, revise, publish and retire (``hotline.knowledge``), record that an operator answered with an
article (``hotline.intake``), the stale articles and 采用率 (editors).

Session or bearer token (the API's default auth). Thin: check, call ``knowledge``/``knowledge_search``,
shape. Other staff than the editors see published articles only: another one is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError
from yichuang.core.permissions import has_capability
from yichuang.hotline import knowledge
from yichuang.hotline.knowledge_search import MAX_LIMIT, knowledge_search
from yichuang.hotline.models_knowledge import KnowledgeArticle, KnowledgeSource, KnowledgeStatus
from yichuang.hotline.models_taxonomy import HotlineCategory

router = Router(tags=["12345知识库"])


# ——— schemas ———


class ArticleOut(Schema):
    id: int
    title: str
    question: str
    answer: str
    category_id: int | None
    category: str = Field(description="分类路径（一级/二级/三级）")
    department_id: int | None
    department: str = Field(description="答复部门")
    source_kind: str = Field(description="policy 政策文件 · reply 部门答复 · hotline 热线整理")
    source: str
    source_reference: str
    valid_until: dt.date | None
    status: str = Field(description="draft 草稿 · published 已发布 · retired 已停用")
    status_label: str
    version: int
    revised_at: dt.datetime
    published_at: dt.datetime | None
    retired_at: dt.datetime | None
    shown_count: int = Field(description="推送次数")
    use_count: int = Field(description="采用次数")
    adoption_rate: float | None = Field(description="采用率（采用 ÷ 推送），未推送过为 null")
    stale: list[str] = Field(description="需要复核的原因：expired、unrevised、department_inactive")


class HitOut(ArticleOut):
    score: float
    excerpt: str = Field(description="答复中与检索词相关的片段")


class KnowledgeSearchOut(Schema):
    query: str
    total: int
    limit: int
    offset: int
    terms: list[str] = Field(description="检索词分词后在知识库中出现的词")
    articles: list[HitOut]


MAX_ID = 2**63 - 1  # a database id: anything larger is refused as input (422), never passed to the database


class SearchFilter(Schema):
    q: str = Field("", description="检索词；为空时按最近修改列出")
    category: int | None = Field(None, ge=1, le=MAX_ID, description="分类 id（含下级分类）")
    department: int | None = Field(None, ge=1, le=MAX_ID, description="答复部门 id")
    status: str = Field("", description="状态（仅知识库维护人员；默认只查已发布且在有效期内的）")
    offer: str = Field(
        "",
        description="受理界面的推送标识：给出时本次返回的文章计为向话务员推送一次（同一标识每篇只计一次）",
    )
    limit: int = Field(10, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class KnowledgeVersionOut(Schema):
    number: int
    question: str
    answer: str
    category: str
    department: str
    source: str
    valid_until: dt.date | None
    edited_by: str
    edited_at: dt.datetime
    note: str


class ArticleDetailOut(ArticleOut):
    versions: list[KnowledgeVersionOut]


class DiffLineOut(Schema):
    op: str = Field(description='" " 未变 · "-" 删除 · "+" 新增')
    text: str
    parts: list[tuple[str, bool]] = Field(description="[片段, 是否改动]")


class FieldDiffOut(Schema):
    field: str
    label: str
    old: str
    new: str
    lines: list[DiffLineOut]


class VersionDiffOut(Schema):
    version: KnowledgeVersionOut
    previous_number: int | None
    fields: list[FieldDiffOut]
    unified: str


class ArticleIn(Schema):
    question: str
    answer: str
    category_id: int | None = None
    department_id: int | None = None
    source_kind: str = Field(
        KnowledgeSource.HOTLINE, description="policy 政策文件 · reply 部门答复 · hotline 热线整理"
    )
    source_reference: str = ""
    valid_until: dt.date | None = None
    note: str = ""


class ReviseIn(ArticleIn):
    base_version: int | None = Field(None, description="在哪一版上修改；已有更新的版本时返回 409")


class RetireIn(Schema):
    reason: str


class UseIn(Schema):
    ticket_ref: str = Field("", description="工单编号（选填）")


class KnowledgeUseOut(Schema):
    article_id: int
    version: int
    used_at: dt.datetime
    ticket_ref: str
    use_count: int
    shown_count: int


class AdoptionOut(Schema):
    articles: int
    shown: int
    used: int
    rate: float | None


# ——— shaping ———


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else "系统"


def article_out(article: KnowledgeArticle, *, now: dt.datetime | None = None) -> dict[str, Any]:
    stale = (
        knowledge.knowledge_stale_reasons(article, now=now)
        if article.status == KnowledgeStatus.PUBLISHED
        else []
    )
    return {
        "id": article.pk,
        "title": article.title,
        "question": article.question,
        "answer": article.answer,
        "category_id": article.category_id,
        "category": article.category.path if article.category else "",
        "department_id": article.department_id,
        "department": article.department.name if article.department else "",
        "source_kind": article.source_kind,
        "source": article.source_label,
        "source_reference": article.source_reference,
        "valid_until": article.valid_until,
        "status": article.status,
        "status_label": article.get_status_display(),
        "version": article.version,
        "revised_at": article.revised_at,
        "published_at": article.published_at,
        "retired_at": article.retired_at,
        "shown_count": article.shown_count,
        "use_count": article.use_count,
        "adoption_rate": article.adoption_rate,
        "stale": stale,
    }


def version_out(version: Any) -> dict[str, Any]:
    return {
        "number": version.number,
        "question": version.question,
        "answer": version.answer,
        "category": version.category.path if version.category else "",
        "department": version.department.name if version.department else "",
        "source": version.source_label,
        "valid_until": version.valid_until,
        "edited_by": _person(version.edited_by),
        "edited_at": version.edited_at,
        "note": version.note,
    }


def _detail(article: KnowledgeArticle) -> dict[str, Any]:
    return {
        **article_out(article),
        "versions": [version_out(v) for v in knowledge.knowledge_versions(article)],
    }


def _references(payload: ArticleIn) -> dict[str, Any]:
    """The category and department of a payload, or a structured error naming the unknown one."""
    fields: dict[str, list[str]] = {}
    category = department = None
    if payload.category_id is not None:
        category = HotlineCategory.objects.filter(pk=payload.category_id).first()
        if category is None:
            fields["category_id"] = ["分类不存在"]
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            fields["department_id"] = ["部门不存在"]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], fields=fields)
    return {
        "question": payload.question,
        "answer": payload.answer,
        "category": category,
        "department": department,
        "source_kind": payload.source_kind,
        "source_reference": payload.source_reference,
        "valid_until": payload.valid_until,
        "note": payload.note,
    }


# ——— reading ———


@router.get("/knowledge", response=KnowledgeSearchOut, summary="检索知识库（话务员边输入边检索）")
def knowledge_search_api(request: HttpRequest, filters: Query[SearchFilter]) -> dict[str, Any]:
    """问题中出现的词比答复中出现的权重高，整句出现在问题中的排在最前。默认只返回已发布、在有效期内的文章；
    知识库维护人员可按状态查询（此时含已过期的）。检索词为空时按最近修改列出。"""
    user = request.user
    knowledge.require_read(user)
    editor = knowledge.may_edit(user)
    if filters.status and (not editor or filters.status not in KnowledgeStatus.values):
        raise ApplicationError(
            "状态筛选只对知识库维护人员开放，取值为 draft、published、retired", fields={"status": ["无效"]}
        )
    now = timezone.now()
    if not filters.q.strip():
        articles = knowledge.knowledge_list(
            user=user, status=filters.status, category_id=filters.category, department_id=filters.department
        )
        total = articles.count()
        page = list(articles[filters.offset : filters.offset + filters.limit])
        return {
            "query": "",
            "total": total,
            "limit": filters.limit,
            "offset": filters.offset,
            "terms": [],
            "articles": [{**article_out(a, now=now), "score": 0.0, "excerpt": ""} for a in page],
        }
    results = knowledge_search(
        query=filters.q,
        limit=filters.limit,
        offset=filters.offset,
        category_id=filters.category,
        department_id=filters.department,
        statuses=[filters.status] if filters.status else [KnowledgeStatus.PUBLISHED],
        current_only=not filters.status,
    )
    if filters.offer and results.hits and has_capability(user, "hotline.intake"):
        knowledge.knowledge_shown(
            [hit.article.pk for hit in results.hits], actor=user, offer_key=filters.offer
        )
    return {
        "query": results.query,
        "total": results.total,
        "limit": results.limit,
        "offset": results.offset,
        "terms": results.terms,
        "articles": [
            {
                **article_out(hit.article, now=now),
                "score": hit.score,
                "excerpt": "".join(text for text, _matched in hit.excerpt_parts),
            }
            for hit in results.hits
        ],
    }


@router.get("/knowledge/stale", response=list[ArticleOut], summary="待复核的知识（知识库维护人员）")
def knowledge_stale_api(request: HttpRequest, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """已发布的文章中已过有效期、超过一年未修订或答复部门已撤销的，最久未修订的在前。"""
    now = timezone.now()
    rows = knowledge.knowledge_stale_list(user=request.user, now=now)
    limit, offset = max(1, min(limit, 500)), max(0, min(offset, 1_000_000))  # SQL's offset is 64-bit
    return [article_out(article, now=now) for article in rows[offset : offset + limit]]


@router.get("/knowledge/adoption", response=AdoptionOut, summary="知识库采用率（已发布的文章）")
def knowledge_adoption_api(request: HttpRequest) -> dict[str, Any]:
    knowledge.require_read(request.user)
    figures = knowledge.knowledge_adoption()
    return {"articles": figures.articles, "shown": figures.shown, "used": figures.used, "rate": figures.rate}


@router.get("/knowledge/{article_id}", response=ArticleDetailOut, summary="一篇知识及其修订记录")
def knowledge_detail_api(request: HttpRequest, article_id: int) -> dict[str, Any]:
    return _detail(knowledge.knowledge_get(user=request.user, article_id=article_id))


@router.get(
    "/knowledge/{article_id}/versions/{number}", response=VersionDiffOut, summary="某一版及其与上一版的差异"
)
def knowledge_version_api(request: HttpRequest, article_id: int, number: int) -> dict[str, Any]:
    article = knowledge.knowledge_get(user=request.user, article_id=article_id)
    diff = knowledge.knowledge_version_diff(article, number)
    return {
        "version": version_out(diff.version),
        "previous_number": diff.previous.number if diff.previous else None,
        "fields": [
            {
                "field": change.name,
                "label": change.label,
                "old": change.old,
                "new": change.new,
                "lines": [{"op": line.op, "text": line.text, "parts": line.parts} for line in change.lines],
            }
            for change in diff.fields
        ],
        "unified": diff.unified(),
    }


# ——— editing ———


@router.post("/knowledge", response={201: ArticleDetailOut}, summary="新建知识（草稿）")
def knowledge_create_api(request: HttpRequest, payload: ArticleIn) -> Status:
    knowledge.require_edit(request.user)
    article = knowledge.knowledge_create(actor=request.user, **_references(payload))
    return Status(201, _detail(article))


@router.post(
    "/knowledge/{article_id}/versions", response={201: ArticleDetailOut}, summary="修订（保存为新版本）"
)
def knowledge_revise_api(request: HttpRequest, article_id: int, payload: ReviseIn) -> Status:
    """每次修订保存为新的一版，文章保持原状态（已发布的修订后仍为已发布）；已停用的不能修订。"""
    knowledge.require_edit(request.user)
    article = knowledge.knowledge_get(user=request.user, article_id=article_id)
    article = knowledge.knowledge_revise(
        actor=request.user, article=article, base_version=payload.base_version, **_references(payload)
    )
    return Status(201, _detail(article))


@router.post("/knowledge/{article_id}/publish", response=ArticleDetailOut, summary="发布")
def knowledge_publish_api(request: HttpRequest, article_id: int) -> dict[str, Any]:
    knowledge.require_edit(request.user)
    article = knowledge.knowledge_get(user=request.user, article_id=article_id)
    return _detail(knowledge.knowledge_publish(actor=request.user, article=article))


@router.post("/knowledge/{article_id}/retire", response=ArticleDetailOut, summary="停用")
def knowledge_retire_api(request: HttpRequest, article_id: int, payload: RetireIn) -> dict[str, Any]:
    knowledge.require_edit(request.user)
    article = knowledge.knowledge_get(user=request.user, article_id=article_id)
    return _detail(knowledge.knowledge_retire(actor=request.user, article=article, reason=payload.reason))


@router.post("/knowledge/{article_id}/use", response={201: KnowledgeUseOut}, summary="记录话务员采用此答复")
def knowledge_use_api(request: HttpRequest, article_id: int, payload: UseIn) -> Status:
    knowledge.require_read(request.user)
    article = knowledge.knowledge_get(user=request.user, article_id=article_id)
    use = knowledge.knowledge_used(article, request.user, payload.ticket_ref)
    article.refresh_from_db(fields=["use_count", "shown_count"])
    return Status(
        201,
        {
            "article_id": article.pk,
            "version": use.version,
            "used_at": use.used_at,
            "ticket_ref": use.ticket_ref,
            "use_count": article.use_count,
            "shown_count": article.shown_count,
        },
    )
