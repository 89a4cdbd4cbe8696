"""Forms of the staff screens of 好差评: list filters, the call-back and answer of a rectification, an
appeal with its evidence, the admin's decision. They only shape input: the rules are the services', whose
Chinese messages go back next to the right field (``ServiceErrorFormMixin``). Free text is optional here
on purpose, so a missing text is reported in the service's words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.core.errors import ApplicationError
from yichuang.core.uploads import SCAN_TYPES, file_type_check, size_text
from yichuang.ratings.models import Appeal, AppealStatus, Channel, Level, RectificationStatus

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
YES_NO = [("1", _("是")), ("0", _("否"))]


def _yes_no(label: Any, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "1",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
    )


def _text(label: Any, *, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class DepartmentFilterMixin:
    """A department filter for the centre-wide roles only (the others see their own department anyway)."""

    def add_department(self, departments: Any) -> None:
        if departments is None:
            return
        self.fields["department"] = forms.ModelChoiceField(  # type: ignore[attr-defined]
            label=_("部门"), queryset=departments, required=False, empty_label=_("全部部门")
        )


class RectificationFilterForm(DepartmentFilterMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *RectificationStatus.choices]
    )
    overdue = forms.BooleanField(label=_("只看超期未整改"), required=False)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_department(departments)


class EvaluationFilterForm(DepartmentFilterMixin, forms.Form):
    start = _date(_("评价日期自"))
    end = _date(_("至"))
    level = forms.TypedChoiceField(
        label=_("评价等级"),
        required=False,
        choices=[("", _("全部等级")), *Level.choices],
        coerce=int,
        empty_value=None,
    )
    channel = forms.ChoiceField(
        label=_("评价渠道"), required=False, choices=[("", _("全部渠道")), *Channel.choices]
    )
    bad = forms.BooleanField(label=_("只看差评"), required=False)

    def __init__(
        self, *args: Any, departments: Any = None, removed_filter: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_department(departments)
        if removed_filter:
            self.fields["removed"] = forms.BooleanField(label=_("已删除（申诉成立）"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("截止日期不能早于起始日期"))
        return data


class CallBackForm(ServiceErrorFormMixin, forms.Form):
    """回访核实: one call to the rater — reached or not, and (reached) whether the facts are confirmed."""

    last_event = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reached = _yes_no(_("是否联系上评价人"), required=True)
    facts_confirmed = _yes_no(_("差评反映的情况是否属实"), required=False)
    note = _text(_("回访记录"), help_text=_("未联系上的，写明联系时间和情况"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reached"].error_messages["required"] = _("请选择是否联系上评价人")


class AnswerForm(ServiceErrorFormMixin, forms.Form):
    """整改 and 反馈: the measure taken (or why the facts were not confirmed) and the answer to the rater."""

    last_event = forms.IntegerField(widget=forms.HiddenInput, required=False)
    measure = _text(_("整改措施"), rows=4, help_text=_("情况不属实的，写明核实情况"))
    answer = _text(_("反馈评价人的内容"), rows=4, help_text=_("将以短信发送给评价人，并请其评价整改结果"))


def evidence_file(upload: Any, *, field: str = "evidence") -> ContentFile[bytes]:
    """An uploaded evidence file checked by its content (PDF, JPG or PNG, at most 5 MB), as a file the
    service can store; or an ``ApplicationError`` in Chinese."""
    if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
        raise ApplicationError(
            f"证明材料不能超过{size_text(EVIDENCE_MAX_BYTES)}",
            fields={field: ["文件过大"]},
            code="file_too_large",
        )
    content = upload.read()
    name = str(upload.name or "evidence")[-100:]
    file_type_check(name=name, content=content, allowed=SCAN_TYPES, max_bytes=EVIDENCE_MAX_BYTES, field=field)
    return ContentFile(content, name=name)


class AppealForm(ServiceErrorFormMixin, forms.Form):
    ground = forms.ChoiceField(
        label=_("申诉理由"),
        choices=Appeal.Ground.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择申诉理由")},
    )
    reason = _text(_("申诉说明"), rows=5, help_text=_("写明事实和理由"))
    evidence = forms.FileField(
        label=_("证明材料（选填）"),
        required=False,
        help_text=_("PDF、JPG 或 PNG，不超过 5MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_evidence(self) -> ContentFile[bytes] | None:
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        try:
            return evidence_file(upload)
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from error


class DecideForm(ServiceErrorFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("复核结论"),
        choices=[("uphold", AppealStatus.UPHELD.label), ("reject", AppealStatus.REJECTED.label)],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择复核结论")},
    )
    note = _text(_("复核意见"))
