"""The admin's 一件事 editor: the basic facts, the questionnaire and the members as formsets, turned into the
spec ``definitions.bundle_define`` takes. Forms check only the shape (lengths, numbers, slugs); the rules
(answers that exist, fields of the one form, active items, no dependency cycle) are the service's, and its
field errors (``questions.1``, ``members.0.condition`` …) are put back on the row and field they name.

Posted names: ``q-<n>-key|text|help_text|multiple|choices|DELETE`` for a question (choices one per line,
``值|名称``), ``m-<n>-item|label|form_fields|condition|requires|DELETE`` for a member (``item`` the handling
item's id, optionally followed by `` · name``; ``condition`` values ``<question key>=<answer>``;
``requires`` the other members' item ids).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.accounts.models import Department
from yichuang.bundles.fields import FIELDS, GROUP_ORDER
from yichuang.bundles.models import EventKind

MAX_QUESTIONS = 20
MAX_MEMBERS = 30


def _text(label: Any, max_length: int, rows: int = 2, help_text: Any = "", **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


class BundleForm(ServiceErrorFormMixin, forms.Form):
    """The bundle's own facts. Required ones are checked by the service, so every mistake of the whole
    definition is reported at once."""

    code = forms.SlugField(
        label=gettext_lazy("一件事编码"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("英文字母、数字、连字符，如 open-restaurant；保存后不能修改"),
    )
    name = forms.CharField(label=gettext_lazy("一件事名称"), max_length=100, required=False)
    event_kind = forms.ChoiceField(
        label=gettext_lazy("类别"), choices=[("", "——"), *EventKind.choices], required=False
    )
    event = forms.CharField(
        label=gettext_lazy("生命周期事件"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("如：出生、开办、准营、注销、退休"),
    )
    lead_department = forms.ModelChoiceField(
        label=gettext_lazy("牵头部门"),
        queryset=Department.objects.filter(is_active=True).order_by("path"),
        required=False,
        empty_label="——",
    )
    promised_days = forms.IntegerField(
        label=gettext_lazy("一件事承诺时限（工作日）"), required=False, min_value=0, max_value=365
    )
    visits = forms.IntegerField(
        label=gettext_lazy("到现场次数"), initial=1, min_value=0, max_value=10, required=False
    )
    position = forms.IntegerField(
        label=gettext_lazy("排序"), initial=0, min_value=0, max_value=9999, required=False
    )
    summary = _text(gettext_lazy("白话说明"), 2000, rows=3)
    service_object = forms.CharField(label=gettext_lazy("服务对象"), max_length=200, required=False)
    conditions = _text(gettext_lazy("办理条件"), 4000, rows=3)
    legal_basis = _text(gettext_lazy("政策依据"), 4000, rows=3)
    process_steps = _text(
        gettext_lazy("办理流程"), 4000, rows=4, help_text=gettext_lazy("每行一个环节，按先后顺序")
    )
    handling_place = forms.CharField(label=gettext_lazy("办理地点"), max_length=200, required=False)
    handling_hours = forms.CharField(label=gettext_lazy("办理时间"), max_length=200, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("咨询电话"), max_length=40, required=False)

    GROUPS = (
        (gettext_lazy("基本信息"), ("code", "name", "event_kind", "event", "lead_department", "position")),
        (gettext_lazy("时限与跑动"), ("promised_days", "visits")),
        (
            gettext_lazy("办事指南"),
            (
                "summary",
                "service_object",
                "conditions",
                "legal_basis",
                "process_steps",
                "handling_place",
                "handling_hours",
                "contact_phone",
            ),
        ),
    )

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        department = data.get("lead_department")
        return {
            "code": data.get("code") or "",
            "name": data.get("name", ""),
            "event_kind": data.get("event_kind", ""),
            "event": data.get("event", ""),
            "lead_department": department.pk if department else None,
            "promised_days": data.get("promised_days"),
            "visits": data["visits"] if data.get("visits") is not None else 1,
            "position": data.get("position") or 0,
            "process_steps": [
                line.strip() for line in data.get("process_steps", "").splitlines() if line.strip()
            ],
            **{
                name: data.get(name, "")
                for name in (
                    "summary",
                    "service_object",
                    "conditions",
                    "legal_basis",
                    "handling_place",
                    "handling_hours",
                    "contact_phone",
                )
            },
        }


def bundle_initial(spec: dict[str, Any]) -> dict[str, Any]:
    initial = {key: value for key, value in spec.items() if key not in ("questions", "members")}
    initial["process_steps"] = "\n".join(_step_text(step) for step in spec.get("process_steps") or [])
    return initial


def _step_text(step: Any) -> str:
    """A step as one line: the editor stores lines, the demo and the API store ``{name, description}``."""
    if isinstance(step, dict):
        name, description = str(step.get("name") or ""), str(step.get("description") or "")
        return f"{name}：{description}" if name and description else name or description
    return str(step)


# ——— the questionnaire ———


def choices_text(choices: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{c['value']}|{c['label']}" if c.get("label") and c["label"] != c["value"] else c["value"]
        for c in choices
    )


def choices_parsed(text: str) -> list[dict[str, str]]:
    """``值|名称`` per line (a line without ``|`` is both)."""
    choices = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, _sep, label = line.partition("|")
        choices.append({"value": value.strip(), "label": label.strip() or value.strip()})
    return choices


class QuestionForm(ServiceErrorFormMixin, forms.Form):
    key = forms.SlugField(
        label=gettext_lazy("问题标识"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("英文字母、数字、连字符，如 dining_area"),
        widget=forms.TextInput(attrs={"class": "refreshes"}),
    )
    text = forms.CharField(label=gettext_lazy("问题"), max_length=200, required=False)
    help_text = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)
    multiple = forms.BooleanField(label=gettext_lazy("可多选"), required=False)
    choices = _text(
        gettext_lazy("选项"),
        2000,
        rows=3,
        help_text=gettext_lazy("每行一个选项：选项值|显示名称，如 yes|有"),
        **{"class": "refreshes"},
    )

    def clean_choices(self) -> str:
        text = self.cleaned_data.get("choices", "")
        for choice in choices_parsed(text):
            if len(choice["value"]) > 40 or len(choice["label"]) > 100:
                raise forms.ValidationError(_("选项值最多40字，显示名称最多100字"))
        return text

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name) or "").strip() for name in ("key", "text", "help_text", "choices"))

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": data.get("key", ""),
            "text": data.get("text", ""),
            "help_text": data.get("help_text", ""),
            "multiple": bool(data.get("multiple")),
            "choices": choices_parsed(data.get("choices", "")),
        }


QuestionFormSet = forms.formset_factory(
    QuestionForm,
    extra=0,
    can_delete=True,
    max_num=MAX_QUESTIONS,
    validate_max=True,
    absolute_max=MAX_QUESTIONS,
)


def question_initial(question: dict[str, Any]) -> dict[str, Any]:
    return {**question, "choices": choices_text(question.get("choices") or [])}


# ——— the members ———


class AnyValues(forms.MultipleChoiceField):
    """Checkboxes whose values the service checks (a condition naming a question removed meanwhile is
    shown and refused by the service, not silently dropped)."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: Any) -> bool:
        return len(str(value)) <= 200


def item_id(raw: Any) -> int | None:
    """The handling item's id from ``1234`` or ``1234 · name``."""
    head = str(raw or "").strip().split(" ", 1)[0].split("·", 1)[0].strip()
    return int(head) if head.isdigit() and int(head) < 2**31 else None


class MemberForm(ServiceErrorFormMixin, forms.Form):
    item = forms.CharField(
        label=gettext_lazy("办理项"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("输入事项名称或编号，从列表中选择在用的办理项"),
    )
    label = forms.CharField(
        label=gettext_lazy("在一件事中的名称"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("不填则用事项名称"),
    )
    form_fields = AnyValues(label=gettext_lazy("一表中需要的内容"), required=False)
    condition = AnyValues(label=gettext_lazy("适用情形"), required=False)
    requires = AnyValues(label=gettext_lazy("前置事项"), required=False)

    def clean_item(self) -> str:
        raw = self.cleaned_data.get("item", "").strip()
        if raw and item_id(raw) is None:
            raise forms.ValidationError(_("请从列表中选择事项"))
        return raw

    def clean_requires(self) -> list[str]:
        values = self.cleaned_data.get("requires") or []
        if any(not str(v).isdigit() for v in values):
            raise forms.ValidationError(_("前置事项无效"))
        return values

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("item", "label", "form_fields", "condition", "requires"))

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        condition: dict[str, list[str]] = defaultdict(list)
        for pair in data.get("condition") or []:
            key, _sep, value = str(pair).partition("=")
            condition[key].append(value)
        return {
            "item": item_id(data.get("item")) or 0,
            "label": data.get("label", ""),
            "fields": list(data.get("form_fields") or []),
            "condition": dict(condition),
            "requires": [int(x) for x in data.get("requires") or []],
        }


MemberFormSet = forms.formset_factory(
    MemberForm, extra=0, can_delete=True, max_num=MAX_MEMBERS, validate_max=True, absolute_max=MAX_MEMBERS
)


def member_initial(member: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    return {
        "item": f"{member['item']} · {names.get(member['item'], '')}".rstrip(" ·"),
        "label": member.get("label", ""),
        "form_fields": list(member.get("fields") or []),
        "condition": [
            f"{key}={value}" for key, values in (member.get("condition") or {}).items() for value in values
        ],
        "requires": [str(x) for x in member.get("requires") or []],
    }


def field_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The one form's fields by group, for the members' checkboxes."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for spec in FIELDS:
        groups[spec.group].append((spec.key, spec.label))
    return [(group, groups[group]) for group in GROUP_ORDER if group in groups]
