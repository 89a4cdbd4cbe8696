"""Forms of the 事项抽查 screens. They only read the input; ``sampling.inspection_clean`` holds the rules
(findings when not 合格, case numbers of the item …) so that the screen and the API say the same."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.supervision.models_sampling import CheckResult, Conclusion
from yichuang.supervision.sampling import FINDINGS_MAX, RECTIFICATION_MAX


class DrawForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=9999)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)


def _result_field(label: Any, help_text: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=CheckResult.choices,
        required=False,
        initial=CheckResult.NOT_CHECKED,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


class InspectionForm(ServiceErrorFormMixin, forms.Form):
    guide_result = _result_field(
        _("办事指南准确性"), _("指南所列条件、材料、流程、时限、收费与实际办理是否一致")
    )
    materials_result = _result_field(
        _("申请材料与审核要点"), _("窗口是否按清单收件、按审核要点审查，有无要求清单以外的材料")
    )
    time_limits_result = _result_field(_("办理时限"), _("抽查的办件是否在承诺时限内办结，计时暂停是否有依据"))
    case_numbers = forms.CharField(
        label=_("抽查的办件编号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("每行一个，或用逗号分隔；须为本事项的办件"),
    )
    conclusion = forms.ChoiceField(label=_("检查结论"), choices=Conclusion.choices, widget=forms.RadioSelect)
    findings = forms.CharField(
        label=_("发现的问题"),
        required=False,
        max_length=FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("结论为基本合格或不合格时必填"),
    )
    rectification = forms.CharField(
        label=_("整改要求"),
        required=False,
        max_length=RECTIFICATION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("结论为基本合格或不合格时必填"),
    )
    rectification_due = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("结论为基本合格或不合格时必填，须晚于今天"),
    )
