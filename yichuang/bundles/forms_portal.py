"""Forms of 一件事 online application and the public progress lookup.

The questionnaire and the one form are built from the bundle's definition (``selection``): a question per
situation, each merged field once (its input by kind, prefilled from the applicant's record) and a file
input per merged material. The field checks are the one form's own (``fields.clean_value``), so the page
shows every mistake at once, in the words the service would use; the service checks again anyway, and
its errors (``form.x``, ``answers.x``, ``files.x``) land next to the same inputs.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.accounts.models import Applicant
from yichuang.bundles.fields import FormField, clean_value
from yichuang.bundles.models import BundleQuestion
from yichuang.bundles.selection import MergedField, MergedMaterial, Selection
from yichuang.cases.forms_portal import CheckedFile, ScanFilesField
from yichuang.cases.forms_portal import TrackForm as CaseTrackForm
from yichuang.catalog.models import MaterialNecessity
from yichuang.core.errors import ApplicationError


def question_field_name(key: str) -> str:
    return f"q_{key}"


def form_field_name(key: str) -> str:
    return f"f_{key}"


def file_field_name(material_key: str) -> str:
    # "id_card#2" (a second ID card in one item) must stay a plain, selector-safe input name.
    return "file_" + material_key.replace("#", "__")


def _field_for(path: str) -> str:
    """The input a service error names (``form.company_name`` → ``f_company_name``)."""
    kind, _dot, key = path.partition(".")
    if kind == "form":
        return form_field_name(key)
    if kind == "answers":
        return question_field_name(key)
    if kind == "files":
        return file_field_name(key)
    return path


class BundleErrorFormMixin(ServiceErrorFormMixin):
    def add_service_error(self, error: ApplicationError) -> None:
        mapped = ApplicationError(
            error.message,
            code=error.code,
            fields={_field_for(path): messages for path, messages in error.fields.items()},
            extra=error.extra,
        )
        super().add_service_error(mapped)


class QuestionnaireForm(BundleErrorFormMixin, forms.Form):
    """情形引导: one radio group (or checkboxes, for a question with several answers) per question."""

    def __init__(self, *args: Any, questions: list[BundleQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = [(choice["value"], choice["label"]) for choice in question.choices]
            field: forms.Field
            if question.multiple:
                field = forms.MultipleChoiceField(
                    label=question.text, choices=choices, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.ChoiceField(label=question.text, choices=choices, widget=forms.RadioSelect)
            field.help_text = question.help_text
            field.error_messages["required"] = _("请选择")
            field.error_messages["invalid_choice"] = _("选项无效")
            self.fields[question_field_name(question.key)] = field

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {q.key: data.get(question_field_name(q.key)) for q in self.questions}

    def hidden_pairs(self) -> list[tuple[str, str]]:
        """The answers as hidden inputs, so the second step carries them to the submission."""
        pairs = []
        for question, values in self.answers().items():
            for value in values if isinstance(values, list) else [values]:
                pairs.append((question_field_name(question), str(value)))
        return pairs


def _widget(spec: FormField) -> forms.Widget:
    attrs: dict[str, str] = {}
    if spec.kind == "textarea":
        return forms.Textarea(attrs={"rows": 3})
    if spec.kind == "date":
        return forms.DateInput(attrs={"type": "date"})
    if spec.kind == "choice":
        return forms.Select(choices=[("", _("请选择")), *[(c, c) for c in spec.choices]])
    if spec.kind in ("id_number", "credit_code"):
        attrs = {"autocomplete": "off", "maxlength": "18", "spellcheck": "false"}
    elif spec.kind == "phone":
        attrs = {"inputmode": "tel", "autocomplete": "tel"}
    elif spec.kind == "number":
        attrs = {"inputmode": "decimal"}
    return forms.TextInput(attrs=attrs)


def upload_required(merged: MergedMaterial) -> bool:
    """Online, a required material needs a file — not the one form (filled here), and not one an
    e-licence can stand for (免证办: the window fetches it)."""
    return (
        not merged.by_form and merged.necessity == MaterialNecessity.REQUIRED and not merged.licence_type_code
    )


class BundleApplyForm(BundleErrorFormMixin, forms.Form):
    """The one form (一表制) and the one set of materials, with a hidden key that makes a double click one
    application."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    use_licences = forms.BooleanField(
        label=_("同意调取我（本单位）持有的有效电子证照替代相应材料（免证办），并授权本次申请的各事项使用"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, selection: Selection, applicant: Applicant, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        for merged in selection.fields:
            if merged.field.prefill:
                value = getattr(applicant, merged.field.prefill, "") or ""
                kwargs["initial"].setdefault(form_field_name(merged.field.key), value)
        super().__init__(*args, **kwargs)
        self.selection = selection
        self.applicant = applicant
        for merged in selection.fields:
            spec = merged.field
            self.fields[form_field_name(spec.key)] = forms.CharField(
                label=spec.label,
                required=False,  # the one form's own check says 必填, below
                max_length=2000,
                widget=_widget(spec),
                help_text=spec.help_text,
            )
        self.file_materials = [material for material in selection.materials if not material.by_form]
        for material in self.file_materials:
            self.fields[file_field_name(material.key)] = ScanFilesField(label=material.name)
        self.licences_offered = any(material.licence_type_code for material in selection.materials)
        if not self.licences_offered:
            del self.fields["use_licences"]

    def clean_idempotency_key(self) -> str:
        key = self.cleaned_data["idempotency_key"].strip()
        if not key.replace("-", "").isalnum():
            raise ValidationError(_("页面已过期，请刷新后重新提交"))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for merged in self.selection.fields:
            spec = merged.field
            name = form_field_name(spec.key)
            raw = data.get(name, "")
            if not str(raw or "").strip() and spec.prefill:
                raw = getattr(self.applicant, spec.prefill, "") or ""
            try:
                clean_value(spec, raw)
            except ValidationError as error:
                for message in error.messages:
                    self.add_error(name, message)
        for material in self.file_materials:
            name = file_field_name(material.key)
            if name in data and not data[name] and upload_required(material):
                self.add_error(name, _("请上传“%(name)s”") % {"name": material.name})
        return data

    # ——— what the view hands the service ———

    def form_values(self) -> dict[str, str]:
        return {
            merged.field.key: str(self.cleaned_data.get(form_field_name(merged.field.key)) or "")
            for merged in self.selection.fields
        }

    def material_files(self) -> dict[str, list[tuple[str, bytes]]]:
        given: dict[str, list[tuple[str, bytes]]] = {}
        for material in self.file_materials:
            checked: list[CheckedFile] = self.cleaned_data.get(file_field_name(material.key)) or []
            if checked:
                given[material.key] = [(upload.name, upload.content) for upload in checked]
        return given

    # ——— what the template shows ———

    def field_groups(self) -> list[dict[str, Any]]:
        groups = []
        for group, merged_fields in self.selection.field_groups:
            rows = [self._field_row(merged) for merged in merged_fields]
            groups.append({"name": group, "rows": rows})
        return groups

    def _field_row(self, merged: MergedField) -> dict[str, Any]:
        return {"merged": merged, "field": self[form_field_name(merged.field.key)]}

    def material_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "merged": material,
                "field": None if material.by_form else self[file_field_name(material.key)],
                "upload_required": upload_required(material),
            }
            for material in self.selection.materials
        ]


class WithdrawForm(ServiceErrorFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}), required=True
    )
    confirm = forms.BooleanField(
        label=_("我确认撤回本一件事申请。撤回后各事项终止办理，如需办理须重新申请"), required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("请填写撤回原因")
        self.fields["confirm"].error_messages["required"] = _("请勾选确认撤回")


class SupplyForm(ServiceErrorFormMixin, forms.Form):
    note = forms.CharField(
        label=_("补正说明（可选）"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrackForm(CaseTrackForm):
    """The cases' progress lookup, for an application number (the same normalising and messages)."""

    number = forms.CharField(label=_("一件事申请编号"), max_length=24)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].error_messages["required"] = _("请填写一件事申请编号")
        self.fields["number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
