"""Forms of the staff desks (window, review, issuance). They only shape input: the rules live in the
services, whose Chinese messages are put back next to the right field (``ServiceErrorFormMixin``).
Free-text fields are optional here on purpose, so a missing reason is reported in the service's words.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.cases.models import CaseChannel, CaseMaterial, CaseMaterialState
from yichuang.catalog.models import SpecialProcedureKind
from yichuang.core.errors import ApplicationError

if TYPE_CHECKING:  # a development dependency: only the type checker needs it
    from django_stubs_ext import StrOrPromise

# What the window may record for a material; 容缺待补 and 告知承诺替代 are set by acceptance itself.
CHECK_STATES = (
    CaseMaterialState.RECEIVED,
    CaseMaterialState.ORIGINAL_CHECKED,
    CaseMaterialState.MISSING,
    CaseMaterialState.DEFICIENT,
    CaseMaterialState.EXEMPT,
)
WINDOW_CHANNELS = (CaseChannel.WINDOW, CaseChannel.PROXY)


def new_idempotency_key() -> str:
    """A fresh key for one rendering of the intake form: a double click sends the same key twice."""
    return uuid.uuid4().hex


def _text(
    label: StrOrPromise, *, max_length: int = 2000, rows: int = 2, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class IntakeForm(ServiceErrorFormMixin, forms.Form):
    applicant = forms.IntegerField(widget=forms.HiddenInput, required=False)
    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    channel = forms.ChoiceField(
        label=_("接件渠道"),
        choices=[(c.value, c.label) for c in WINDOW_CHANNELS],
        initial=CaseChannel.WINDOW,
    )
    by_commitment = forms.BooleanField(label=_("申请人选择告知承诺办理（已签署告知承诺书）"), required=False)


class RefuseForm(ServiceErrorFormMixin, forms.Form):
    reason = _text(_("不予受理理由"), rows=3)
    competent_office = forms.CharField(
        label=_("有权受理的机关"),
        max_length=200,
        required=False,
        help_text=_("不属于本机关职权范围的，写明应当向哪个机关申请"),
    )


class NoteForm(ServiceErrorFormMixin, forms.Form):
    note = _text(_("说明"))


class ReasonForm(ServiceErrorFormMixin, forms.Form):
    reason = _text(_("理由"), rows=3)


class AssignForm(ServiceErrorFormMixin, forms.Form):
    reviewer = forms.TypedChoiceField(label=_("审查人"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, reviewers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("本人")), *(reviewers or [])]


class DecideForm(ServiceErrorFormMixin, forms.Form):
    """准予 / 不予, and for a result another app makes (an e-licence) the fields it needs
    (``hooks.result_form``): ``result_<key>`` each, and which licence it replaces for a 变更."""

    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[("approve", _("准予")), ("deny", _("不予"))],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = _text(_("决定理由"), rows=3, help_text=_("不予许可的，必须说明理由"))

    def __init__(self, *args: Any, result: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.result = result
        for item in (result or {}).get("fields", []):
            self.fields[f"result_{item['key']}"] = forms.CharField(
                label=item["label"],
                required=False,
                max_length=500,
                initial=item.get("initial", ""),
                help_text=_("准予时必填") if item.get("required") else "",
            )
        if replaces := (result or {}).get("replaces"):
            self.fields["result_replaces"] = forms.ChoiceField(
                label=_("变更的原证照"),
                required=False,
                choices=[("", _("（新发证照，不替换）")), *replaces],
                help_text=_("变更、延续时选择被替换的原证照，新证照为其下一版本"),
            )

    def result_payload(self) -> dict[str, Any] | None:
        if self.result is None:
            return None
        data = getattr(self, "cleaned_data", {})
        return {
            "licence": {item["key"]: data.get(f"result_{item['key']}", "") for item in self.result["fields"]},
            "replaces": data.get("result_replaces", ""),
        }

    def add_service_error(self, error: ApplicationError) -> None:
        # The licence service names its fields "data.<key>" and "replaces"; the form "result_<key>".
        error.fields = {
            f"result_{name.removeprefix('data.')}"
            if name.startswith("data.") or name == "replaces"
            else name: value
            for name, value in error.fields.items()
        }
        super().add_service_error(error)


class SpecialProcedureForm(ServiceErrorFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("程序种类"), choices=SpecialProcedureKind.choices, required=False)
    name = forms.CharField(label=_("程序名称"), max_length=200, required=False)
    days = forms.IntegerField(label=_("所需时间（工作日）"), min_value=1, max_value=365, required=False)
    reason = _text(_("启动理由"))


class ProcedureFinishForm(ServiceErrorFormMixin, forms.Form):
    result = _text(_("程序结果"), rows=3)


class ExtensionRequestForm(ServiceErrorFormMixin, forms.Form):
    days = forms.IntegerField(label=_("延长（工作日）"), min_value=1, max_value=60, required=False)
    reason = _text(_("延期理由"), rows=3)


class ExtensionDecideForm(ServiceErrorFormMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("批准延期")), ("0", _("不批准"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )
    note = _text(_("审批意见"))


class VerificationForm(ServiceErrorFormMixin, forms.Form):
    truthful = forms.TypedChoiceField(
        label=_("核查结论"),
        choices=[("1", _("承诺属实")), ("0", _("虚假承诺"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )
    findings = _text(_("核查情况"), rows=3)


class DeliverForm(ServiceErrorFormMixin, forms.Form):
    method = forms.ChoiceField(
        label=_("送达方式"),
        choices=[("pickup", _("窗口领取")), ("mail", _("邮寄送达"))],
        widget=forms.RadioSelect,
        initial="pickup",
        required=False,
    )
    recipient = forms.CharField(
        label=_("领取人姓名"),
        max_length=60,
        required=False,
        help_text=_("核对领取人身份证件后填写，领取人在送达回证上签名"),
    )
    tracking_number = forms.CharField(label=_("邮寄单号"), max_length=40, required=False)


# ——— the material checklist: one radio group and one note per case material ———


def checklist_findings(
    data: Any, materials: list[CaseMaterial]
) -> tuple[dict[int, tuple[str, str]], dict[int, str]]:
    """Read ``state-<id>`` / ``note-<id>`` from POST data: (findings for the service, field errors)."""
    findings: dict[int, tuple[str, str]] = {}
    errors: dict[int, str] = {}
    for row in materials:
        state = (data.get(f"state-{row.pk}") or "").strip()
        note = (data.get(f"note-{row.pk}") or "").strip()[:1000]
        if not state:
            continue
        if state not in CHECK_STATES:
            errors[row.pk] = "材料状态无效"
            continue
        findings[row.pk] = (state, note)
    return findings, errors


def checklist_rows(
    materials: list[CaseMaterial], data: Any = None, errors: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """What the checklist template shows: each material with its review points, the state to tick
    (as posted, so nothing typed is lost on an error, else as stored) and its error."""
    rows = []
    for row in materials:
        state, note = row.state, row.note
        if data is not None:
            state = data.get(f"state-{row.pk}") or state
            note = data.get(f"note-{row.pk}", note)
        choices = [
            (value, label)
            for value, label in CaseMaterialState.choices
            if value in CHECK_STATES and (value != CaseMaterialState.EXEMPT or row.licence_identifier)
        ]
        rows.append(
            {
                "row": row,
                "material": row.material,
                "state": state,
                "note": note,
                "choices": choices,
                "review_points": [point.text for point in row.material.review_points.all()],
                "error": (errors or {}).get(row.pk, ""),
            }
        )
    return rows


class ScanForm(ServiceErrorFormMixin, forms.Form):
    """A scan of a paper material the applicant brought to the window, kept with the case."""

    material = forms.TypedChoiceField(label=_("对应材料"), coerce=int)
    file = forms.FileField(
        label=_("扫描件"),
        help_text=_("PDF、JPG 或 PNG，按内容识别文件类型"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, materials: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["material"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(materials or [])
