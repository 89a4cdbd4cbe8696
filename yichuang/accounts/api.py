"""API of the accounts app: the current user, departments, their staff, applicants."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from yichuang.accounts import selectors, services
from yichuang.accounts.models import Applicant, ApplicantKind, Department, User
from yichuang.accounts.roles import capabilities_of
from yichuang.core.errors import NotFoundError
from yichuang.core.personal_data import mask_address, request_purpose, screen_name

router = Router(tags=["部门与人员"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    department_id: int | None
    department_name: str | None
    capabilities: list[str]


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    division_code: str
    credit_code: str | None
    parent_id: int | None
    depth: int
    is_active: bool


class DepartmentIn(Schema):
    parent_id: int | None = None
    name: str
    short_name: str = ""
    kind: str
    division_code: str
    credit_code: str


class StaffOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    phone: str  # masked


class ApplicantOut(Schema):
    id: int
    kind: str
    name: str
    identifier: str  # masked for natural persons
    phone: str  # masked
    address: str  # masked for natural persons
    full: bool = False  # true: identifier, phone and address in full (``?full=true``, logged)


class ApplicantIn(Schema):
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    phone: str = ""
    address: str = ""


def _department_out(department: Department, parent_id: int | None) -> dict:
    return {
        "id": department.pk,
        "name": department.name,
        "short_name": department.short_name,
        "kind": department.kind,
        "division_code": department.division_code,
        "credit_code": department.credit_code,
        "parent_id": parent_id,
        "depth": department.depth,
        "is_active": department.is_active,
    }


def _parent_id(department: Department) -> int | None:
    parent = Department.objects.get_parent(department) if department.depth > 1 else None
    return parent.pk if parent else None


def _applicant_out(applicant: Applicant, *, full: bool = False) -> dict:
    natural = applicant.kind == ApplicantKind.NATURAL
    if full:
        identifier, phone = applicant.id_number or applicant.credit_code, applicant.phone
    else:
        identifier, phone = applicant.masked_identifier, applicant.masked_phone
    return {
        "id": applicant.pk,
        "kind": applicant.kind,
        "name": applicant.name,
        "identifier": identifier,
        "phone": phone,
        "address": mask_address(applicant.address) if natural and not full else applicant.address,
        "full": full,
    }


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict:
    user: User = request.user  # type: ignore[assignment]
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": user.get_role_display(),
        "department_id": user.department_id,
        "department_name": str(user.department) if user.department else None,
        "capabilities": sorted(capabilities_of(user.role)),
    }


@router.get("/departments", response=list[DepartmentOut])
def department_list(request: HttpRequest) -> list[dict]:
    departments = list(selectors.department_list(actor=request.user))
    by_path = {d.path: d.pk for d in departments}
    steplen = Department.steplen
    return [_department_out(d, by_path.get(d.path[:-steplen])) for d in departments]


@router.post("/departments", response={201: DepartmentOut})
def department_create(request: HttpRequest, payload: DepartmentIn) -> Status:
    parent = None
    if payload.parent_id is not None:
        parent = Department.objects.filter(pk=payload.parent_id).first()
        if parent is None:
            raise NotFoundError("上级部门不存在", fields={"parent_id": ["不存在"]})
    department = services.department_create(
        actor=request.user,
        parent=parent,
        name=payload.name,
        short_name=payload.short_name,
        kind=payload.kind,
        division_code=payload.division_code,
        credit_code=payload.credit_code,
    )
    return Status(201, _department_out(department, parent.pk if parent else None))


@router.get("/departments/{department_id}", response=DepartmentOut)
def department_detail(request: HttpRequest, department_id: int) -> dict:
    department = selectors.department_get(actor=request.user, department_id=department_id)
    return _department_out(department, _parent_id(department))


@router.get("/departments/{department_id}/staff", response=list[StaffOut])
def department_staff(request: HttpRequest, department_id: int) -> list[dict]:
    department = selectors.department_get(actor=request.user, department_id=department_id)
    return [
        {
            "id": u.pk,
            "username": u.username,
            "full_name": u.full_name,
            "role": u.role,
            "phone": u.masked_phone,
        }
        for u in selectors.department_staff(actor=request.user, department=department)
    ]


@router.get("/applicants", response=list[ApplicantOut])
def applicant_list(request: HttpRequest, q: str = "", limit: int = 50, offset: int = 0) -> list[dict]:
    limit, offset = max(1, min(limit, 200)), max(0, min(offset, 1_000_000))  # no negative/overflowing slice
    applicants = selectors.applicant_list(actor=request.user, query=q)[offset : offset + limit]
    return [_applicant_out(a) for a in applicants]


@router.post("/applicants", response={201: ApplicantOut})
def applicant_register(request: HttpRequest, payload: ApplicantIn) -> Status:
    applicant = services.applicant_register(actor=request.user, **payload.dict())
    return Status(201, _applicant_out(applicant))


@router.get("/applicants/{applicant_id}", response=ApplicantOut)
def applicant_detail(request: HttpRequest, applicant_id: int, full: bool = False, purpose: str = "") -> dict:
    """Masked by default; ``full=true`` (with a ``purpose``) returns the ID number, phone and address in
    full and logs the read (``personal_data.read``) unless the applicant reads his own record."""
    applicant = selectors.applicant_get(actor=request.user, applicant_id=applicant_id)
    if full and applicant.user_id != request.user.pk:
        services.applicant_full_read(
            actor=request.user,
            applicant=applicant,
            screen=screen_name(request),
            purpose=request_purpose(request),
        )
    return _applicant_out(applicant, full=full)
