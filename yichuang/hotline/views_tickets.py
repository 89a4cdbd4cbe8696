"""The screens of 12345 tickets: the operator's intake (受理, with the knowledge base, a suggested category
and department, and the duplicates found while typing), the hotline office's desk (its four queues), the
departments' inbox (承办单位待办) and a ticket's page with the steps its viewer may take.

Thin: fetch through ``selectors_tickets`` (a ticket out of the viewer's scope is a 404), check the
capability (403), call a service in ``tickets``, redirect (POST-redirect-GET). A service's
ApplicationError is shown on the form in its own Chinese words; permission and not-found errors go to the
error middleware (403/404).

Double submits: the intake form carries a key (the ticket's idempotency key, one per form shown), so a
second submit finds the ticket the first one filed; every step form on a ticket's page carries the id of
the latest timeline step the page showed, and a step is taken only while it is still the latest.

The suggestion (classifier) and the dispatch directory are optional helpers: without a trained classifier
there is simply no suggestion, without a directory entry no default department.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_in_scope
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.masking import mask_name, mask_phone
from yichuang.core.permissions import has_capability
from yichuang.core.personal_data import personal_data_read, request_purpose, screen_name
from yichuang.hotline import selectors_tickets as selectors
from yichuang.hotline import tickets
from yichuang.hotline.forms_tickets import (
    CallBackForm,
    CoReplyForm,
    DispatchForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    IntakeForm,
    LongTermForm,
    MergeForm,
    RemindForm,
    ReplyForm,
    ReturnForm,
    ReturnReviewForm,
    SignForm,
)
from yichuang.hotline.models_taxonomy import HotlineCategory
from yichuang.hotline.models_tickets import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CallBackResult,
    HotlineStatus,
    HotlineTicket,
    TicketStep,
)

S = HotlineStatus
PAGE_SIZE = 50
QUEUE_PREVIEW = 10
_KEY = re.compile(r"^[0-9a-f]{32}$")

QUEUE_LABELS = {
    "to_dispatch": gettext_lazy("待派单"),
    "returns": gettext_lazy("退单待审核"),
    "call_backs": gettext_lazy("待回访"),
    "overdue": gettext_lazy("超期未办结"),
}
STEP_LABELS = {
    "intake": gettext_lazy("受理"),
    "answer_directly": gettext_lazy("直接办结"),
    "dispatch": gettext_lazy("派单"),
    "sign": gettext_lazy("签收"),
    "co_sign": gettext_lazy("协办签收"),
    "return": gettext_lazy("退单"),
    "return_accepted": gettext_lazy("同意退单并改派"),
    "return_refused": gettext_lazy("不同意退单，退回原单位"),
    "co_reply": gettext_lazy("协办意见"),
    "reply": gettext_lazy("答复"),
    "long_term": gettext_lazy("挂账"),
    "extension_requested": gettext_lazy("申请延期"),
    "extension_decided": gettext_lazy("延期审批"),
    "remind": gettext_lazy("催办"),
    "supervise": gettext_lazy("督办"),
    "call_attempt": gettext_lazy("回访未联系上"),
    "reopen": gettext_lazy("回访不满意，重办"),
    "close": gettext_lazy("回访办结"),
    "merge": gettext_lazy("并单"),
}
HANDLING = (S.DISPATCHED, S.HANDLING, S.LONG_TERM)


# ——— checks ———


def require_any(user: Any, capabilities: tuple[str, ...], message: str) -> None:
    if not any(has_capability(user, capability) for capability in capabilities):
        raise PermissionDeniedError(message, extra={"needs": " | ".join(capabilities)})


def is_office(user: Any) -> bool:
    return has_capability(user, "hotline.intake") or has_capability(user, "hotline.dispatch")


def _page(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# ——— the optional helpers: classifier and dispatch directory ———


def _optional_module(name: str) -> ModuleType | None:
    """``yichuang.hotline.<name>``, imported on first use (the classifier loads scikit-learn), or None when
    the module is not there."""
    try:
        return importlib.import_module(f"yichuang.hotline.{name}")
    except ImportError:
        return None


@dataclass(frozen=True)
class Suggestion:
    """A category and the department the directory sends it to (with its co-handlers); ``confidence`` is
    the classifier's calibrated probability (None when the directory alone decided)."""

    label: str
    category: HotlineCategory | None
    department: Department | None
    co_handlers: tuple[Department, ...]
    confidence: float | None
    basis: str  # "classifier" or "directory"


def directory_suggestion(category: HotlineCategory | None, division_code: str = "") -> Suggestion | None:
    """The dispatch directory's lead (and co-handlers) for ``category`` in ``division_code``, or None."""
    module = _optional_module("directory")
    if category is None or module is None:
        return None
    match = module.directory_lookup(category, division_code)
    if match is None:
        return None
    return Suggestion(
        label=category.path,
        category=category,
        department=match.lead,
        co_handlers=tuple(match.co_handlers),
        confidence=None,
        basis="directory",
    )


def classifier_suggestions(text: str, division_code: str = "") -> list[Suggestion]:
    """The classifier's most likely categories for ``text``, best first, each with the directory's
    department; empty when there is no classifier or it is not trained yet."""
    module = _optional_module("classifier")
    if module is None or not text.strip():
        return []
    try:
        found = module.suggest(text, division_code=division_code)
    except ApplicationError:  # not trained yet (or nothing to read): no suggestion
        return []
    return [
        Suggestion(
            label=item.label,
            category=item.category,
            department=item.match.lead if item.match else None,
            co_handlers=tuple(item.match.co_handlers) if item.match else (),
            confidence=item.confidence,
            basis="classifier",
        )
        for item in found.categories
    ]


def dispatch_suggestion(ticket: HotlineTicket) -> Suggestion | None:
    """The department the dispatch form offers first: the directory's for the ticket's category, else the
    one of the classifier's best category for its text."""
    suggestion = directory_suggestion(ticket.category, ticket.division_code)
    if suggestion is not None:
        return suggestion
    best = classifier_suggestions(f"{ticket.title}\n{ticket.content}", ticket.division_code)[:1]
    return best[0] if best and best[0].department is not None else None


# ——— intake ———


def _new_key() -> str:
    return uuid.uuid4().hex


def _intake_page(request: HttpRequest, form: IntakeForm, *, status: int = 200) -> HttpResponse:
    key = form["key"].value() or ""
    context = {
        "form": form,
        "ticket_ref": key,
        "knowledge_url": _url_or_none("hotline:knowledge_search"),
        "may_merge": has_capability(request.user, "hotline.dispatch"),
    }
    return render(request, "hotline/intake.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """受理: the operator files the call. "受理" files it for dispatch (on the ticket's page); "直接办结"
    files it and closes it with the answer given, in one transaction; "并入此单" (a duplicate found while
    typing) files it and merges it into that open ticket, in one transaction."""
    user = request.user
    require_any(user, ("hotline.intake",), _("您没有受理12345诉求的权限"))
    if request.method != "POST":
        return _intake_page(request, IntakeForm(initial={"key": _new_key()}))
    form = IntakeForm(request.POST)
    decision = request.POST.get("decision", "accept")
    merge_into = request.POST.get("merge_into", "").strip()
    valid = form.is_valid()
    if not _KEY.match(str(form["key"].value() or "")):
        return _intake_page(request, _with_fresh_key(form), status=400)
    if not valid:
        return _intake_page(request, form, status=400)
    data = form.cleaned_data
    key = f"intake:{user.pk}:{data['key']}"
    existing = HotlineTicket.objects.filter(idempotency_key=key).first()
    if existing is not None:  # the same form submitted again
        messages.info(request, _("工单 %(number)s 已受理，请勿重复提交") % {"number": existing.number})
        return redirect("hotline:ticket_detail", existing.pk)
    try:
        with transaction.atomic():
            ticket = tickets.ticket_intake(
                actor=user,
                channel=data["channel"],
                nature=data["nature"],
                urgency=data["urgency"],
                category=data.get("category"),
                title=data.get("title") or "",
                content=data.get("content") or "",
                address=data.get("address") or "",
                division_code=data.get("division_code") or "",
                caller_name=data.get("caller_name") or "",
                caller_phone=data.get("caller_phone") or "",
                anonymous=bool(data.get("anonymous")),
                confidential=bool(data.get("confidential")),
                idempotency_key=key,
            )
            if merge_into:
                target = _merge_target(user, merge_into)
                ticket = tickets.ticket_merge(ticket=ticket, into=target, actor=user)
            elif decision == "answer":
                ticket = tickets.ticket_answer_directly(
                    ticket=ticket, actor=user, reply=data.get("reply") or ""
                )
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        form.add_service_error(error)
        return _intake_page(request, form, status=error.status)
    if merge_into:
        messages.success(
            request,
            _("工单 %(number)s 已受理并并入 %(into)s")
            % {"number": ticket.number, "into": ticket.merged_into.number if ticket.merged_into else ""},
        )
    elif decision == "answer":
        messages.success(request, _("工单 %(number)s 已直接办结") % {"number": ticket.number})
    else:
        messages.success(request, _("工单 %(number)s 已受理，请派单") % {"number": ticket.number})
    return redirect("hotline:ticket_detail", ticket.pk)


def _with_fresh_key(form: IntakeForm) -> IntakeForm:
    """A form whose key is missing or malformed (not the page's own) is shown again with a new key, so
    that submitting it once more files one ticket."""
    form.add_error(None, _("页面已过期，请核对后重新提交"))
    data = cast(QueryDict, form.data).copy()
    data["key"] = _new_key()
    form.data = data
    return form


def _merge_target(user: Any, value: str) -> HotlineTicket:
    rows = selectors.tickets_visible(user)
    target = rows.filter(pk=int(value)).first() if value.isdigit() else rows.filter(number=value).first()
    if target is None:
        raise ApplicationError(
            _("未找到要并入的工单"), code="invalid", fields={"into": [_("未找到该工单编号")]}
        )
    return target


@login_required
@require_GET
def intake_assist(request: HttpRequest) -> HttpResponse:
    """While the operator types (htmx): the suggested category and department with the classifier's
    confidence, and the open tickets the call may repeat (并单候选)."""
    user = request.user
    require_any(user, ("hotline.intake",), _("您没有受理12345诉求的权限"))
    content = request.GET.get("content", "").strip()[:4000]
    title = request.GET.get("title", "").strip()[:200]
    division_code = request.GET.get("division_code", "").strip()[:12]
    address = request.GET.get("address", "").strip()[:200]
    category_id = request.GET.get("category", "")
    chosen = (
        HotlineCategory.objects.filter(pk=int(category_id), is_active=True).first()
        if category_id.isdigit()
        else None
    )
    text = f"{title}\n{content}".strip()
    suggestions = classifier_suggestions(text, division_code) if content else []
    candidates = (
        selectors.duplicate_candidates(
            text=text,
            division_code=division_code,
            address=address,
            category_top=chosen.top if chosen is not None else "",
        )
        if content
        else []
    )
    context = {
        "content": content,
        "suggestions": suggestions,
        "classifier": _optional_module("classifier") is not None,
        "chosen": chosen,
        "directory": directory_suggestion(chosen, division_code),
        "candidates": candidates,
        "merge_mode": "intake" if has_capability(user, "hotline.dispatch") else "",
    }
    return render(request, "hotline/partials/intake_suggestions.html", context)


# ——— the desks ———


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    """热线办公室: the tickets to dispatch, the returns to review, the replies to call back and the overdue
    ones, each with its count; ``?queue=`` lists one queue in full."""
    require_any(request.user, ("hotline.dispatch",), _("您没有使用热线办公室工作台的权限"))
    queues = selectors.office_queues()
    chosen = request.GET.get("queue", "")
    now = timezone.now()
    if chosen in queues:
        page = _page(request, queues[chosen])
        context: dict[str, Any] = {
            "queue": chosen,
            "label": QUEUE_LABELS[chosen],
            "page": page,
            "rows": _ticket_rows(page, now),
            "query": f"queue={chosen}",
        }
        return render(request, "hotline/office.html", context)
    summary = [
        {
            "key": key,
            "label": QUEUE_LABELS[key],
            "count": rows.count(),
            "rows": _ticket_rows(rows[:QUEUE_PREVIEW], now),
        }
        for key, rows in queues.items()
    ]
    return render(request, "hotline/office.html", {"queues": summary})


def _overdue(when: dt.datetime | None, now: dt.datetime) -> bool:
    return bool(when and when < now)


def _ticket_rows(rows: Any, now: dt.datetime) -> list[dict[str, Any]]:
    return [
        {"ticket": t, "overdue": t.status in (S.DISPATCHED, S.HANDLING) and _overdue(t.due_at, now)}
        for t in rows
    ]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """承办单位待办: the live parts of the user's department in open tickets, soonest due first; a sign or
    handling limit already passed is red."""
    user = request.user
    require_any(user, ("hotline.handle",), _("您没有办理12345工单的权限"))
    page = _page(request, selectors.department_inbox(user))
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for part in page:
        ticket = part.ticket
        if ticket.status == S.LONG_TERM:
            due_overdue = bool(ticket.long_term_due and ticket.long_term_due < today)
        else:
            due_overdue = ticket.status in (S.DISPATCHED, S.HANDLING) and _overdue(ticket.due_at, now)
        rows.append(
            {
                "part": part,
                "ticket": ticket,
                "sign_overdue": part.status == AssignmentStatus.PENDING and _overdue(ticket.sign_due_at, now),
                "due_overdue": due_overdue,
            }
        )
    return render(request, "hotline/inbox.html", {"page": page, "rows": rows})


# ——— a ticket ———


def caller_view(user: Any, ticket: HotlineTicket) -> dict[str, Any]:
    """Who called, as ``user`` may see it. The hotline office (受理 or 派单) sees the name and phone in
    full. Anyone else (a department, the inspector) sees the name masked; the phone is in full so that
    the department can call the caller, unless the caller asked for confidentiality (保密) or stayed
    anonymous — then it is masked too."""
    if is_office(user):
        return {"full": True, "name": ticket.caller_name, "phone": ticket.caller_phone}
    hidden = ticket.confidential or ticket.anonymous
    return {
        "full": False,
        "name": mask_name(ticket.caller_name),
        "phone": mask_phone(ticket.caller_phone) if hidden else ticket.caller_phone,
        "phone_callable": not hidden,
    }


def log_caller_read(request: HttpRequest, ticket: HotlineTicket, caller: dict[str, Any]) -> None:
    """The caller's name and phone shown in full (see ``caller_view``) are a read of personal data."""
    shown = {"caller_phone": ticket.caller_phone if caller["full"] or caller.get("phone_callable") else ""}
    if caller["full"]:
        shown["caller_name"] = ticket.caller_name
    personal_data_read(
        actor=request.user,
        obj=ticket,
        person="caller",
        fields=[name for name, value in shown.items() if value],
        screen=screen_name(request),
        purpose=request_purpose(request),
    )


def _latest_step(ticket: HotlineTicket) -> int | None:
    return TicketStep.objects.filter(ticket_id=ticket.pk).order_by("-pk").values_list("pk", flat=True).first()


def _pending_extension(steps: list[TicketStep]) -> TicketStep | None:
    """The department's extension request not decided yet (the latest request after the latest decision)."""
    pending = None
    for step in steps:
        if step.action == "extension_requested":
            pending = step
        elif step.action == "extension_decided":
            pending = None
    return pending


def _my_parts(user: Any, parts: list[Assignment]) -> list[Assignment]:
    if not has_capability(user, "hotline.handle"):
        return []
    live = [
        part
        for part in parts
        if part.status not in (AssignmentStatus.RETURNED, AssignmentStatus.WITHDRAWN)
        and department_in_scope(user, part.department)
    ]
    live.sort(key=lambda part: part.role != AssignmentRole.LEAD)
    return live


def available_actions(
    user: Any, ticket: HotlineTicket, parts: list[Assignment], steps: list[TicketStep]
) -> list[str]:
    """The steps ``user`` may take on ``ticket`` now, in the order the page shows their forms."""
    names: list[str] = []
    status = ticket.status
    if has_capability(user, "hotline.dispatch"):
        if status == S.RECEIVED:
            names.append("dispatch")
        if status == S.RETURN_REVIEW:
            names.append("return_review")
        if status == S.REPLIED:
            names.append("call_back")
        if status in (S.DISPATCHED, S.HANDLING) and _pending_extension(steps) is not None:
            names.append("extension_decide")
        if status in HANDLING:
            names.append("remind")
        if status in (S.RECEIVED, S.DISPATCHED):
            names.append("merge")
    mine = _my_parts(user, parts)
    lead = next((part for part in mine if part.role == AssignmentRole.LEAD), None)
    co = next((part for part in mine if part.role == AssignmentRole.CO), None)
    if lead is not None:
        if lead.status == AssignmentStatus.PENDING and status == S.DISPATCHED:
            names += ["sign", "return"]
        if lead.status == AssignmentStatus.SIGNED and status in (S.HANDLING, S.LONG_TERM):
            names.append("reply")
        if lead.status == AssignmentStatus.SIGNED and status == S.HANDLING:
            names += ["extension_request", "long_term"]
    if co is not None and status in HANDLING:
        if co.status == AssignmentStatus.PENDING and lead is None:
            names.append("sign")
        if co.status in (AssignmentStatus.PENDING, AssignmentStatus.SIGNED):
            names.append("co_reply")
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Step:
    """One step form of a ticket's page: its form, who may take it, the service call and the texts."""

    form: type[Form]
    capability: str
    run: Callable[[Any, HotlineTicket, dict[str, Any]], Any]
    title: Any
    button: Any
    success: Any
    hint: Any = ""


def _departments(data: dict[str, Any]) -> list[Department]:
    return list(data.get("co_handlers") or [])


STEPS: dict[str, Step] = {
    "dispatch": Step(
        DispatchForm,
        "hotline.dispatch",
        lambda user, ticket, data: tickets.ticket_dispatch(
            ticket=ticket,
            actor=user,
            lead=data["lead"],
            co_handlers=_departments(data),
            category=data.get("category"),
        ),
        gettext_lazy("派单"),
        gettext_lazy("派单"),
        gettext_lazy("工单已派出"),
        gettext_lazy("按派单目录确定主办单位；职责交叉的指定协办单位联办。"),
    ),
    "return_review": Step(
        ReturnReviewForm,
        "hotline.dispatch",
        lambda user, ticket, data: tickets.ticket_return_review(
            ticket=ticket,
            actor=user,
            accept=data["decision"] == "accept",
            note=data.get("note") or "",
            lead=data.get("lead"),
            co_handlers=_departments(data),
        ),
        gettext_lazy("退单审核"),
        gettext_lazy("提交审核结论"),
        gettext_lazy("退单审核意见已保存"),
        gettext_lazy("同意退单须改派其他单位；不同意的，工单退回原单位办理。"),
    ),
    "call_back": Step(
        CallBackForm,
        "hotline.dispatch",
        lambda user, ticket, data: tickets.ticket_call_back(
            ticket=ticket, actor=user, result=data["result"], note=data.get("note") or ""
        ),
        gettext_lazy("回访"),
        gettext_lazy("保存回访结果"),
        gettext_lazy("回访结果已保存"),
        gettext_lazy("满意或基本满意即办结；不满意的退回承办单位重办。"),
    ),
    "extension_decide": Step(
        ExtensionDecisionForm,
        "hotline.dispatch",
        lambda user, ticket, data: tickets.ticket_extension(
            ticket=ticket,
            actor=user,
            days=data["days"],
            reason=data.get("reason") or "",
            approve=bool(data["approve"]),
        ),
        gettext_lazy("延期审批"),
        gettext_lazy("提交审批"),
        gettext_lazy("延期审批结果已保存"),
    ),
    "remind": Step(
        RemindForm,
        "hotline.dispatch",
        lambda user, ticket, data: tickets.ticket_remind(
            ticket=ticket, actor=user, supervise=data["kind"] == "supervise", note=data.get("note") or ""
        ),
        gettext_lazy("催办/督办"),
        gettext_lazy("发出"),
        gettext_lazy("已催办"),
    ),
    "merge": Step(
        MergeForm,
        "hotline.dispatch",
        lambda user, ticket, data: tickets.ticket_merge(
            ticket=ticket, into=_merge_target(user, data["into"]), actor=user
        ),
        gettext_lazy("并单"),
        gettext_lazy("并入该工单"),
        gettext_lazy("已并单"),
    ),
    "sign": Step(
        SignForm,
        "hotline.handle",
        lambda user, ticket, data: tickets.ticket_sign(ticket=ticket, actor=user),
        gettext_lazy("签收"),
        gettext_lazy("签收"),
        gettext_lazy("已签收"),
        gettext_lazy("签收后开始办理；不属于本单位职责的，请在签收前退单。"),
    ),
    "return": Step(
        ReturnForm,
        "hotline.handle",
        lambda user, ticket, data: tickets.ticket_return(
            ticket=ticket, actor=user, reason=data.get("reason") or ""
        ),
        gettext_lazy("退单"),
        gettext_lazy("退单"),
        gettext_lazy("已退单，等待热线办公室审核"),
    ),
    "co_reply": Step(
        CoReplyForm,
        "hotline.handle",
        lambda user, ticket, data: tickets.ticket_co_reply(
            ticket=ticket, actor=user, reply=data.get("reply") or ""
        ),
        gettext_lazy("协办意见"),
        gettext_lazy("提交协办意见"),
        gettext_lazy("协办意见已提交主办单位"),
    ),
    "reply": Step(
        ReplyForm,
        "hotline.handle",
        lambda user, ticket, data: tickets.ticket_reply(
            ticket=ticket, actor=user, reply=data.get("reply") or "", solved=bool(data["solved"])
        ),
        gettext_lazy("答复"),
        gettext_lazy("提交答复"),
        gettext_lazy("已答复，等待热线办公室回访"),
    ),
    "extension_request": Step(
        ExtensionRequestForm,
        "hotline.handle",
        lambda user, ticket, data: tickets.ticket_extension(
            ticket=ticket, actor=user, days=data["days"], reason=data.get("reason") or ""
        ),
        gettext_lazy("申请延期"),
        gettext_lazy("提交延期申请"),
        gettext_lazy("延期申请已提交热线办公室"),
    ),
    "long_term": Step(
        LongTermForm,
        "hotline.handle",
        lambda user, ticket, data: tickets.ticket_long_term(
            ticket=ticket, actor=user, plan=data.get("plan") or "", plan_due=data["plan_due"]
        ),
        gettext_lazy("挂账"),
        gettext_lazy("挂账办理"),
        gettext_lazy("已挂账，按计划办理"),
    ),
}


def _initial(name: str, ticket: HotlineTicket, last: int | None, extras: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {"last_step": last}
    if name == "dispatch":
        initial["category"] = ticket.category_id
        suggestion = extras.get("dispatch_suggestion")
        if suggestion is not None and suggestion.department is not None:
            initial["lead"] = suggestion.department.pk
            initial["co_handlers"] = [department.pk for department in suggestion.co_handlers]
            if ticket.category_id is None and suggestion.category is not None:
                initial["category"] = suggestion.category.pk
    if name == "extension_decide" and extras.get("pending_extension") is not None:
        initial["days"] = extras["pending_extension"].data.get("days")
    return initial


def _timeline(steps: list[TicketStep]) -> list[dict[str, Any]]:
    return [
        {
            "step": step,
            "label": STEP_LABELS.get(step.action, step.action),
            "result": CallBackResult(step.data["result"]).label
            if step.data.get("result") in CallBackResult.values
            else "",
        }
        for step in steps
    ]


def ticket_page(
    request: HttpRequest,
    ticket: HotlineTicket,
    *,
    bound: dict[str, Form] | None = None,
    error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    parts = list(
        ticket.assignments.select_related("department", "signed_by", "replied_by").order_by("role", "pk")
    )
    parts.sort(key=lambda part: (part.role != AssignmentRole.LEAD, part.pk))
    steps = list(ticket.steps.select_related("actor", "department").order_by("at", "pk"))
    last = steps[-1].pk if steps else None
    names = available_actions(user, ticket, parts, steps)
    extras: dict[str, Any] = {
        "pending_extension": _pending_extension(steps),
        "dispatch_suggestion": dispatch_suggestion(ticket) if "dispatch" in names else None,
    }
    bound = bound or {}
    if error is not None and any(name in names for name in bound):
        error = None  # shown on its form
    forms = []
    for name in names:
        step = STEPS[name]
        form = bound.get(name) or step.form(prefix=name, initial=_initial(name, ticket, last, extras))
        forms.append({"name": name, "step": step, "form": form})
    now = timezone.now()
    candidates = []
    if "merge" in names:
        candidates = selectors.duplicate_candidates(
            text=f"{ticket.title} {ticket.content}",
            division_code=ticket.division_code,
            address=ticket.address,
            category_top=ticket.category.top if ticket.category else "",
            exclude=ticket.pk,
        )
    caller = caller_view(user, ticket)
    log_caller_read(request, ticket, caller)
    context = {
        "ticket": ticket,
        "caller": caller,
        "parts": parts,
        "timeline": _timeline(steps),
        "forms": forms,
        "error": error,
        "last_step": last,
        "office": is_office(user),
        "may_handle": has_capability(user, "hotline.handle"),
        "candidates": candidates,
        "merge_mode": "ticket" if "merge" in names else "",
        "suggestion": extras["dispatch_suggestion"],
        "pending_extension": extras["pending_extension"],
        "sign_overdue": ticket.status == S.DISPATCHED and _overdue(ticket.sign_due_at, now),
        "due_overdue": ticket.status in (S.DISPATCHED, S.HANDLING) and _overdue(ticket.due_at, now),
    }
    return render(request, "hotline/ticket.html", context, status=status)


def _require_ticket_reader(user: Any) -> None:
    require_any(
        user,
        ("hotline.intake", "hotline.dispatch", "hotline.handle", "hotline.view"),
        _("您没有查看12345工单的权限"),
    )


@login_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    _require_ticket_reader(request.user)
    return ticket_page(request, selectors.ticket_get(request.user, ticket_id))


def _ticket_for_step(ticket_id: int, last_step: int | None) -> HotlineTicket:
    """The ticket, locked, if the latest step is still the one the submitted form saw. Call inside a
    transaction: a double submit then finds the first one's step and is refused."""
    locked = HotlineTicket.objects.select_for_update().get(pk=ticket_id)
    if last_step is not None and _latest_step(locked) != last_step:
        raise ConflictError(
            _("该工单已有新的办理记录（当前为“%(status)s”），请勿重复提交，刷新后查看")
            % {"status": locked.get_status_display()},
            code="ticket_changed",
            extra={"status": locked.status},
        )
    return locked


@login_required
@require_POST
def ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """One step on a ticket from its form on the ticket's page (see ``STEPS``)."""
    step = STEPS.get(action)
    if step is None:
        raise Http404
    user = request.user
    require_any(user, (step.capability,), _("您没有执行此操作的权限"))
    ticket = selectors.ticket_get(user, ticket_id)
    form = step.form(request.POST, prefix=action)
    if not form.is_valid():
        return ticket_page(request, ticket, bound={action: form}, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            locked = _ticket_for_step(ticket.pk, data.get("last_step"))
            step.run(user, locked, data)
    except PermissionDeniedError:
        raise
    except ConflictError as error:
        # Done already (a double submit) or moved on meanwhile: the ticket as it is now, and why.
        refreshed = selectors.ticket_get(user, ticket.pk)
        if error.code == "ticket_changed":
            return ticket_page(request, refreshed, error=error, status=error.status)
        form.add_service_error(error)  # type: ignore[attr-defined]
        return ticket_page(request, refreshed, bound={action: form}, error=error, status=error.status)
    except ApplicationError as error:
        form.add_service_error(error)  # type: ignore[attr-defined]
        return ticket_page(request, ticket, bound={action: form}, error=error, status=error.status)
    messages.success(request, str(step.success))
    return redirect("hotline:ticket_detail", ticket.pk)
