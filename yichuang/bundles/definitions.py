"""Defining a bundle (admin): its guide, questionnaire, members, their fields and dependencies.

``bundle_define`` takes the whole definition as data (the admin screen, the API and the demo all send the
same shape) and checks it as a whole before writing anything: every member an active handling item, every
condition a question and answer of the bundle, every field one of the one form's, no dependency cycle.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.bundles.fields import unknown_keys
from yichuang.bundles.models import Bundle, BundleCase, BundleMember, BundleQuestion, BundleStatus, EventKind
from yichuang.catalog.models import ItemKind, ItemStatus, ServiceItem
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.permissions import require_capability

MAX_PROMISED_DAYS = 60
# Paths under /bundles/ the screens use: a bundle with one of these codes would have no reachable guide.
RESERVED_CODES = frozenset(
    {"desk", "manage", "figures", "track", "applications", "definitions"}
)  # 联合办理 45 working days + 15 extension (行政许可法 §42)
_TEXT_FIELDS = (
    "summary",
    "service_object",
    "conditions",
    "legal_basis",
    "handling_place",
    "handling_hours",
    "contact_phone",
)


def _cycle(requires: dict[int, list[int]]) -> list[int]:
    """A dependency cycle among members (item ids), or []."""
    state: dict[int, int] = {}
    stack: list[int] = []

    def visit(node: int) -> list[int]:
        state[node] = 1
        stack.append(node)
        for nxt in requires.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return []

    for node in requires:
        if node not in state and (found := visit(node)):
            return found
    return []


def _questions_checked(raw: list[dict[str, Any]], errors: dict[str, list[str]]) -> dict[str, set[str]]:
    answers: dict[str, set[str]] = {}
    for n, question in enumerate(raw):
        key = str(question.get("key", "")).strip()
        values = [str(choice.get("value", "")).strip() for choice in question.get("choices", [])]
        if not key or not str(question.get("text", "")).strip():
            errors[f"questions.{n}"] = ["须填写问题标识和问题"]
        elif key in answers:
            errors[f"questions.{n}"] = [f"问题标识 {key} 重复"]
        elif len(values) < 2 or len(set(values)) != len(values) or "" in values:
            errors[f"questions.{n}"] = ["至少两个选项，选项值不能为空或重复"]
        answers[key] = set(values)
    return answers


def _members_checked(
    raw: list[dict[str, Any]], questions: dict[str, set[str]], errors: dict[str, list[str]]
) -> list[tuple[ServiceItem, dict[str, Any]]]:
    ids = [int(member.get("item") or 0) for member in raw]
    items = ServiceItem.objects.select_related("current_version").in_bulk(ids)
    checked: list[tuple[ServiceItem, dict[str, Any]]] = []
    requires: dict[int, list[int]] = {}
    positions: dict[int, int] = {}
    for n, (item_id, member) in enumerate(zip(ids, raw, strict=True)):
        where = f"members.{n}"
        item = items.get(item_id)
        if (
            item is None
            or item.kind != ItemKind.HANDLING
            or item.status != ItemStatus.ACTIVE
            or item.current_version_id is None
        ):
            errors[where] = ["须为在用的办理项"]
            continue
        if item_id in requires:
            errors[where] = [f"事项“{item.name}”重复"]
            continue
        condition = member.get("condition") or {}
        for key, allowed in condition.items():
            if key not in questions or not allowed or not set(allowed) <= questions[key]:
                errors[f"{where}.condition"] = [f"适用情形引用了不存在的问题或选项：{key}"]
        if bad := unknown_keys(list(member.get("fields") or [])):
            errors[f"{where}.fields"] = [f"未知的表单字段：{'、'.join(bad)}"]
        requires[item_id] = [int(x) for x in member.get("requires") or []]
        positions[item_id] = n
        checked.append((item, member))
    for item_id, needed in requires.items():
        if missing := [x for x in needed if x not in requires]:
            errors[f"members.{positions[item_id]}.requires"] = [f"前置事项不是本一件事的成员：{missing}"]
    if not errors and (cycle := _cycle(requires)):
        names = " → ".join(items[x].name for x in cycle)
        errors["members"] = [f"前置事项形成循环：{names}"]
    if not raw:
        errors["members"] = ["至少包含一个成员事项"]
    return checked


def _basics_checked(spec: dict[str, Any], errors: dict[str, list[str]]) -> Department | None:
    for key, label in (("code", "编码"), ("name", "名称"), ("event", "生命周期事件")):
        if not str(spec.get(key, "")).strip():
            errors[key] = [f"请填写{label}"]
    if str(spec.get("code", "")).strip() in RESERVED_CODES:
        errors["code"] = ["该编码与系统页面地址冲突，请换一个"]
    if spec.get("event_kind") not in EventKind.values:
        errors["event_kind"] = ["类别应为个人或企业"]
    days = spec.get("promised_days")
    if not isinstance(days, int) or not 1 <= days <= MAX_PROMISED_DAYS:
        errors["promised_days"] = [f"承诺时限应为1至{MAX_PROMISED_DAYS}个工作日"]
    department = Department.objects.filter(pk=spec.get("lead_department") or 0).first()
    if department is None:
        errors["lead_department"] = ["请选择牵头部门"]
    return department


@audited_atomic
def bundle_define(*, actor: Any, spec: dict[str, Any]) -> Bundle:
    """Create the bundle ``spec["code"]`` or replace its definition. A member some application already
    uses cannot be removed (retire the bundle and define a new one instead)."""
    require_capability(actor, "bundle.manage", "只有政数局管理员可以定义一件事")
    errors: dict[str, list[str]] = {}
    department = _basics_checked(spec, errors)
    questions = _questions_checked(list(spec.get("questions") or []), errors)
    members = _members_checked(list(spec.get("members") or []), questions, errors)
    if errors:
        raise ApplicationError("一件事定义有误，请按提示修改", code="bundle_invalid", fields=errors)
    bundle, created = Bundle.objects.select_for_update().get_or_create(
        code=spec["code"].strip(),
        defaults={
            "name": spec["name"],
            "event_kind": spec["event_kind"],
            "event": spec["event"],
            "lead_department": department,
            "promised_days": spec["promised_days"],
        },
    )
    bundle.name, bundle.event_kind, bundle.event = (
        spec["name"].strip(),
        spec["event_kind"],
        spec["event"].strip(),
    )
    assert department is not None  # checked above
    bundle.lead_department, bundle.promised_days = department, spec["promised_days"]
    bundle.visits = int(spec.get("visits", 1))
    bundle.position = int(spec.get("position", bundle.position))
    bundle.process_steps = list(spec.get("process_steps") or [])
    for name in _TEXT_FIELDS:
        setattr(bundle, name, str(spec.get(name, "")).strip())
    bundle.full_clean()
    bundle.save()
    bundle.questions.all().delete()
    BundleQuestion.objects.bulk_create(
        [
            BundleQuestion(
                bundle=bundle,
                key=q["key"].strip(),
                text=q["text"].strip(),
                help_text=str(q.get("help_text", "")).strip(),
                multiple=bool(q.get("multiple")),
                choices=[
                    {"value": str(c["value"]).strip(), "label": str(c.get("label") or c["value"]).strip()}
                    for c in q["choices"]
                ],
                position=n,
            )
            for n, q in enumerate(spec.get("questions") or [])
        ]
    )
    kept = {member.item_id: member for member in bundle.members.all()}
    wanted = {item.pk for item, _ in members}
    gone = [member for item_id, member in kept.items() if item_id not in wanted]
    if gone and BundleCase.objects.filter(member__in=gone).exists():
        raise ConflictError("已有申请的成员事项不能删除：请停用本一件事后重新定义", code="member_in_use")
    BundleMember.objects.filter(pk__in=[m.pk for m in gone]).delete()
    by_item: dict[int, BundleMember] = {}
    for n, (item, raw) in enumerate(members):
        member = kept.get(item.pk) or BundleMember(bundle=bundle, item=item)
        member.label = str(raw.get("label", "")).strip()
        member.position = n
        member.condition = {k: [str(v) for v in vs] for k, vs in (raw.get("condition") or {}).items()}
        member.fields = list(raw.get("fields") or [])
        member.save()
        by_item[item.pk] = member
    for item, raw in members:
        by_item[item.pk].requires.set([by_item[int(x)] for x in raw.get("requires") or []])
    audit_record(
        actor=actor,
        action="bundle.define",
        obj=bundle,
        data={"code": bundle.code, "created": created, "members": [item.pk for item, _ in members]},
    )
    return bundle


@audited_atomic
def bundle_publish(*, actor: Any, bundle: Bundle) -> Bundle:
    """Publish (or re-publish) the guide and open applications; every member must still be applicable."""
    require_capability(actor, "bundle.manage", "只有政数局管理员可以发布一件事")
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    stale = [
        member.item.name
        for member in bundle.members.select_related("item")
        if member.item.status != ItemStatus.ACTIVE or member.item.current_version_id is None
    ]
    if stale:
        raise ConflictError(f"以下成员事项已不在用，请先调整定义：{'、'.join(stale)}", code="member_inactive")
    if not bundle.members.exists():
        raise ConflictError("一件事至少包含一个成员事项", code="no_members")
    bundle.status, bundle.published_at = BundleStatus.PUBLISHED, timezone.now()
    bundle.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="bundle.publish", obj=bundle, data={"code": bundle.code})
    return bundle


@audited_atomic
def bundle_retire(*, actor: Any, bundle: Bundle) -> Bundle:
    """Stop new applications; applications already made go on."""
    require_capability(actor, "bundle.manage", "只有政数局管理员可以停用一件事")
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    bundle.status = BundleStatus.RETIRED
    bundle.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="bundle.retire", obj=bundle, data={"code": bundle.code})
    return bundle


def bundle_spec(bundle: Bundle) -> dict[str, Any]:
    """The definition as ``bundle_define`` takes it (the editor starts from it; the API returns it)."""
    members = list(bundle.members.prefetch_related("requires").select_related("item"))
    return {
        "code": bundle.code,
        "name": bundle.name,
        "event_kind": bundle.event_kind,
        "event": bundle.event,
        "lead_department": bundle.lead_department_id,
        "promised_days": bundle.promised_days,
        "visits": bundle.visits,
        "position": bundle.position,
        "process_steps": bundle.process_steps,
        **{name: getattr(bundle, name) for name in _TEXT_FIELDS},
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
        "members": [
            {
                "item": m.item_id,
                "label": m.label,
                "condition": m.condition,
                "fields": m.fields,
                "requires": [r.item_id for r in m.requires.all()],
            }
            for m in members
        ],
    }
