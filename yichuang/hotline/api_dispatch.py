"""API of 12345 dispatch (mounted at ``/api/v1/hotline``): the suggested category and department of a
message, the dispatch directory (list, look up, add, change, stop, resume) and the classifier's versions.

Session or bearer token (the API's default auth). A suggestion is for who takes calls or dispatches
(``hotline.intake`` or ``hotline.dispatch``); the directory is read by them and by whoever sees the
hotline's figures (``hotline.view``) and edited by the hotline office (``hotline.dispatch``, checked again
by the services). Errors take the platform's one shape ``{"error": {"code", "message", "fields"?}}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability, require_capability
from yichuang.hotline import classifier, directory
from yichuang.hotline.models_classifier import ClassifierSource, TrainedClassifier
from yichuang.hotline.models_taxonomy import DirectoryEntry, HotlineCategory

router = Router(tags=["12345派单"])

SUGGEST_CAPABILITIES = ("hotline.intake", "hotline.dispatch")
READ_CAPABILITIES = ("hotline.dispatch", "hotline.intake", "hotline.view")


def _require_any(user: Any, capabilities: tuple[str, ...], message: str) -> None:
    if not any(has_capability(user, capability) for capability in capabilities):
        raise PermissionDeniedError(message, extra={"needs": " | ".join(capabilities)})


# ——— schemas ———


class SuggestIn(Schema):
    title: str = Field("", description="诉求标题（选填）")
    content: str = Field(..., description="诉求内容")
    division_code: str = Field("", description="事发地行政区划代码（选填，用于按区划查派单目录）")


class DepartmentRefOut(Schema):
    id: int
    name: str
    division_code: str


class MatchOut(Schema):
    entry_id: int
    category_path: str = Field(description="目录条目所在的分类（可能是上级分类）")
    division_code: str = Field(description="目录条目的区划（空为全域）")
    lead: DepartmentRefOut
    co_handlers: list[DepartmentRefOut]


class SuggestedCategoryOut(Schema):
    label: str = Field(description="模型给出的类别：分类路径或一级分类名称")
    category_id: int | None = Field(description="分类库中对应的分类（没有时为空）")
    confidence: float = Field(description="置信度（0至1，三项之和不超过1）")
    dispatch: MatchOut | None = Field(description="按派单目录，该类诉求的主办、协办单位")


class SuggestOut(Schema):
    model_version: int
    categories: list[SuggestedCategoryOut]
    department: MatchOut | None = Field(description="首选类别的派单单位")


class DirectoryFilter(Schema):
    category: int | None = Field(None, description="分类 id（含下级分类）")
    division_code: str = Field("", description="区划代码（精确）；* 为全域条目")
    lead: int | None = Field(None, description="主办单位 id")
    include_inactive: bool = False
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class DirectoryEntryOut(Schema):
    id: int
    category_id: int
    category_path: str
    division_code: str
    lead: DepartmentRefOut
    co_handlers: list[DepartmentRefOut]
    basis: str
    is_active: bool


class DirectoryPageOut(Schema):
    total: int
    limit: int
    offset: int
    entries: list[DirectoryEntryOut]


class DirectoryIn(Schema):
    category: int | None = Field(None, description="分类 id（与 category_path 二选一）")
    category_path: str = Field("", description="分类路径，如 城乡建设/安全生产/事故处理")
    division_code: str = Field("", description="空为全域；2、4、6、9或12位区划代码")
    lead: int = Field(..., description="主办单位 id")
    co_handlers: list[int] = Field(default_factory=list, description="协办单位 id")
    basis: str = Field("", description="依据（职责清单）")


class DeactivateIn(Schema):
    reason: str = ""


class LookupQuery(Schema):
    category_path: str = Field(..., description="分类路径")
    division_code: str = ""


class ClassifierOut(Schema):
    id: int
    version: int
    trained_at: dt.datetime
    trained_by: str
    source: str
    source_label: str
    algorithm: str
    label_level: int
    training_size: int
    holdout_size: int
    accuracy: float | None
    top3_accuracy: float | None
    training_seconds: float
    classes: dict[str, int]
    dropped: dict[str, int]
    model_bytes: int
    is_active: bool


class TrainIn(Schema):
    max_level: int = Field(3, ge=1, le=3, description="类别最细到几级分类（样本不足的类别并入上级）")
    activate: bool = True


# ——— shaping ———


def _department(department: Department) -> dict[str, Any]:
    return {"id": department.pk, "name": department.name, "division_code": department.division_code}


def _match(match: directory.DirectoryMatch | None) -> dict[str, Any] | None:
    if match is None:
        return None
    return {
        "entry_id": match.entry.pk,
        "category_path": match.category_path,
        "division_code": match.division_code,
        "lead": _department(match.lead),
        "co_handlers": [_department(d) for d in match.co_handlers],
    }


def _entry(entry: DirectoryEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "category_id": entry.category_id,
        "category_path": entry.category.path,
        "division_code": entry.division_code,
        "lead": _department(entry.lead),
        "co_handlers": [_department(d) for d in entry.co_handlers.all()],
        "basis": entry.basis,
        "is_active": entry.is_active,
    }


def _classifier(row: TrainedClassifier) -> dict[str, Any]:
    by = row.trained_by
    return {
        "id": row.pk,
        "version": row.version,
        "trained_at": row.trained_at,
        "trained_by": (by.full_name or by.username) if by is not None else "系统",
        "source": row.source,
        "source_label": row.source_label,
        "algorithm": row.algorithm,
        "label_level": row.label_level,
        "training_size": row.training_size,
        "holdout_size": row.holdout_size,
        "accuracy": row.accuracy,
        "top3_accuracy": row.top3_accuracy,
        "training_seconds": row.training_seconds,
        "classes": row.classes,
        "dropped": row.dropped,
        "model_bytes": row.model_bytes,
        "is_active": row.is_active,
    }


def _category_from(payload: DirectoryIn) -> HotlineCategory:
    if payload.category is not None:
        category = HotlineCategory.objects.filter(pk=payload.category).first()
    elif payload.category_path.strip():
        category = HotlineCategory.objects.filter(path=payload.category_path.strip()).first()
    else:
        raise ApplicationError("请选择分类", fields={"category": ["必填"]})
    if category is None:
        raise NotFoundError("未找到该分类", fields={"category": ["不存在"]})
    return category


def _departments_from(payload: DirectoryIn) -> tuple[Department, list[Department]]:
    lead = Department.objects.filter(pk=payload.lead).first()
    if lead is None:
        raise NotFoundError("未找到主办单位", fields={"lead": ["不存在"]})
    wanted = set(payload.co_handlers)
    co = list(Department.objects.filter(pk__in=wanted))
    if len(co) != len(wanted):
        raise NotFoundError("未找到部分协办单位", fields={"co_handlers": ["含不存在的单位"]})
    return lead, co


# ——— suggestion ———


@router.post("/suggest", response=SuggestOut, summary="按诉求内容推荐分类（前三）和派单单位")
def suggest(request: HttpRequest, payload: SuggestIn) -> dict[str, Any]:
    """置信度为校准后的概率，由高到低。派单单位按派单目录：最具体的分类和最长匹配的区划优先。
    内容为空返回 400（empty_text）；尚未训练模型返回 409（classifier_missing）。"""
    _require_any(request.user, SUGGEST_CAPABILITIES, "只有话务员和12345热线办公室可以使用派单推荐")
    result = classifier.suggest(
        classifier.classifier_text(payload.title, payload.content), payload.division_code
    )
    return {
        "model_version": result.version,
        "categories": [
            {
                "label": item.label,
                "category_id": item.category.pk if item.category else None,
                "confidence": item.confidence,
                "dispatch": _match(item.match),
            }
            for item in result.categories
        ],
        "department": _match(result.department),
    }


# ——— directory ———


@router.get("/directory", response=DirectoryPageOut, summary="派单目录")
def directory_list(request: HttpRequest, filters: Query[DirectoryFilter]) -> dict[str, Any]:
    _require_any(request.user, READ_CAPABILITIES, "您没有查看派单目录的权限")
    category = None
    if filters.category is not None:
        category = HotlineCategory.objects.filter(pk=filters.category).first()
        if category is None:
            raise NotFoundError("未找到该分类", fields={"category": ["不存在"]})
    lead = None
    if filters.lead is not None:
        lead = Department.objects.filter(pk=filters.lead).first()
        if lead is None:
            raise NotFoundError("未找到该单位", fields={"lead": ["不存在"]})
    rows = directory.directory_entries(
        category=category,
        division_code=filters.division_code.strip(),
        lead=lead,
        include_inactive=filters.include_inactive,
    )
    total = rows.count()
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "total": total,
        "limit": filters.limit,
        "offset": filters.offset,
        "entries": [_entry(e) for e in page],
    }


@router.get("/directory/lookup", response=MatchOut, summary="查询某类诉求的派单单位")
def directory_lookup(request: HttpRequest, query: Query[LookupQuery]) -> dict[str, Any] | None:
    """最具体的条目优先：分类越细越优先，同一分类下区划代码越长越优先。没有条目时 404（no_entry）。"""
    _require_any(request.user, READ_CAPABILITIES, "您没有查看派单目录的权限")
    match = directory.directory_lookup(query.category_path.strip(), query.division_code)
    if match is None:
        raise NotFoundError("派单目录中没有适用的条目", code="no_entry")
    return _match(match)


@router.post("/directory", response={201: DirectoryEntryOut}, summary="新增派单目录条目")
def directory_create(request: HttpRequest, payload: DirectoryIn) -> Status:
    require_capability(request.user, "hotline.dispatch", "只有12345热线办公室可以维护派单目录")
    lead, co = _departments_from(payload)
    entry = directory.directory_entry_create(
        actor=request.user,
        category=_category_from(payload),
        division_code=payload.division_code,
        lead=lead,
        co_handlers=co,
        basis=payload.basis,
    )
    return Status(201, _entry(directory.directory_entry_get(entry.pk)))


@router.put("/directory/{entry_id}", response=DirectoryEntryOut, summary="修改派单目录条目")
def directory_update(request: HttpRequest, entry_id: int, payload: DirectoryIn) -> dict[str, Any]:
    require_capability(request.user, "hotline.dispatch", "只有12345热线办公室可以维护派单目录")
    entry = directory.directory_entry_get(entry_id)
    lead, co = _departments_from(payload)
    directory.directory_entry_update(
        actor=request.user,
        entry=entry,
        category=_category_from(payload),
        division_code=payload.division_code,
        lead=lead,
        co_handlers=co,
        basis=payload.basis,
    )
    return _entry(directory.directory_entry_get(entry_id))


@router.post("/directory/{entry_id}/deactivate", response=DirectoryEntryOut, summary="停用派单目录条目")
def directory_deactivate(request: HttpRequest, entry_id: int, payload: DeactivateIn) -> dict[str, Any]:
    require_capability(request.user, "hotline.dispatch", "只有12345热线办公室可以维护派单目录")
    entry = directory.directory_entry_get(entry_id)
    directory.directory_entry_deactivate(actor=request.user, entry=entry, reason=payload.reason)
    return _entry(directory.directory_entry_get(entry_id))


@router.post("/directory/{entry_id}/activate", response=DirectoryEntryOut, summary="重新启用派单目录条目")
def directory_activate(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    require_capability(request.user, "hotline.dispatch", "只有12345热线办公室可以维护派单目录")
    entry = directory.directory_entry_get(entry_id)
    directory.directory_entry_activate(actor=request.user, entry=entry)
    return _entry(directory.directory_entry_get(entry_id))


# ——— classifier versions ———


@router.get("/classifiers", response=list[ClassifierOut], summary="派单分类模型的各个版本")
def classifier_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_capability(request.user, "hotline.dispatch", "只有12345热线办公室可以查看派单分类模型")
    rows = TrainedClassifier.objects.defer("model").select_related("trained_by").order_by("-version")
    return [_classifier(row) for row in rows]


@router.post(
    "/classifiers/train-from-tickets",
    response={201: ClassifierOut},
    summary="用本平台已办结的工单重新训练派单分类模型",
)
def classifier_train_from_tickets(request: HttpRequest, payload: TrainIn) -> Status:
    """同步训练（样本多时需要几十秒）。每类样本少于5条的并入上级分类，一级分类仍不足的不参与训练。"""
    require_capability(request.user, "hotline.dispatch", "只有12345热线办公室可以训练派单分类模型")
    row = classifier.classifier_train(
        pairs=classifier.training_pairs_from_tickets(),
        source=ClassifierSource.TICKETS,
        source_label="已办结工单",
        actor=request.user,
        activate=payload.activate,
        max_level=payload.max_level,
    )
    return Status(201, _classifier(TrainedClassifier.objects.defer("model").get(pk=row.pk)))


@router.post("/classifiers/{classifier_id}/activate", response=ClassifierOut, summary="启用某个模型版本")
def classifier_activate(request: HttpRequest, classifier_id: int) -> dict[str, Any]:
    require_capability(request.user, "hotline.dispatch", "只有12345热线办公室可以切换派单分类模型")
    row = TrainedClassifier.objects.defer("model").filter(pk=classifier_id).first()
    if row is None:
        raise NotFoundError("未找到该模型版本")
    classifier.classifier_activate(actor=request.user, classifier=row)
    return _classifier(TrainedClassifier.objects.defer("model").get(pk=classifier_id))
