"""API of 一件事 (``/api/v1/bundles``): published bundles and their guide, what a set of answers selects
(the one form and the one material list), applying once, the window's steps on an application, and the
admin's definitions. Handlers fetch through the selectors and call the services: every check is theirs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Header, Router, Schema, Status
from pydantic import Field

from yichuang.accounts import selectors as accounts_selectors
from yichuang.bundles import definitions, selectors, services
from yichuang.bundles.models import Bundle, BundleApplication, BundleCase
from yichuang.bundles.selection import Selection, selection_all, selection_for
from yichuang.cases.api import _idempotency_key
from yichuang.core.errors import NotFoundError
from yichuang.core.masking import mask_id_number
from yichuang.core.personal_data import request_purpose, screen_name

router = Router(tags=["一件事"])


class BundleFieldOut(Schema):
    key: str
    label: str
    group: str
    kind: str
    required: bool
    choices: list[str]
    used_by: list[str]


class BundleMaterialOut(Schema):
    key: str
    name: str
    necessity: str
    licence_type_code: str
    by_form: bool = Field(description="由一件事综合申请表（一表制）替代各事项的申请表")
    used_by: list[str]


class MemberOut(Schema):
    item_id: int
    name: str
    department: str
    promised_days: int
    condition: dict[str, list[str]]
    requires: list[int] = Field(description="须先取得其结果的成员事项（item_id）")


class SelectionOut(Schema):
    members: list[MemberOut]
    fields: list[BundleFieldOut]
    materials: list[BundleMaterialOut]
    separate_materials: int = Field(description="逐项申请时需提交的材料份数")


class QuestionOut(Schema):
    key: str
    text: str
    help_text: str
    multiple: bool
    choices: list[dict[str, str]]


class BundleOut(Schema):
    code: str
    name: str
    event_kind: str
    event: str
    lead_department: str
    promised_days: int
    separate_days: int = Field(description="逐项申请的承诺时限之和（工作日）")
    visits: int
    summary: str


class BundleDetailOut(BundleOut):
    service_object: str
    conditions: str
    legal_basis: str
    process_steps: list[dict[str, Any]]
    handling_place: str
    handling_hours: str
    contact_phone: str
    questions: list[QuestionOut]
    all: SelectionOut = Field(description="全部成员事项、表单字段和材料（不区分情形）")


def _selection_out(selection: Selection) -> dict[str, Any]:
    return {
        "members": [
            {
                "item_id": m.item_id,
                "name": str(m),
                "department": m.item.department.name,
                "promised_days": m.item.current_version.promised_days if m.item.current_version else 0,
                "condition": m.condition,
                "requires": [r.item_id for r in m.requires.all()],
            }
            for m in selection.members
        ],
        "fields": [
            {
                "key": f.field.key,
                "label": f.field.label,
                "group": f.field.group,
                "kind": f.field.kind,
                "required": f.field.required,
                "choices": list(f.field.choices),
                "used_by": [str(m) for m in f.members],
            }
            for f in selection.fields
        ],
        "materials": [
            {
                "key": m.key,
                "name": m.name,
                "necessity": m.necessity,
                "licence_type_code": m.licence_type_code,
                "by_form": m.by_form,
                "used_by": list(dict.fromkeys(str(member) for member, _ in m.rows)),
            }
            for m in selection.materials
        ],
        "separate_materials": selection.separate_material_count,
    }


def _bundle_out(bundle: Bundle, selection: Selection) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "event_kind": bundle.event_kind,
        "event": bundle.event,
        "lead_department": bundle.lead_department.name,
        "promised_days": bundle.promised_days,
        "separate_days": sum(
            m.item.current_version.promised_days for m in selection.members if m.item.current_version
        ),
        "visits": bundle.visits,
        "summary": bundle.summary,
    }


@router.get("/", response=list[BundleOut], summary="已发布的一件事", auth=None)
def bundle_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_bundle_out(bundle, selection_all(bundle)) for bundle in selectors.bundles_published()]


@router.get("/{code}", response=BundleDetailOut, summary="一件事办事指南", auth=None)
def bundle_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    bundle = selectors.bundle_published_get(code)
    selection = selection_all(bundle)
    return {
        **_bundle_out(bundle, selection),
        **{
            name: getattr(bundle, name)
            for name in (
                "service_object",
                "conditions",
                "legal_basis",
                "process_steps",
                "handling_place",
                "handling_hours",
                "contact_phone",
            )
        },
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "help_text": q.help_text,
                "multiple": q.multiple,
                "choices": q.choices,
            }
            for q in bundle.questions.all()
        ],
        "all": _selection_out(selection),
    }


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(description="情形引导答案：{问题标识: 选项值或选项值列表}")


@router.post(
    "/{code}/selection", response=SelectionOut, summary="按情形选择事项：一张表、一套材料", auth=None
)
def bundle_selection(request: HttpRequest, code: str, payload: AnswersIn) -> dict[str, Any]:
    return _selection_out(selection_for(selectors.bundle_published_get(code), payload.answers))


# ——— applications ———


class ApplyIn(Schema):
    bundle: str = Field(description="一件事编码")
    applicant_id: int
    channel: str = Field(
        ..., description="window 窗口 · online 网上办 · mobile 掌上办 · kiosk 自助终端 · proxy 帮办代办"
    )
    answers: dict[str, Any]
    form: dict[str, Any] = Field(description="一表申请内容：{字段标识: 值}")
    use_licences: bool = Field(False, description="免证办：同意调取持有的电子证照替代相应材料")
    idempotency_key: str | None = Field(None, max_length=64)


class MemberCaseOut(Schema):
    item_id: int
    name: str
    department: str
    state: str
    note: str
    case_number: str | None
    case_status: str | None
    decision: str | None
    due_date: dt.date | None


class ApplicationOut(Schema):
    id: int
    number: str
    bundle: str
    bundle_name: str
    applicant_name: str
    applicant_identifier: str = Field(description="证件号码（脱敏）")
    channel: str
    status: str
    status_label: str
    outcome: str
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    promised_due_date: dt.date | None
    due_date: dt.date | None
    results_ready_at: dt.datetime | None
    closed_at: dt.datetime | None


class MaterialStateOut(Schema):
    key: str
    name: str
    state: str
    note: str
    licence_identifier: str
    used_by: list[str]


class TimelineOut(Schema):
    at: dt.datetime
    source: str
    label: str
    note: str
    actor: str


class BundleNoticeOut(Schema):
    id: int
    kind: str
    document_number: str
    issued_at: dt.datetime


class ApplicationDetailOut(ApplicationOut):
    members: list[MemberCaseOut]
    materials: list[MaterialStateOut]
    form: list[dict[str, str]]
    notices: list[BundleNoticeOut]
    timeline: list[TimelineOut]


def _application_out(application: BundleApplication) -> dict[str, Any]:
    applicant = application.applicant
    return {
        "id": application.pk,
        "number": application.number,
        "bundle": application.bundle.code,
        "bundle_name": application.bundle.name,
        "applicant_name": applicant.name,
        "applicant_identifier": mask_id_number(applicant.id_number)
        if applicant.id_number
        else applicant.credit_code,
        "channel": application.channel,
        "status": application.status,
        "status_label": application.get_status_display(),
        "outcome": application.outcome,
        "submitted_at": application.submitted_at,
        "accepted_at": application.accepted_at,
        "promised_due_date": application.promised_due_date,
        "due_date": application.due_date,
        "results_ready_at": application.results_ready_at,
        "closed_at": application.closed_at,
    }


def _member_out(link: BundleCase) -> dict[str, Any]:
    case = link.case
    return {
        "item_id": link.member.item_id,
        "name": str(link.member),
        "department": link.member.item.department.name,
        "state": link.state,
        "note": link.note,
        "case_number": case.number if case else None,
        "case_status": case.status if case else None,
        "decision": (case.decision or None) if case else None,
        "due_date": case.due_date if case else None,
    }


def _detail_out(request: HttpRequest, application: BundleApplication) -> dict[str, Any]:
    links = selectors.application_members(application)
    form_rows = selectors.form_rows(application, request.user, links)
    services.form_read_record(
        actor=request.user,
        application=application,
        rows=form_rows,
        screen=screen_name(request),
        purpose=request_purpose(request),
    )
    return {
        **_application_out(application),
        "members": [_member_out(link) for link in links],
        "materials": [
            {
                "key": state.merged.key,
                "name": state.merged.name,
                "state": state.state,
                "note": state.note,
                "licence_identifier": state.licence_identifier,
                "used_by": list(dict.fromkeys(str(member) for member, _ in state.merged.rows)),
            }
            for state in selectors.merged_material_states(application, links)
        ],
        "form": [{"label": label, "value": value, "used_by": used} for label, value, used in form_rows],
        "notices": [
            {"id": n.pk, "kind": n.kind, "document_number": n.document_number, "issued_at": n.issued_at}
            for n in application.notices.all()
        ],
        "timeline": selectors.application_timeline(application, links),
    }


@router.post(
    "/applications/",
    response={200: ApplicationDetailOut, 201: ApplicationDetailOut},
    summary="一次申请（一表申请）",
)
def application_apply(
    request: HttpRequest,
    payload: ApplyIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status:
    """同一提交人用同一幂等键重复提交，返回原申请（200）。"""
    key = _idempotency_key(idempotency_key, payload.idempotency_key)
    applicant = accounts_selectors.applicant_get(actor=request.user, applicant_id=payload.applicant_id)
    bundle = Bundle.objects.filter(code=payload.bundle).first()
    if bundle is None:
        raise NotFoundError("未找到该一件事")
    submission = services.bundle_apply(
        actor=request.user,
        bundle=bundle,
        applicant=applicant,
        channel=payload.channel,
        answers=payload.answers,
        form=payload.form,
        use_licences=payload.use_licences,
        idempotency_key=key,
    )
    application = selectors.application_get(actor=request.user, pk=submission.application.pk)
    return Status(200 if submission.repeat else 201, _detail_out(request, application))


@router.get("/applications/", response=list[ApplicationOut], summary="一件事申请列表")
def application_list(
    request: HttpRequest, status: str = "", q: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    statuses = [s for s in status.split(",") if s]
    limit, offset = max(1, min(limit, 200)), max(0, min(offset, 1_000_000))  # no negative/overflowing slice
    rows = selectors.application_list(actor=request.user, statuses=statuses, query=q)[offset : offset + limit]
    return [_application_out(row) for row in rows]


@router.get(
    "/applications/{pk}", response=ApplicationDetailOut, summary="一件事申请详情（成员办件、材料、时间线）"
)
def application_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail_out(request, selectors.application_get(actor=request.user, pk=pk))


class BundleFindingIn(Schema):
    key: str = Field(description="合并后的材料标识")
    state: str = Field(..., description="received · original_checked · missing · deficient")
    note: str = ""


class CheckIn(Schema):
    findings: list[BundleFindingIn]


class BundleNoteIn(Schema):
    note: str = ""


class BundleAcceptIn(Schema):
    deficiency_commitment: bool = Field(False, description="申请人书面承诺限期补交容缺材料")
    note: str = ""


class BundleDeliverIn(Schema):
    method: str = Field(..., description="pickup 窗口领取 · mail 邮寄")
    recipient: str = ""
    tracking_number: str = ""


class WithdrawIn(Schema):
    reason: str = ""


def _step(request: HttpRequest, pk: int) -> BundleApplication:
    return selectors.application_get(actor=request.user, pk=pk)


@router.post("/applications/{pk}/check-materials", response=ApplicationDetailOut, summary="统一核验材料")
def application_check(request: HttpRequest, pk: int, payload: CheckIn) -> dict[str, Any]:
    application = services.bundle_check_materials(
        actor=request.user,
        application=_step(request, pk),
        findings={f.key: (f.state, f.note) for f in payload.findings},
    )
    return _detail_out(request, selectors.application_get(actor=request.user, pk=application.pk))


@router.post(
    "/applications/{pk}/request-correction",
    response=ApplicationDetailOut,
    summary="一次性告知补正（全部事项一份告知书）",
)
def application_correction(request: HttpRequest, pk: int, payload: BundleNoteIn) -> dict[str, Any]:
    application = services.bundle_request_correction(
        actor=request.user, application=_step(request, pk), note=payload.note
    )
    return _detail_out(request, selectors.application_get(actor=request.user, pk=application.pk))


@router.post("/applications/{pk}/supply-correction", response=ApplicationDetailOut, summary="提交补正材料")
def application_supply(request: HttpRequest, pk: int, payload: BundleNoteIn) -> dict[str, Any]:
    application = services.bundle_supply_correction(
        actor=request.user, application=_step(request, pk), note=payload.note
    )
    return _detail_out(request, selectors.application_get(actor=request.user, pk=application.pk))


@router.post("/applications/{pk}/accept", response=ApplicationDetailOut, summary="统一受理（各部门并联办理）")
def application_accept(request: HttpRequest, pk: int, payload: BundleAcceptIn) -> dict[str, Any]:
    application = services.bundle_accept(
        actor=request.user,
        application=_step(request, pk),
        deficiency_commitment=payload.deficiency_commitment,
        note=payload.note,
    )
    return _detail_out(request, selectors.application_get(actor=request.user, pk=application.pk))


@router.post("/applications/{pk}/deliver", response=ApplicationDetailOut, summary="统一出件")
def application_deliver(request: HttpRequest, pk: int, payload: BundleDeliverIn) -> dict[str, Any]:
    application = services.bundle_deliver(
        actor=request.user,
        application=_step(request, pk),
        method=payload.method,
        recipient=payload.recipient,
        tracking_number=payload.tracking_number,
    )
    return _detail_out(request, selectors.application_get(actor=request.user, pk=application.pk))


@router.post("/applications/{pk}/withdraw", response=ApplicationDetailOut, summary="撤回一件事申请")
def application_withdraw(request: HttpRequest, pk: int, payload: WithdrawIn) -> dict[str, Any]:
    application = services.bundle_withdraw(
        actor=request.user, application=_step(request, pk), reason=payload.reason
    )
    return _detail_out(request, selectors.application_get(actor=request.user, pk=application.pk))


# ——— definitions (admin) ———


class DefinitionIn(Schema):
    code: str
    name: str
    event_kind: str
    event: str
    lead_department: int
    promised_days: int
    visits: int = 1
    position: int = 0
    summary: str = ""
    service_object: str = ""
    conditions: str = ""
    legal_basis: str = ""
    process_steps: list[dict[str, str]] = []
    handling_place: str = ""
    handling_hours: str = ""
    contact_phone: str = ""
    questions: list[dict[str, Any]] = Field(
        [], description="[{key, text, help_text, multiple, choices: [{value, label}]}]"
    )
    members: list[dict[str, Any]] = Field(
        [], description="[{item, label, condition: {问题: [选项]}, fields: [字段], requires: [item]}]"
    )


class DefinitionOut(DefinitionIn):
    status: str


def _definition_out(bundle: Bundle) -> dict[str, Any]:
    return {**definitions.bundle_spec(bundle), "status": bundle.status}


@router.post("/definitions/", response={201: DefinitionOut}, summary="定义或修改一件事（管理员）")
def definition_save(request: HttpRequest, payload: DefinitionIn) -> Status:
    bundle = definitions.bundle_define(actor=request.user, spec=payload.dict())
    return Status(201, _definition_out(bundle))


def _bundle(code: str) -> Bundle:
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is None:
        raise NotFoundError("未找到该一件事")
    return bundle


@router.get("/definitions/{code}", response=DefinitionOut, summary="一件事定义（管理员）")
def definition_get(request: HttpRequest, code: str) -> dict[str, Any]:
    from yichuang.core.permissions import require_capability

    require_capability(request.user, "bundle.manage", "只有政数局管理员可以查看一件事定义")
    return _definition_out(_bundle(code))


@router.post("/definitions/{code}/publish", response=DefinitionOut, summary="发布一件事")
def definition_publish(request: HttpRequest, code: str) -> dict[str, Any]:
    return _definition_out(definitions.bundle_publish(actor=request.user, bundle=_bundle(code)))


@router.post("/definitions/{code}/retire", response=DefinitionOut, summary="停用一件事")
def definition_retire(request: HttpRequest, code: str) -> dict[str, Any]:
    return _definition_out(definitions.bundle_retire(actor=request.user, bundle=_bundle(code)))
