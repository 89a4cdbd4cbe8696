"""API of the catalog: 事项导入导出 (import is the admin's; export is for any staff with catalog.view)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from yichuang.catalog import importing, policies
from yichuang.catalog.exporting import catalog_export_response
from yichuang.catalog.models import CatalogImport
from yichuang.core.errors import NotFoundError
from yichuang.core.permissions import require_capability

router = Router(tags=["事项导入导出"])


class ImportRowMessage(Schema):
    row: int | None
    column: str = ""
    message: str
    sheet: str = ""
    level: str = ""


class CatalogImportOut(Schema):
    id: int
    file_name: str
    status: str
    status_label: str
    source_format: str
    total_rows: int
    processed_rows: int
    created_items: int
    created_departments: int
    errors: list[ImportRowMessage]
    warnings: list[ImportRowMessage]
    created_at: str | None
    finished_at: str | None


def catalog_import_get(*, actor: Any, import_id: int) -> CatalogImport:
    policies.require_can_manage(actor)
    record = CatalogImport.objects.defer("data").filter(pk=import_id).first()
    if record is None:
        raise NotFoundError("未找到该导入记录")
    return record


@router.post(
    "/imports", response={202: CatalogImportOut}, summary="上传 CSV/Excel 文件导入事项（全部或全不）"
)
def import_create(request: HttpRequest, file: File[UploadedFile]) -> Any:
    record = importing.catalog_import_start(
        actor=request.user, file_name=file.name or "", content=file.read(importing.MAX_IMPORT_BYTES + 1)
    )
    record.refresh_from_db()
    return Status(202, importing.catalog_import_summary(record))


@router.get("/imports", response=list[CatalogImportOut], summary="最近的导入记录")
def import_list(request: HttpRequest) -> Any:
    policies.require_can_manage(request.user)
    return [importing.catalog_import_summary(r) for r in CatalogImport.objects.defer("data")[:50]]


@router.get("/imports/{import_id}", response=CatalogImportOut, summary="导入状态、进度、结果和逐行错误")
def import_detail(request: HttpRequest, import_id: int) -> Any:
    return importing.catalog_import_summary(catalog_import_get(actor=request.user, import_id=import_id))


@router.get("/export.xlsx", summary="导出事项库（Excel：事项、申请材料两张表）")
def export_xlsx(request: HttpRequest, department: int | None = None) -> HttpResponse:
    require_capability(request.user, "catalog.view", "只有工作人员可以导出事项库")
    return catalog_export_response(department)
