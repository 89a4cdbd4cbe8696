"""一件事管理 (the admin, ``bundle.manage``): the list of bundles with publish / retire, and the editor that
builds the definition ``definitions.bundle_define`` takes (basic facts, questionnaire, members with their
fields, conditions and prerequisites).

The editor works without any script: 添加问题 / 添加成员事项 / 更新选项 post the form back and it comes
again with everything typed and one more row, the conditions offering the questions as they now stand and
the prerequisites the other members; with htmx, choosing an item or editing a question refreshes them at
once. Saving sends the whole definition to the service, whose errors come back on the row and field they
name, with nothing typed lost.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.bundles import definitions
from yichuang.bundles.forms_manage import (
    MAX_MEMBERS,
    MAX_QUESTIONS,
    BundleForm,
    MemberFormSet,
    QuestionFormSet,
    bundle_initial,
    choices_parsed,
    field_groups,
    item_id,
    member_initial,
    question_initial,
)
from yichuang.bundles.models import Bundle, BundleApplication, BundleMember, BundleStatus
from yichuang.bundles.views_staff import require_staff
from yichuang.catalog.models import ItemKind, ItemStatus, ServiceItem
from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.permissions import require_capability

_MEMBER_FIELDS = {"fields": "form_fields", "condition": "condition", "requires": "requires"}


def _require_manage(user: Any) -> None:
    require_staff(user)
    require_capability(user, "bundle.manage", _("只有政数局管理员可以定义、发布和停用一件事"))


def _count(model: Any) -> Coalesce:
    counted = (
        model.objects.filter(bundle=OuterRef("pk"))
        .order_by()
        .values("bundle")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    _require_manage(request.user)
    bundles = (
        Bundle.objects.select_related("lead_department")
        .annotate(member_count=_count(BundleMember), application_count=_count(BundleApplication))
        .order_by("position", "pk")
    )
    return render(request, "bundles/manage_list.html", {"bundles": bundles})


def _lifecycle(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    _require_manage(request.user)
    bundle = get_object_or_404(Bundle, pk=pk)
    try:
        action(actor=request.user, bundle=bundle)
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"name": bundle.name})
    return redirect("bundles:manage")


@login_required
@require_POST
def manage_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request, pk, definitions.bundle_publish, _("已发布“%(name)s”：办事指南公开，可以受理申请")
    )


@login_required
@require_POST
def manage_retire(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request, pk, definitions.bundle_retire, _("已停用“%(name)s”：不再接受新申请，已有申请继续办理")
    )


# ——— the editor ———


def _items() -> QuerySet[ServiceItem]:
    return (
        ServiceItem.objects.filter(
            kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False
        )
        .select_related("department")
        .order_by("department__path", "name", "pk")
    )


def _forms_initial(bundle: Bundle | None) -> tuple[BundleForm, Any, Any]:
    if bundle is None:
        form = BundleForm(initial={"visits": 1, "position": 0})
        return form, QuestionFormSet(prefix="q", initial=[{}]), MemberFormSet(prefix="m", initial=[{}, {}])
    spec = definitions.bundle_spec(bundle)
    names = dict(
        ServiceItem.objects.filter(pk__in=[m["item"] for m in spec["members"]]).values_list("pk", "name")
    )
    form = BundleForm(initial=bundle_initial(spec))
    form.fields["code"].disabled = True
    questions = QuestionFormSet(prefix="q", initial=[question_initial(q) for q in spec["questions"]] or [{}])
    members = MemberFormSet(prefix="m", initial=[member_initial(m, names) for m in spec["members"]] or [{}])
    return form, questions, members


def _forms_bound(data: Any, bundle: Bundle | None, *, add: str = "") -> tuple[BundleForm, Any, Any]:
    if add:
        data = data.copy()
        name, most = ("q-TOTAL_FORMS", MAX_QUESTIONS) if add == "question" else ("m-TOTAL_FORMS", MAX_MEMBERS)
        total = data.get(name, "0")
        data[name] = str(min(int(total) + 1, most) if total.isdigit() else 1)
    form = BundleForm(data, initial={"code": bundle.code} if bundle is not None else None)
    if bundle is not None:
        form.fields["code"].disabled = True  # the code names the bundle: it never changes
    return form, QuestionFormSet(data, prefix="q"), MemberFormSet(data, prefix="m")


def _deleted(form: Any) -> bool:
    return bool(form["DELETE"].value()) if "DELETE" in form.fields else False


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _questions_now(questions: Any) -> list[dict[str, Any]]:
    """The questions as they stand in the form (typed or stored), for the members' conditions."""
    now = []
    for form in questions.forms:
        key = str(form["key"].value() or "").strip()
        if key and not _deleted(form):
            now.append(
                {
                    "key": key,
                    "text": str(form["text"].value() or key),
                    "choices": choices_parsed(str(form["choices"].value() or "")),
                }
            )
    return now


def _member_rows(members: Any, questions: list[dict[str, Any]], items: dict[int, ServiceItem]) -> list[Any]:
    """Each member form with what its checkboxes offer now: the form's fields by group, the questions'
    answers, the other members; a value chosen before that is no longer offered stays, marked."""
    chosen_items = []
    for form in members.forms:
        found = item_id(form["item"].value())
        chosen_items.append(found if found is not None and not _deleted(form) else None)
    groups = field_groups()
    offered_conditions = {f"{q['key']}={c['value']}" for q in questions for c in q["choices"]}
    rows = []
    for index, form in enumerate(members.forms):
        fields = set(_as_list(form["form_fields"].value()))
        condition = _as_list(form["condition"].value())
        requires = _as_list(form["requires"].value())
        others = [
            (other, items[other].name if other in items else str(other))
            for n, other in enumerate(chosen_items)
            if other is not None and n != index
        ]
        offered_requires = {str(other) for other, _name in others}
        label_by_item = {
            chosen_items[n]: str(f["label"].value() or "").strip()
            for n, f in enumerate(members.forms)
            if chosen_items[n] is not None
        }
        rows.append(
            {
                "form": form,
                "item": items.get(chosen_items[index] or 0),
                "field_groups": [
                    (group, [(key, label, key in fields) for key, label in options])
                    for group, options in groups
                ],
                "stale_fields": sorted(fields - {key for _g, options in groups for key, _l in options}),
                "conditions": [
                    (
                        question,
                        [
                            (
                                f"{question['key']}={c['value']}",
                                c["label"],
                                f"{question['key']}={c['value']}" in condition,
                            )
                            for c in question["choices"]
                        ],
                    )
                    for question in questions
                ],
                "stale_conditions": [value for value in condition if value not in offered_conditions],
                "requires": [
                    (str(other), label_by_item.get(other) or name, str(other) in requires)
                    for other, name in others
                ],
                "stale_requires": [value for value in requires if value not in offered_requires],
            }
        )
    return rows


def _editor_page(
    request: HttpRequest,
    bundle: Bundle | None,
    forms: tuple[BundleForm, Any, Any],
    *,
    error: ApplicationError | None = None,
    members_errors: list[str] | None = None,
    other_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    form, questions, members = forms
    items = list(_items())
    by_id = {item.pk: item for item in items}
    chosen = {item_id(f["item"].value()) for f in members.forms} - {None} - set(by_id)
    for item in ServiceItem.objects.filter(pk__in=chosen).select_related("department"):
        by_id[item.pk] = item  # an item no longer active stays visible on its row (the service refuses it)
    questions_now = _questions_now(questions)
    context = {
        "bundle": bundle,
        "form": form,
        "questions": questions,
        "members": members,
        "member_rows": _member_rows(members, questions_now, by_id),
        "items": items,
        "error": error,
        "members_errors": members_errors or [],
        "other_errors": other_errors or [],
        "max_questions": MAX_QUESTIONS,
        "max_members": MAX_MEMBERS,
    }
    return render(request, "bundles/manage_edit.html", context, status=status)


def _place(
    error: ApplicationError,
    form: BundleForm,
    questions: list[tuple[int, Any]],
    members: list[tuple[int, Any]],
) -> tuple[list[str], list[str]]:
    """Put each of the service's field errors on its field: (errors about the members as a whole, others)."""
    members_errors: list[str] = []
    other: list[str] = []
    for name, texts in error.fields.items():
        parts = name.split(".")
        target: Any = None
        field: str | None = None
        if parts[0] in form.fields and len(parts) == 1:
            target, field = form, parts[0]
        elif (
            parts[0] == "questions"
            and len(parts) > 1
            and parts[1].isdigit()
            and int(parts[1]) < len(questions)
        ):
            target = questions[int(parts[1])][1]
        elif parts[0] == "members" and len(parts) == 1:
            members_errors.extend(texts)
            continue
        elif parts[0] == "members" and parts[1].isdigit() and int(parts[1]) < len(members):
            target = members[int(parts[1])][1]
            field = _MEMBER_FIELDS.get(parts[2]) if len(parts) > 2 else "item"
        if target is None:
            other.extend(texts)
            continue
        for text in texts:
            target.add_error(field, text)
    return members_errors, other


def _editor(request: HttpRequest, bundle: Bundle | None) -> HttpResponse:
    if request.method == "GET":
        return _editor_page(request, bundle, _forms_initial(bundle))
    op = request.POST.get("op", "save")
    if op in ("add_question", "add_member", "refresh"):
        return _editor_page(
            request,
            bundle,
            _forms_bound(
                request.POST, bundle, add={"add_question": "question", "add_member": "member"}.get(op, "")
            ),
        )
    forms = _forms_bound(request.POST, bundle)
    form, question_set, member_set = forms
    valid = [form.is_valid(), question_set.is_valid(), member_set.is_valid()]
    if not all(valid):
        error = ApplicationError(_("一件事定义有误，请按提示修改"), code="form_invalid")
        non_form = [*question_set.non_form_errors(), *member_set.non_form_errors()]
        return _editor_page(request, bundle, forms, error=error, other_errors=non_form, status=400)
    questions = [(n, f) for n, f in enumerate(question_set.forms) if not _deleted(f) and not f.is_blank()]
    members = [(n, f) for n, f in enumerate(member_set.forms) if not _deleted(f) and not f.is_blank()]
    spec = form.spec()
    spec["questions"] = [f.spec() for _n, f in questions]
    spec["members"] = [f.spec() for _n, f in members]
    if bundle is not None:
        spec["code"] = bundle.code
    elif spec["code"] and Bundle.objects.filter(code=spec["code"]).exists():
        form.add_error("code", _("该编码已被其他一件事使用"))
        error = ApplicationError(_("一件事定义有误，请按提示修改"), code="code_taken")
        return _editor_page(request, bundle, forms, error=error, status=400)
    try:
        try:
            saved = definitions.bundle_define(actor=request.user, spec=spec)
        except ValidationError as invalid:  # a model check the forms did not foresee
            raise ApplicationError.from_validation_error(invalid) from invalid
    except PermissionDeniedError:
        raise
    except ApplicationError as error:
        members_errors, other = _place(error, form, questions, members)
        return _editor_page(
            request,
            bundle,
            forms,
            error=error,
            members_errors=members_errors,
            other_errors=other,
            status=error.status,
        )
    messages.success(request, _("已保存“%(name)s”的定义") % {"name": saved.name})
    if saved.status == BundleStatus.DRAFT:
        messages.info(request, _("一件事为草稿状态：核对无误后点击“发布”，即可公开办事指南并受理申请"))
    return redirect("bundles:manage")


@login_required
@require_http_methods(["GET", "POST"])
def manage_new(request: HttpRequest) -> HttpResponse:
    _require_manage(request.user)
    return _editor(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request.user)
    bundle = get_object_or_404(Bundle, pk=pk)
    return _editor(request, bundle)
