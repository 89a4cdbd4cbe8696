"""Screens of the ten lists: the public pages (no sign-in) with their Excel export, and the admin's
screen to adjust membership by hand, preview and publish editions. Thin: read, call, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.catalog import list_selectors, lists, policies
from yichuang.catalog.models import ItemList, ListAdjustmentAction, ListMembership, ServiceItem
from yichuang.core.errors import ApplicationError, NotFoundError


class AdjustmentForm(ServiceErrorFormMixin, forms.Form):
    item_id = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=gettext_lazy("操作"), choices=ListAdjustmentAction.choices)
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=500)


class PublishForm(ServiceErrorFormMixin, forms.Form):
    effective_date = forms.DateField(
        label=gettext_lazy("施行日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=gettext_lazy("发布说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ListSettingsForm(ServiceErrorFormMixin, forms.Form):
    membership = forms.ChoiceField(
        label=gettext_lazy("成员方式"), choices=ListMembership.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def guide_url(item_id: int) -> str:
    try:
        return reverse("catalog:guide_detail", args=[item_id])
    except NoReverseMatch:  # the guides screens are not wired in yet
        return f"/guides/{item_id}/"


def _rows(entries: list) -> list[dict]:
    return [
        {
            "entry": entry,
            "version": entry.item_version,
            "department": entry.item.department.name,
            "promised": list_selectors.promised_label(
                case_kind=entry.item_version.case_kind, promised_days=entry.item_version.promised_days
            ),
            "guide_url": guide_url(entry.item_id),
        }
        for entry in entries
    ]


# ——— public ———


@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/list_index.html", {"summaries": list_selectors.item_list_index()})


def _show(request: HttpRequest, kind: str, number: int | None) -> HttpResponse:
    item_list = list_selectors.item_list_get(kind=kind)
    version = list_selectors.item_list_version_get(item_list=item_list, number=number)
    rows = _rows(list(list_selectors.item_list_entries(version=version))) if version else []
    context = {
        "item_list": item_list,
        "version": version,
        "rows": rows,
        "versions": list(list_selectors.item_list_versions(item_list=item_list)),
        "is_latest": number is None,
        "not_yet_effective": bool(version and version.effective_date > timezone.localdate()),
    }
    return render(request, "catalog/list_detail.html", context)


@require_GET
def list_detail(request: HttpRequest, kind: str) -> HttpResponse:
    return _show(request, kind, None)


@require_GET
def list_version(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    return _show(request, kind, number)


@require_GET
def list_export(request: HttpRequest, kind: str, number: int) -> HttpResponse:
    item_list = list_selectors.item_list_get(kind=kind)
    version = list_selectors.item_list_version_get(item_list=item_list, number=number)
    assert version is not None
    response = HttpResponse(
        list_selectors.item_list_version_xlsx(version=version),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{item_list.kind}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ——— admin ———


@login_required
@require_GET
def list_manage(request: HttpRequest) -> HttpResponse:
    policies.require_can_manage(request.user)
    rows = []
    for summary in list_selectors.item_list_index():
        preview = lists.item_list_preview(item_list=summary.item_list)
        rows.append(
            {
                "item_list": summary.item_list,
                "latest": summary.latest,
                "preview": preview,
                "adjustments": summary.item_list.adjustments.count(),
            }
        )
    return render(request, "catalog/list_manage.html", {"rows": rows})


def _manage_page(
    request: HttpRequest,
    item_list: ItemList,
    *,
    adjustment_form: AdjustmentForm | None = None,
    publish_form: PublishForm | None = None,
    settings_form: ListSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.get("q", "")
    context = {
        "item_list": item_list,
        "rule": lists.LIST_RULES[item_list.kind],
        "preview": lists.item_list_preview(item_list=item_list),
        "adjustments": list(list_selectors.item_list_adjustments(item_list=item_list)),
        "query": query,
        "candidates": list(list_selectors.list_item_search(query=query)),
        "adjustment_form": adjustment_form
        or AdjustmentForm(initial={"action": ListAdjustmentAction.INCLUDE}),
        "publish_form": publish_form or PublishForm(initial={"effective_date": timezone.localdate()}),
        "settings_form": settings_form
        or ListSettingsForm(
            initial={"membership": item_list.membership, "description": item_list.description}
        ),
        "adjust_actions": ListAdjustmentAction.choices,
    }
    return render(request, "catalog/list_manage_detail.html", context, status=status)


@login_required
@require_GET
def list_manage_detail(request: HttpRequest, kind: str) -> HttpResponse:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    if request.htmx and "q" in request.GET:  # type: ignore[attr-defined]
        query = request.GET.get("q", "")
        candidates = list(list_selectors.list_item_search(query=query))
        return render(
            request,
            "catalog/_list_picker.html",
            {
                "item_list": item_list,
                "query": query,
                "candidates": candidates,
                "adjust_actions": ListAdjustmentAction.choices,
            },
        )
    return _manage_page(request, item_list)


def _manage_url(item_list: ItemList) -> str:
    return reverse("catalog:list_manage_detail", args=[item_list.kind])


@login_required
@require_POST
def list_manage_adjust(request: HttpRequest, kind: str) -> HttpResponse:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        item = ServiceItem.objects.filter(pk=form.cleaned_data["item_id"]).first()
        try:
            if item is None:
                raise NotFoundError("未找到该事项")
            adjustment = lists.item_list_adjust(
                actor=request.user,
                item_list=item_list,
                item=item,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("已%(action)s：%(item)s") % {"action": adjustment.get_action_display(), "item": item},
            )
            return redirect(_manage_url(item_list))
    return _manage_page(request, item_list, adjustment_form=form, status=400)


@login_required
@require_POST
def list_manage_adjustment_remove(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    item = ServiceItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFoundError("未找到该事项")
    lists.item_list_adjustment_remove(actor=request.user, item_list=item_list, item=item)
    messages.success(request, _("已撤销对“%(item)s”的手工调整") % {"item": item})
    return redirect(_manage_url(item_list))


@login_required
@require_POST
def list_manage_update(request: HttpRequest, kind: str) -> HttpResponse:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    form = ListSettingsForm(request.POST)
    if form.is_valid():
        try:
            lists.item_list_update(actor=request.user, item_list=item_list, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存清单设置"))
            return redirect(_manage_url(item_list))
    return _manage_page(request, item_list, settings_form=form, status=400)


@login_required
@require_POST
def list_manage_publish(request: HttpRequest, kind: str) -> HttpResponse:
    policies.require_can_manage(request.user)
    item_list = list_selectors.item_list_get(kind=kind)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            version = lists.item_list_publish(actor=request.user, item_list=item_list, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("已发布%(name)s第%(number)s版，共%(count)s项")
                % {"name": item_list.name, "number": version.number, "count": version.item_count},
            )
            return redirect(_manage_url(item_list))
    return _manage_page(request, item_list, publish_form=form, status=400)
