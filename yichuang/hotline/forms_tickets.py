"""Forms of the 12345 ticket screens: the operator's intake, and the steps on a ticket's page (the office's
dispatch, return review, call-back, reminder, merge and extension decision; the department's signature,
return, co-handler's opinion, reply, extension request and 挂账).

They only shape input: the rules are the services' (``yichuang.hotline.tickets``), whose Chinese messages
go back next to the right field (``ServiceErrorFormMixin``). Free text is optional here on purpose, so a
missing text is reported in the service's words. Every step form carries ``last_step``, the latest
timeline step the page showed: a second submit of the same form finds a newer step and does nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.accounts.models import Department
from yichuang.hotline.models_taxonomy import HotlineCategory
from yichuang.hotline.models_tickets import CallBackResult, HotlineChannel, Nature, Urgency
from yichuang.hotline.tickets import MAX_EXTENSION_DAYS

YES_NO = [("1", _("是")), ("0", _("否"))]


def _text(label: Any, *, rows: int = 3, help_text: Any = "", max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _last_step() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


def category_choices() -> list[tuple[str, Any]]:
    """The active categories grouped by their level-1 name: the level-1 node itself first (未细分: what
    a suggestion from the text names), then its level-2 and level-3 nodes by path."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for pk, level, path in (
        HotlineCategory.objects.filter(is_active=True).order_by("path").values_list("pk", "level", "path")
    ):
        top, _sep, rest = path.partition("/")
        label = str(_("（%(top)s，未细分）") % {"top": top}) if level == 1 else rest.replace("/", " / ")
        groups.setdefault(top, []).append((str(pk), label))
    return [("", str(_("请选择分类")))] + [(top, options) for top, options in groups.items()]


class CategoryField(forms.TypedChoiceField):
    """A select of the active categories in ``<optgroup>``s by level 1; cleans to a ``HotlineCategory``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=category_choices, coerce=int, empty_value=None, **kwargs)

    def clean(self, value: Any) -> HotlineCategory | None:
        pk = super().clean(value)
        if pk is None:
            return None
        category = HotlineCategory.objects.filter(pk=pk, is_active=True).first()
        if category is None:
            raise forms.ValidationError(_("该分类已停用，请重新选择"), code="invalid_choice")
        return category


class DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DepartmentsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def active_departments() -> Any:
    return Department.objects.filter(is_active=True).order_by("path")


# ——— intake ———


class IntakeForm(ServiceErrorFormMixin, forms.Form):
    """受理: the caller, the matter, its place; ``key`` makes a double submit file one ticket; ``reply``
    is the answer given on the spot (直接办结) and is needed only for that."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    caller_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    caller_name = forms.CharField(label=_("来电人姓名"), max_length=60, required=False)
    anonymous = forms.BooleanField(label=_("匿名（不记录姓名）"), required=False)
    confidential = forms.BooleanField(label=_("保密（对承办单位隐藏来电人信息）"), required=False)
    nature = forms.ChoiceField(
        label=_("诉求性质"),
        choices=Nature.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择诉求性质")},
    )
    category = CategoryField(label=_("诉求分类"), required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Urgency.choices,
        initial=Urgency.C,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择紧急程度")},
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[c for c in HotlineChannel.choices if c[0] != HotlineChannel.OPEN311],
        initial=HotlineChannel.PHONE,
        error_messages={"required": _("请选择来源渠道")},
    )
    address = forms.CharField(label=_("事发地点"), max_length=200, required=False)
    division_code = forms.CharField(
        label=_("行政区划代码"),
        max_length=12,
        required=False,
        help_text=_("如 150824（乌拉特中旗）；到乡镇街道可填12位"),
    )
    title = forms.CharField(
        label=_("标题（选填）"), max_length=200, required=False, help_text=_("不填则取诉求内容的前30字")
    )
    content = _text(
        _("诉求内容"), rows=6, help_text=_("边输入边检索知识库、推荐分类和承办单位、查找重复工单")
    )
    reply = _text(_("直接答复内容"), rows=4, help_text=_("直接办结时必填：可点知识库答复的“采用此答复”填入"))

    def clean_division_code(self) -> str:
        code = (self.cleaned_data.get("division_code") or "").strip()
        if code and not code.isdigit():
            raise forms.ValidationError(_("行政区划代码只能是数字"), code="invalid")
        return code


# ——— the office ———


class DispatchForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    category = CategoryField(label=_("诉求分类"), required=False)
    lead = DepartmentChoice(
        label=_("主办单位"),
        queryset=Department.objects.none(),
        empty_label=_("请选择主办单位"),
        error_messages={"required": _("请选择主办单位")},
    )
    co_handlers = DepartmentsChoice(
        label=_("协办单位（可多选）"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead", "co_handlers"):
            self.fields[name].queryset = active_departments()  # type: ignore[attr-defined]


class ReturnReviewForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("accept", _("同意退单，改派其他单位")), ("refuse", _("不同意退单，退回原单位办理"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审核结论")},
    )
    note = _text(_("审核意见"))
    lead = DepartmentChoice(
        label=_("改派主办单位（同意退单时）"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("请选择主办单位"),
    )
    co_handlers = DepartmentsChoice(
        label=_("协办单位（可多选）"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead", "co_handlers"):
            self.fields[name].queryset = active_departments()  # type: ignore[attr-defined]


class CallBackForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    result = forms.ChoiceField(
        label=_("回访结果"),
        choices=CallBackResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择回访结果")},
    )
    note = _text(_("回访记录"), max_length=2000)


class RemindForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    kind = forms.ChoiceField(
        label=_("方式"),
        choices=[("remind", _("催办")), ("supervise", _("督办"))],
        initial="remind",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择催办或督办")},
    )
    note = _text(_("催办督办意见"), max_length=2000)


class MergeForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    into = forms.CharField(
        label=_("并入工单编号"),
        max_length=20,
        error_messages={"required": _("请填写要并入的工单编号")},
        help_text=_("同一事项、同一地点仍在办理的工单"),
    )

    def clean_into(self) -> str:
        return (self.cleaned_data.get("into") or "").strip().upper()


class ExtensionDecisionForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    approve = forms.TypedChoiceField(
        label=_("审批结论"),
        choices=[("1", _("同意延期")), ("0", _("不同意延期"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审批结论")},
    )
    days = forms.IntegerField(
        label=_("延期工作日"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        error_messages={"required": _("请填写延期天数")},
    )
    reason = _text(_("审批意见"))


# ——— the department ———


class SignForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()


class ReturnForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    reason = _text(_("退单理由"), help_text=_("写明不属于本单位职责的依据，以及建议的承办单位"))


class CoReplyForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    reply = _text(_("协办意见"), rows=4)


class ReplyForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    reply = _text(_("答复内容"), rows=5, help_text=_("答复来电人的办理结果；热线办公室据此回访"))
    solved = forms.TypedChoiceField(
        label=_("诉求是否已解决"),
        choices=YES_NO,
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择诉求是否已解决")},
    )


class ExtensionRequestForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    days = forms.IntegerField(
        label=_("申请延期工作日"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        error_messages={"required": _("请填写延期天数")},
    )
    reason = _text(_("延期理由"))


class LongTermForm(ServiceErrorFormMixin, forms.Form):
    last_step = _last_step()
    plan = _text(_("挂账办理计划"), rows=4, help_text=_("不能在时限内解决的，写明办理计划和阶段目标"))
    plan_due = forms.DateField(
        label=_("计划完成日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": _("请选择计划完成日期"), "invalid": _("请输入正确的日期")},
    )
