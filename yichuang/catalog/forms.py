"""Forms of the catalog's staff screens: every element of an item, its materials as a formset, and
the few fields of a new item's identity. They only shape input into the elements dict; the rules
live in ``elements_clean`` and the services, whose errors are put back next to the right field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.accounts.models import Department
from yichuang.catalog.elements import SCALAR_FIELDS
from yichuang.catalog.models import (
    DeliveryMethod,
    ItemKind,
    ItemStatus,
    ItemVersion,
    Level,
    Material,
    ServiceItem,
    SpecialProcedureKind,
)
from yichuang.core.errors import ApplicationError

SEPARATOR = "｜"

_HELP_TEXTS: dict[str, str] = {
    "legal_days": "法律法规规定的办结时限，以工作日计",
    "promised_days": "本中心承诺的办结时限，不超过法定时限；即办件填0",
    "visits_required": "申请人最多需要到现场几次；0 表示不见面审批（须全程网办）",
    "negative_reason": "仅不进驻政务服务中心的事项填写（进驻负面清单）",
    "result_licence_type_code": "审批结果为电子证照时，填写证照类型代码",
    "keywords": "群众的常用说法，空格分隔，用于检索",
    "plain_summary": "用大白话写一两句：这个事项是办什么的、谁需要办",
}
_TEXTAREAS = {"legal_basis", "acceptance_conditions", "negative_reason", "plain_summary"}

# Repeatable rows kept as JSON lists, entered one per line: (field, label, keys, help).
ROW_FIELDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "process_steps": (
        "办理流程",
        ("name", "description"),
        "每行一个环节：环节名称｜说明，例如：受理｜综合窗口核验材料",
    ),
    "special_procedures": (
        "特别程序",
        ("kind", "name", "days"),
        "每行一项：类型｜名称｜工作日数，类型可填 "
        + "、".join(str(label) for label in SpecialProcedureKind.labels)
        + "，例如：现场勘查｜经营场所现场核查｜5",
    ),
    "fees": (
        "收费项目",
        ("name", "standard", "basis"),
        "每行一项：收费名称｜收费标准｜收费依据；不收费请留空",
    ),
    "intermediary_services": (
        "中介服务",
        ("name", "basis", "provider"),
        "每行一项：中介服务名称｜设定依据｜提供机构；没有请留空",
    ),
}
_KIND_BY_LABEL = {str(label): value for value, label in SpecialProcedureKind.choices}


def rows_to_text(field: str, rows: list[dict[str, Any]]) -> str:
    keys = ROW_FIELDS[field][1]
    lines = []
    for row in rows:
        values = [str(row.get(key, "")) for key in keys]
        if field == "special_procedures":
            values[0] = (
                str(SpecialProcedureKind(row["kind"]).label)
                if row.get("kind") in _KIND_BY_LABEL.values()
                else values[0]
            )
        while len(values) > 1 and not values[-1]:
            values.pop()
        lines.append(SEPARATOR.join(values))
    return "\n".join(lines)


def text_to_rows(field: str, text: str) -> list[dict[str, Any]]:
    keys = ROW_FIELDS[field][1]
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace("|", SEPARATOR).split(SEPARATOR)]
        parts += [""] * (len(keys) - len(parts))
        row: dict[str, Any] = dict(
            zip(keys, [*parts[: len(keys) - 1], SEPARATOR.join(parts[len(keys) - 1 :])], strict=True)
        )
        if field == "special_procedures":
            row["kind"] = _KIND_BY_LABEL.get(row["kind"], row["kind"])
        rows.append(row)
    return rows


class ElementsForm(ServiceErrorFormMixin, forms.Form):
    """Every scalar element (built from the version model's own fields, so labels, choices and
    validators stay in one place), the repeatable rows as one-per-line text, and the reason."""

    GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("基本要素", ("name", "item_type", "service_object", "case_kind", "legal_basis", "keywords")),
        ("受理条件与办理流程", ("acceptance_conditions", "process_steps")),
        ("办理时限", ("legal_days", "promised_days", "special_procedures")),
        ("收费与中介服务", ("fees", "intermediary_services")),
        (
            "办理方式",
            (
                "online_depth",
                "visits_required",
                "tongban_scope",
                "nearby_level",
                "commitment_allowed",
                "stationed",
                "negative_reason",
                "delivery_methods",
                "handling_place",
                "handling_hours",
            ),
        ),
        ("审批结果", ("result_type", "result_name", "result_licence_type_code")),
        ("咨询与投诉", ("contact_phone", "complaint_phone")),
        ("白话版", ("plain_summary",)),
    )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SCALAR_FIELDS:
            model_field = ItemVersion._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            field = model_field.formfield()
            assert field is not None
            if name in _HELP_TEXTS:
                field.help_text = _HELP_TEXTS[name]
            if name in _TEXTAREAS:
                field.widget = forms.Textarea(attrs={"rows": 3})
            self.fields[name] = field
        self.fields["delivery_methods"] = forms.MultipleChoiceField(
            label=_("送达方式"),
            choices=DeliveryMethod.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        for name, (label, _keys, help_text) in ROW_FIELDS.items():
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                help_text=help_text,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["reason"] = forms.CharField(
            label=_("申请理由"),
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("说明为什么要变更，例如依据的新文件"),
        )

    @staticmethod
    def initial_from(elements: dict[str, Any]) -> dict[str, Any]:
        initial = {name: elements.get(name) for name in SCALAR_FIELDS}
        initial["delivery_methods"] = list(elements.get("delivery_methods") or [])
        for name in ROW_FIELDS:
            initial[name] = rows_to_text(name, elements.get(name) or [])
        return initial

    def elements(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in SCALAR_FIELDS}
        for name, value in data.items():
            if value is None and name == "nearby_level":
                data[name] = ""
        data["delivery_methods"] = list(self.cleaned_data["delivery_methods"])
        for name in ROW_FIELDS:
            data[name] = text_to_rows(name, self.cleaned_data[name])
        return data


# The material elements a department edits, in the order the form shows them.
MATERIAL_FORM_FIELDS = (
    "name",
    "source",
    "necessity",
    "originals",
    "copies",
    "media",
    "licence_type_code",
    "commitment_replaceable",
    "material_type",
    "note",
)


class MaterialForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    blank_form_sha = forms.CharField(widget=forms.HiddenInput, required=False)
    sample_sha = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in MATERIAL_FORM_FIELDS:
            model_field = Material._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            field = model_field.formfield()
            assert field is not None
            if name == "note":
                field.widget = forms.Textarea(attrs={"rows": 2})
            self.fields[name] = field
        self.fields["licence_type_code"].help_text = _("可用电子证照替代时填写，申请人可免提交")
        self.fields["review_points"] = forms.CharField(
            label=_("审核要点"),
            required=False,
            help_text=_("每行一条，窗口受理时逐条核对"),
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["blank_form"] = forms.FileField(label=_("空白表格"), required=False)
        self.fields["sample"] = forms.FileField(label=_("示范文本"), required=False)
        self.fields["clear_files"] = forms.BooleanField(label=_("移除已上传的样表和示范文本"), required=False)

    @staticmethod
    def initial_from(material: dict[str, Any]) -> dict[str, Any]:
        initial = {name: value for name, value in material.items() if name not in ("blank_form", "sample")}
        initial["review_points"] = "\n".join(material.get("review_points") or [])
        initial["blank_form_sha"] = material.get("blank_form") or ""
        initial["sample_sha"] = material.get("sample") or ""
        return initial

    def material(self) -> dict[str, Any]:
        data = self.cleaned_data
        row = {name: data[name] for name in ("key", *MATERIAL_FORM_FIELDS)}
        row["review_points"] = [line.strip() for line in data["review_points"].splitlines() if line.strip()]
        row["blank_form"] = None if data["clear_files"] else data["blank_form_sha"] or None
        row["sample"] = None if data["clear_files"] else data["sample_sha"] or None
        return row


MaterialFormSet = forms.formset_factory(MaterialForm, extra=1, can_delete=True, max_num=60, validate_max=True)


class NewItemForm(ServiceErrorFormMixin, forms.Form):
    """Where a new item goes: its department, place in the tree, level and 基本编码."""

    department = forms.ModelChoiceField(label=_("实施主体"), queryset=Department.objects.none())
    item_kind = forms.ChoiceField(label=_("层级类别"), choices=ItemKind.choices, initial=ItemKind.HANDLING)
    parent = forms.ModelChoiceField(
        label=_("上级事项"),
        queryset=ServiceItem.objects.none(),
        required=False,
        help_text=_("子项、办理项可选择所属的主项或子项"),
    )
    level = forms.ChoiceField(label=_("行使层级"), choices=Level.choices, initial=Level.COUNTY)
    basic_code = forms.CharField(
        label=_("基本编码"), max_length=14, required=False, help_text=_("12位，办理项必填")
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["parent"].queryset = (  # type: ignore[attr-defined]
            ServiceItem.objects.filter(
                kind__in=[ItemKind.MAIN, ItemKind.SUB],
                status=ItemStatus.ACTIVE,
                department__in=departments,
                current_version__isnull=False,
            )
            .select_related("department")
            .order_by("department__path", "basic_code")
        )


class ReasonForm(ServiceErrorFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(ServiceErrorFormMixin, forms.Form):
    reason = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def place_elements_error(
    error: ApplicationError,
    *,
    form: ElementsForm,
    material_forms: list[MaterialForm],
    extra_forms: tuple[forms.Form, ...] = (),
) -> None:
    """Put each ``fields`` key of an elements error next to its control:
    "promised_days" → the elements form, "materials.1.name" → the second submitted material,
    "fees.0.standard" → the fees text box, "basic_code" → the new-item form."""
    unplaced: list[str] = []
    aliases = {"kind": "item_kind"}
    for key, messages in error.fields.items():
        head, _dot, rest = key.partition(".")
        target: forms.Form | None = None
        field = head
        if head == "materials" and rest:
            index_text, _dot, field = rest.partition(".")
            if index_text.isdigit() and int(index_text) < len(material_forms):
                target = material_forms[int(index_text)]
                field = {"blank_form": "blank_form", "sample": "sample"}.get(field, field) or "name"
        elif head in form.fields:
            target = form
        else:
            field = aliases.get(head, head)
            target = next((f for f in extra_forms if field in f.fields), None)
        if target is not None and field in target.fields:
            for message in messages:
                label = ""
                if head in ROW_FIELDS and rest:
                    index_text = rest.partition(".")[0]
                    label = f"第{int(index_text) + 1}行：" if index_text.isdigit() else ""
                target.add_error(field, label + message)
        else:
            prefix = "申请材料" if head == "materials" else key
            unplaced.extend(f"{prefix}：{m}" for m in messages)
    form.add_error(None, error.message)
    for message in unplaced:
        form.add_error(None, message)
