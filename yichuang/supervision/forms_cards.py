"""Forms of the card screens: the list's filters, the department's answer and the inspector's review. They
only shape input; the rules (both texts required, a return needs its reason) are the services', whose Chinese
messages go back next to the right field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.supervision.models_cards import CardColor, CardStatus, SubjectKind

TEXT_LIMIT = 2000


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


def _text(label: Any, help_text: Any = "") -> forms.CharField:
    # Optional here on purpose: a missing text is reported in the service's own words.
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CardFilterForm(forms.Form):
    color = forms.ChoiceField(label=_("牌色"), required=False, choices=[("", _("全部")), *CardColor.choices])
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *CardStatus.choices]
    )
    subject_kind = forms.ChoiceField(
        label=_("监察对象"), required=False, choices=[("", _("全部")), *SubjectKind.choices]
    )
    start = _date(_("发牌日期自"))
    end = _date(_("至"))
    q = forms.CharField(label=_("办件/工单编号"), required=False, max_length=64)
    overdue = forms.BooleanField(label=_("只看逾期未答复"), required=False)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:  # the centre-wide roles only; the others see their own department
            self.fields["department"] = forms.ModelChoiceField(
                label=_("责任部门"), queryset=departments, required=False, empty_label=_("全部部门")
            )
            self.order_fields(["color", "status", "subject_kind", "department"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return data


class CardAnswerForm(ServiceErrorFormMixin, forms.Form):
    reason = _text(_("原因说明"), _("说明办件或工单临近期限、超过期限的原因"))
    fix = _text(_("整改措施"), _("已经和将要采取的措施，以及办结的时间安排"))


class CardReviewForm(ServiceErrorFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核意见"),
        choices=[("accept", _("通过")), ("return", _("退回重新答复"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("审核说明"), _("退回时必填，部门将看到退回理由"))
