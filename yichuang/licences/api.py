"""Public API of e-licence verification (``/api/v1/licences``): verify by identifier (what the QR code
carries) or by a presented licence file, and the published seals whose public keys let anyone verify
offline. No sign-in; lookups share the per-address limit of the public progress lookup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from yichuang.accounts.models import Department
from yichuang.cases import views_track
from yichuang.core.errors import NotFoundError, TooManyRequestsError
from yichuang.core.masking import mask_id_number, mask_name
from yichuang.licences import services
from yichuang.licences.api_library import router as library_router
from yichuang.licences.models import Seal
from yichuang.licences.verification import Verdict, licence_verify_document, licence_verify_identifier

router = Router(tags=["电子证照"])


class LicenceSummaryOut(Schema):
    identifier: str
    type_code: str
    type_name: str
    number: str
    version: int
    holder: str  # masked
    holder_identifier: str  # masked
    issuer: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None


class VerdictOut(Schema):
    status: str
    label: str
    licence: LicenceSummaryOut | None = None


class LicenceFileIn(Schema):
    format: str = "yichuang-licence/1"
    content: dict[str, Any]
    signature: str


class SealOut(Schema):
    code: str
    department: str
    algorithm: str
    public_key: str
    valid_from: dt.date
    valid_until: dt.date
    retired: bool


def _limited(request: HttpRequest) -> None:
    if not views_track.lookup_allowed(request):
        raise TooManyRequestsError(
            views_track.RATE_LIMITED_MESSAGE % {"n": views_track.lookups_per_minute()}, code="rate_limited"
        )


def verdict_out(verdict: Verdict) -> dict[str, Any]:
    licence = verdict.licence
    summary = None
    if licence is not None:
        summary = {
            "identifier": licence.identifier,
            "type_code": licence.licence_type.code,
            "type_name": licence.licence_type.name,
            "number": licence.number,
            "version": licence.version,
            "holder": mask_name(licence.holder_name),
            "holder_identifier": mask_id_number(licence.holder_identifier),
            "issuer": licence.issuer_name,
            "issued_on": licence.issued_on,
            "valid_from": licence.valid_from,
            "valid_until": licence.valid_until,
        }
    return {"status": verdict.status, "label": verdict.label, "licence": summary}


@router.get("/verify", response=VerdictOut, auth=None, summary="核验电子证照（证照标识，扫码即得）")
def licence_verify_by_identifier(request: HttpRequest, identifier: str = "") -> dict[str, Any]:
    """结果：valid 有效 · expired 已过期 · not_yet_valid 尚未生效 · revoked 已注销 · superseded 已变更 ·
    altered 被篡改 · unknown_issuer 签发者不明 · unknown 查无此证照。持证人姓名和证件号码打码显示。"""
    _limited(request)
    return verdict_out(licence_verify_identifier(identifier))


@router.post("/verify", response=VerdictOut, auth=None, summary="核验电子证照文件")
def licence_verify_by_file(request: HttpRequest, payload: LicenceFileIn) -> dict[str, Any]:
    _limited(request)
    return verdict_out(licence_verify_document({"content": payload.content, "signature": payload.signature}))


def seal_out(seal: Seal) -> dict[str, Any]:
    return {
        "code": seal.code,
        "department": seal.department.name,
        "algorithm": "SM2-with-SM3",
        "public_key": seal.public_key,
        "valid_from": seal.valid_from,
        "valid_until": seal.valid_until,
        "retired": seal.retired_at is not None,
    }


@router.get("/seals", response=list[SealOut], auth=None, summary="公布的电子印章公钥（离线核验用）")
def seal_list(request: HttpRequest) -> list[dict[str, Any]]:
    seals = Seal.objects.select_related("department").order_by("department__path", "-valid_from", "-pk")
    return [seal_out(seal) for seal in seals]


class SealCreateIn(Schema):
    department_id: int


@router.post(
    "/seals", response={201: SealOut}, summary="制作电子印章（轮换：原印章停用，仍可核验其签发的证照）"
)
def seal_create(request: HttpRequest, payload: SealCreateIn) -> Status:
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise NotFoundError("未找到该部门", fields={"department_id": ["不存在"]})
    return Status(201, seal_out(services.seal_create(actor=request.user, department=department)))


# The library's and the issuing departments' operations (signed in, except the 免证办清单): after the
# public ones above, under the same prefix.
router.add_router("", library_router)
