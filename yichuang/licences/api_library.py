"""API of the licence library and the issuing departments (``/api/v1/licences``, signed in unless noted):

- the holder's own licences (``/mine``), 用证授权 for his own open cases and withdrawing one;
- the licences the caller's department issued (``/issued``, holder masked in the list), 注销 and 变更;
- the public 免证办清单 (``/exemptions``, no sign-in).

Mounted under the public verification router (``api.router``), whose ``/verify`` and ``/seals`` stay as they
were: none of these paths takes a bare ``/{id}``. Handlers fetch through the selectors and call the services;
every check (who, which department, which state) is theirs, every refusal the one error shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yichuang.cases import selectors as case_selectors
from yichuang.core.errors import NotFoundError
from yichuang.core.permissions import require_capability
from yichuang.licences import authorisations, selectors, services
from yichuang.licences.models import AuthorisationChannel, Licence, LicenceAuthorisation
from yichuang.licences.rendering import verify_url
from yichuang.licences.verification import licence_verify
from yichuang.licences.views_library import (
    authorisation_state,
    data_rows,
    use_department,
    verdict_label,
    with_uses,
)
from yichuang.licences.views_staff import (
    licences_issued_filtered,
    masked_holder_identifier,
    masked_holder_name,
    require_licence_staff,
)

router = Router(tags=["电子证照"])


# ——— schemas ———


class LicenceOut(Schema):
    id: int
    identifier: str
    type_code: str
    type_name: str
    number: str
    version: int
    holder: str
    holder_identifier: str
    issuer: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None = Field(None, description="空为长期")
    status: str = Field(description="核验结果：valid · expired · not_yet_valid · revoked · superseded …")
    status_label: str


class DataItemOut(Schema):
    key: str
    label: str
    value: str


class LicenceDetailOut(LicenceOut):
    data: list[DataItemOut]
    verify_url: str
    previous_id: int | None
    next_id: int | None
    case_number: str | None
    revoked_at: dt.datetime | None
    revoke_reason: str


class UseOut(Schema):
    used_at: dt.datetime
    purpose: str
    department: str = Field(description="使用部门（不显示具体人员）")


class AuthorisationOut(Schema):
    reference: str
    licence_id: int
    case_id: int
    case_number: str
    item_name: str
    channel: str
    granted_at: dt.datetime
    valid_until: dt.datetime
    withdrawn_at: dt.datetime | None
    state: str = Field(description="active 有效 · expired 已过期 · withdrawn 已撤回")
    uses: list[UseOut]


class HeldLicenceDetailOut(LicenceDetailOut):
    authorisations: list[AuthorisationOut]


class AuthoriseIn(Schema):
    case_id: int
    days: int | None = Field(None, description="授权期限（1–366 天），默认 30 天")


class RevokeIn(Schema):
    reason: str = ""


class ChangeIn(Schema):
    data: dict[str, Any] = Field(description="变更后的全部照面信息，键为证照类型的信息项（f1、f2 …）")


class IssuedFilter(Schema):
    status: str = Field(
        "", description="valid 有效 · expired 已过有效期 · superseded 已变更 · revoked 已注销"
    )
    q: str = Field("", description="证照编号或证照标识（部分）")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class IssuedPageOut(Schema):
    total: int
    limit: int
    offset: int
    licences: list[LicenceOut]


class ReplaceableOut(Schema):
    material: str
    licence_type: str


class ExemptionOut(Schema):
    item_id: int
    item_name: str
    department: str
    replaceable: list[ReplaceableOut]
    cases: int
    materials: int
    by_licence: int
    share: float = Field(description="办件材料中由电子证照满足的比例（0–1）")


# ——— shaping ———


def licence_out(licence: Licence, *, masked: bool) -> dict[str, Any]:
    verdict = licence_verify(licence)
    return {
        "id": licence.pk,
        "identifier": licence.identifier,
        "type_code": licence.licence_type.code,
        "type_name": licence.licence_type.name,
        "number": licence.number,
        "version": licence.version,
        "holder": masked_holder_name(licence) if masked else licence.holder_name,
        "holder_identifier": masked_holder_identifier(licence) if masked else licence.holder_identifier,
        "issuer": licence.issuer_name,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "status": verdict.status,
        "status_label": verdict_label(verdict),
    }


def licence_detail_out(licence: Licence) -> dict[str, Any]:
    following = Licence.objects.filter(previous=licence).values_list("pk", flat=True).first()
    return {
        **licence_out(licence, masked=False),
        "data": data_rows(licence),
        "verify_url": verify_url(licence),
        "previous_id": licence.previous_id,
        "next_id": following,
        "case_number": licence.case.number if licence.case is not None else None,
        "revoked_at": licence.revoked_at,
        "revoke_reason": licence.revoke_reason,
    }


def authorisation_out(authorisation: LicenceAuthorisation, now: dt.datetime) -> dict[str, Any]:
    case = authorisation.case
    return {
        "reference": authorisation.reference,
        "licence_id": authorisation.licence_id,
        "case_id": case.pk,
        "case_number": case.number,
        "item_name": case.item_version.name,
        "channel": authorisation.channel,
        "granted_at": authorisation.granted_at,
        "valid_until": authorisation.valid_until,
        "withdrawn_at": authorisation.withdrawn_at,
        "state": authorisation_state(authorisation, now),
        "uses": [
            {"used_at": use.used_at, "purpose": use.purpose, "department": use_department(use)}
            for use in authorisation.uses.all()
        ],
    }


def _fresh_authorisation(authorisation: LicenceAuthorisation) -> LicenceAuthorisation:
    return with_uses(LicenceAuthorisation.objects.filter(pk=authorisation.pk)).get()


def _holder(request: HttpRequest) -> None:
    require_capability(request.user, "case.apply", "只有申请人可以查看“我的证照”")


# ——— the holder ———


@router.get("/mine", response=list[LicenceOut], summary="我的证照（本人或本单位持有的电子证照）")
def licence_mine_list(request: HttpRequest) -> list[dict[str, Any]]:
    _holder(request)
    return [licence_out(licence, masked=False) for licence in selectors.licences_held(request.user)]


@router.get(
    "/mine/{int:licence_id}", response=HeldLicenceDetailOut, summary="我的一个证照，含用证授权和使用记录"
)
def licence_mine_detail(request: HttpRequest, licence_id: int) -> dict[str, Any]:
    _holder(request)
    licence = selectors.licence_held(request.user, licence_id)
    now = timezone.now()
    return {
        **licence_detail_out(licence),
        "authorisations": [authorisation_out(row, now) for row in with_uses(licence.authorisations.all())],
    }


@router.post(
    "/mine/{int:licence_id}/authorisations",
    response={200: AuthorisationOut, 201: AuthorisationOut},
    summary="授权本人的在办办件使用该证照",
)
def licence_mine_authorise(request: HttpRequest, licence_id: int, payload: AuthoriseIn) -> Status:
    """同一办件已有有效授权时返回该授权（200），不重复授权。"""
    _holder(request)
    licence = selectors.licence_held(request.user, licence_id)
    case = case_selectors.case_get(actor=request.user, case_id=payload.case_id)
    in_force = set(
        LicenceAuthorisation.objects.filter(
            licence=licence, case=case, withdrawn_at__isnull=True, valid_until__gte=timezone.now()
        ).values_list("pk", flat=True)
    )
    granted = authorisations.authorisation_grant(
        actor=request.user,
        licence=licence,
        case=case,
        channel=AuthorisationChannel.ONLINE,
        days=payload.days,
    )
    return Status(
        200 if granted.pk in in_force else 201,
        authorisation_out(_fresh_authorisation(granted), timezone.now()),
    )


@router.post(
    "/authorisations/{reference}/withdraw", response=AuthorisationOut, summary="撤回用证授权（持证人）"
)
def licence_authorisation_withdraw(request: HttpRequest, reference: str) -> dict[str, Any]:
    _holder(request)
    authorisation = LicenceAuthorisation.objects.filter(reference=reference).first()
    if authorisation is None:
        raise NotFoundError("未找到该授权")
    withdrawn = authorisations.authorisation_withdraw(actor=request.user, authorisation=authorisation)
    return authorisation_out(_fresh_authorisation(withdrawn), timezone.now())


# ——— the issuing departments ———


@router.get("/issued", response=IssuedPageOut, summary="本部门签发的电子证照（持证人打码）")
def licence_issued_list(request: HttpRequest, filters: Query[IssuedFilter]) -> dict[str, Any]:
    require_licence_staff(request.user)
    licences = licences_issued_filtered(request.user, status=filters.status, query=filters.q)
    page = licences[filters.offset : filters.offset + filters.limit]
    return {
        "total": licences.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "licences": [licence_out(licence, masked=True) for licence in page],
    }


@router.get("/issued/{int:licence_id}", response=LicenceDetailOut, summary="本部门签发的一个电子证照")
def licence_issued_detail(request: HttpRequest, licence_id: int) -> dict[str, Any]:
    require_licence_staff(request.user)
    return licence_detail_out(selectors.licence_issued(request.user, licence_id))


@router.post("/{int:licence_id}/revoke", response=LicenceDetailOut, summary="注销电子证照（部门负责人）")
def licence_revoke(request: HttpRequest, licence_id: int, payload: RevokeIn) -> dict[str, Any]:
    require_licence_staff(request.user)
    licence = selectors.licence_issued(request.user, licence_id)
    services.licence_revoke(actor=request.user, licence=licence, reason=payload.reason)
    return licence_detail_out(selectors.licence_issued(request.user, licence_id))


@router.post(
    "/{int:licence_id}/change", response={201: LicenceDetailOut}, summary="变更电子证照（签发新版本）"
)
def licence_change(request: HttpRequest, licence_id: int, payload: ChangeIn) -> Status:
    require_licence_staff(request.user)
    licence = selectors.licence_issued(request.user, licence_id)
    changed = services.licence_change(actor=request.user, licence=licence, data=payload.data)
    return Status(201, licence_detail_out(selectors.licence_issued(request.user, changed.pk)))


# ——— public ———


@router.get("/exemptions", response=list[ExemptionOut], auth=None, summary="免证办清单（公开）")
def exemption_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "item_id": line.item_id,
            "item_name": line.item_name,
            "department": line.department,
            "replaceable": [
                {"material": material, "licence_type": licence_type}
                for material, licence_type in line.replaceable
            ],
            "cases": line.cases,
            "materials": line.materials,
            "by_licence": line.by_licence,
            "share": line.share,
        }
        for line in selectors.exemption_list()
    ]
