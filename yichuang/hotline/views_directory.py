"""The hotline office's screens for dispatch (``hotline.dispatch``): the dispatch directory (list with
filters and a "who gets it" check, add, change, stop and resume an entry) and the dispatch classifier
(versions with their accuracy, retraining from the closed tickets or a labelled file, switching the version
in use, and trying a text).

Thin: read the request, call ``directory``/``classifier``, render; POST-redirect-GET. A service's
ApplicationError is shown on the form in its own words; permission and not-found errors go to the error
middleware (403/404).
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.permissions import require_capability
from yichuang.hotline import classifier, directory
from yichuang.hotline.models_classifier import ClassifierSource, TrainedClassifier
from yichuang.hotline.models_taxonomy import DirectoryEntry, HotlineCategory

CAPABILITY = "hotline.dispatch"
PAGE_SIZE = 50
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


def _require(request: HttpRequest) -> None:
    require_capability(request.user, CAPABILITY, _("只有12345热线办公室可以维护派单目录和派单分类模型"))


# ——— forms ———


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.path)


class DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DepartmentsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _departments() -> Any:
    return Department.objects.filter(is_active=True).order_by("path")


class DirectoryFilterForm(forms.Form):
    category = CategoryChoice(
        label=gettext_lazy("分类"),
        queryset=HotlineCategory.objects.filter(level__lte=2).order_by("path"),
        required=False,
        empty_label=gettext_lazy("全部分类"),
        help_text=gettext_lazy("含其下级分类"),
    )
    division_code = forms.CharField(
        label=gettext_lazy("区划代码"),
        required=False,
        max_length=12,
        help_text=gettext_lazy("精确匹配；填 * 只看全域条目"),
    )
    lead = DepartmentChoice(
        label=gettext_lazy("主办单位"),
        queryset=Department.objects.order_by("path"),
        required=False,
        empty_label=gettext_lazy("全部单位"),
    )
    inactive = forms.BooleanField(label=gettext_lazy("含已停用的条目"), required=False)


class LookupForm(forms.Form):
    """“这类诉求派给谁”: the directory's answer for a category in a place."""

    path = forms.CharField(label=gettext_lazy("分类路径"), max_length=200, required=False)
    place = forms.CharField(label=gettext_lazy("事发地区划代码"), max_length=12, required=False)


class DirectoryEntryForm(ServiceErrorFormMixin, forms.Form):
    category = CategoryChoice(label=gettext_lazy("分类"), queryset=HotlineCategory.objects.none())
    division_code = forms.CharField(
        label=gettext_lazy("行政区划代码"),
        required=False,
        max_length=12,
        help_text=gettext_lazy(
            "留空为全域；或2位（省）、4位（盟市）、6位（旗县）、9位（苏木乡镇）、12位（嘎查村）"
        ),
    )
    lead = DepartmentChoice(label=gettext_lazy("主办单位"), queryset=Department.objects.none())
    co_handlers = DepartmentsChoice(
        label=gettext_lazy("协办单位"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("按住 Ctrl 可多选"),
    )
    basis = forms.CharField(
        label=gettext_lazy("依据（职责清单）"),
        required=False,
        max_length=directory.BASIS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, entry: DirectoryEntry | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = Q(is_active=True)
        departments = Q(is_active=True)
        if entry is not None:  # what the entry names stays selectable even if no longer in use
            categories |= Q(pk=entry.category_id)
            departments |= Q(pk=entry.lead_id) | Q(pk__in=[d.pk for d in entry.co_handlers.all()])
        self.fields["category"].queryset = HotlineCategory.objects.filter(categories).order_by("path")  # type: ignore[attr-defined]
        self.fields["lead"].queryset = Department.objects.filter(departments).order_by("path")  # type: ignore[attr-defined]
        self.fields["co_handlers"].queryset = Department.objects.filter(departments).order_by("path")  # type: ignore[attr-defined]


class TrainForm(ServiceErrorFormMixin, forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("训练数据"),
        choices=ClassifierSource.choices,
        initial=ClassifierSource.TICKETS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("标注留言文件"),
        required=False,
        help_text=gettext_lazy(
            "UTF-8 编码的 CSV，含列 留言主题、留言详情、一级标签（选“标注留言文件”时上传）"
        ),
    )
    max_level = forms.TypedChoiceField(
        label=gettext_lazy("类别最细到"),
        choices=[(3, gettext_lazy("三级分类")), (2, gettext_lazy("二级分类")), (1, gettext_lazy("一级分类"))],
        coerce=int,
        initial=3,
        help_text=gettext_lazy("样本少于5条的类别并入上级分类"),
    )
    activate = forms.BooleanField(label=gettext_lazy("训练完成后启用新版本"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if data.get("source") == ClassifierSource.FILE:
            if upload is None:
                self.add_error("file", _("请上传标注留言文件"))
            elif upload.size > UPLOAD_MAX_BYTES:
                self.add_error("file", _("文件不能超过20MB"))
        return data


class TryForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("诉求内容"),
        max_length=classifier.TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    division_code = forms.CharField(label=gettext_lazy("事发地区划代码"), required=False, max_length=12)


# ——— the directory ———


@login_required
@require_GET
def directory_list(request: HttpRequest) -> HttpResponse:
    """派单目录: entries by category (with the categories below it), division and lead department."""
    _require(request)
    form = DirectoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = directory.directory_entries(
        category=data.get("category"),
        division_code=(data.get("division_code") or "").strip(),
        lead=data.get("lead"),
        include_inactive=bool(data.get("inactive")),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lookup_form = LookupForm(request.GET or None, prefix="lookup")
    lookup: dict[str, Any] | None = None
    if lookup_form.is_bound and lookup_form.is_valid() and lookup_form.cleaned_data.get("path"):
        path = lookup_form.cleaned_data["path"].strip()
        lookup = {"path": path, "match": directory.directory_lookup(path, lookup_form.cleaned_data["place"])}
    query = urlencode([(key, value) for key, value in request.GET.items() if key != "page" and value])
    context = {
        "form": form,
        "lookup_form": lookup_form,
        "lookup": lookup,
        "page": page,
        "query": query,
        "form_invalid": form.is_bound and not form.is_valid(),
    }
    return render(request, "hotline/directory_list.html", context)


def _entry_form_page(
    request: HttpRequest, form: DirectoryEntryForm, entry: DirectoryEntry | None, status: int = 200
) -> HttpResponse:
    return render(request, "hotline/directory_form.html", {"form": form, "entry": entry}, status=status)


def _save_entry(request: HttpRequest, form: DirectoryEntryForm, entry: DirectoryEntry | None) -> HttpResponse:
    if not form.is_valid():
        return _entry_form_page(request, form, entry, status=400)
    data = form.cleaned_data
    values = {
        "category": data["category"],
        "division_code": data.get("division_code") or "",
        "lead": data["lead"],
        "co_handlers": list(data.get("co_handlers") or []),
        "basis": data.get("basis") or "",
    }
    try:
        if entry is None:
            saved = directory.directory_entry_create(actor=request.user, **values)
            messages.success(request, _("派单目录条目已新增"))
        else:
            saved = directory.directory_entry_update(actor=request.user, entry=entry, **values)
            messages.success(request, _("派单目录条目已保存"))
    except ApplicationError as error:
        if error.status == 403:
            raise
        form.add_service_error(error)
        return _entry_form_page(request, form, entry, status=error.status)
    return redirect(f"{_list_url()}?{urlencode({'category': saved.category_id, 'inactive': 'on'})}")


def _list_url() -> str:
    return reverse("hotline:directory_list")


def _back(request: HttpRequest) -> str:
    """Back to the list as it was filtered (a local address only)."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if target and allowed else _list_url()


@login_required
@require_http_methods(["GET", "POST"])
def directory_new(request: HttpRequest) -> HttpResponse:
    _require(request)
    if request.method == "POST":
        return _save_entry(request, DirectoryEntryForm(request.POST), None)
    initial: dict[str, Any] = {}
    category_id = request.GET.get("category", "")
    if category_id.isdigit():
        initial["category"] = int(category_id)
    return _entry_form_page(request, DirectoryEntryForm(initial=initial), None)


@login_required
@require_http_methods(["GET", "POST"])
def directory_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    _require(request)
    entry = directory.directory_entry_get(entry_id)
    if request.method == "POST":
        return _save_entry(request, DirectoryEntryForm(request.POST, entry=entry), entry)
    initial = {
        "category": entry.category_id,
        "division_code": entry.division_code,
        "lead": entry.lead_id,
        "co_handlers": [d.pk for d in entry.co_handlers.all()],
        "basis": entry.basis,
    }
    return _entry_form_page(request, DirectoryEntryForm(initial=initial, entry=entry), entry)


@login_required
@require_POST
def directory_deactivate(request: HttpRequest, entry_id: int) -> HttpResponse:
    _require(request)
    entry = directory.directory_entry_get(entry_id)
    try:
        directory.directory_entry_deactivate(
            actor=request.user, entry=entry, reason=request.POST.get("reason", "")[:200]
        )
    except ApplicationError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已停用：%(path)s") % {"path": entry.category.path})
    return redirect(_back(request))


@login_required
@require_POST
def directory_activate(request: HttpRequest, entry_id: int) -> HttpResponse:
    _require(request)
    entry = directory.directory_entry_get(entry_id)
    try:
        directory.directory_entry_activate(actor=request.user, entry=entry)
    except ApplicationError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已重新启用：%(path)s") % {"path": entry.category.path})
    return redirect(_back(request))


# ——— the classifier ———


def _classifier_page(
    request: HttpRequest,
    *,
    train_form: TrainForm | None = None,
    try_form: TryForm | None = None,
    suggestion: classifier.Suggestion | None = None,
    try_error: str = "",
    status: int = 200,
) -> HttpResponse:
    versions = TrainedClassifier.objects.defer("model").select_related("trained_by").order_by("-version")
    context = {
        "versions": versions,
        "active": next((v for v in versions if v.is_active), None),
        "train_form": train_form or TrainForm(),
        "try_form": try_form or TryForm(),
        "suggestion": suggestion,
        "try_error": try_error,
    }
    return render(request, "hotline/directory_classifier.html", context, status=status)


@login_required
@require_GET
def classifier_list(request: HttpRequest) -> HttpResponse:
    """派单分类模型: the versions, the one in use, retraining and a text to try."""
    _require(request)
    return _classifier_page(request)


@login_required
@require_POST
def classifier_train(request: HttpRequest) -> HttpResponse:
    """Retrain (synchronously: about ten seconds for a thousand messages)."""
    _require(request)
    form = TrainForm(request.POST, request.FILES)
    if not form.is_valid():
        return _classifier_page(request, train_form=form, status=400)
    data = form.cleaned_data
    try:
        if data["source"] == ClassifierSource.FILE:
            upload = data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ApplicationError(_("文件应为 UTF-8 编码"), fields={"file": [_("编码不正确")]}) from exc
            pairs: Any = classifier.training_pairs_read(io.StringIO(text, newline=""))
            label = str(upload.name)[:200]
        else:
            pairs = classifier.training_pairs_from_tickets()
            label = _("已办结工单")
        row = classifier.classifier_train(
            pairs=pairs,
            source=data["source"],
            source_label=label,
            actor=request.user,
            activate=bool(data.get("activate")),
            max_level=data["max_level"],
        )
    except ApplicationError as error:
        if error.status == 403:
            raise
        form.add_service_error(error)
        return _classifier_page(request, train_form=form, status=error.status)
    if row.accuracy is not None:
        messages.success(
            request,
            _("已训练 v%(version)s：%(n)s 条样本，留出检验首选准确率 %(accuracy).1f%%")
            % {"version": row.version, "n": row.training_size, "accuracy": row.accuracy * 100},
        )
    else:
        messages.success(request, _("已训练 v%(version)s") % {"version": row.version})
    return redirect("hotline:classifier_list")


@login_required
@require_POST
def classifier_activate(request: HttpRequest, classifier_id: int) -> HttpResponse:
    _require(request)
    row = TrainedClassifier.objects.defer("model").filter(pk=classifier_id).first()
    if row is None:
        raise NotFoundError(_("未找到该模型版本"))
    try:
        classifier.classifier_activate(actor=request.user, classifier=row)
    except ApplicationError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已启用 v%(version)s") % {"version": row.version})
    return redirect("hotline:classifier_list")


@login_required
@require_POST
def classifier_try(request: HttpRequest) -> HttpResponse:
    """The suggestion for a text, as the operator's screen would get it."""
    _require(request)
    form = TryForm(request.POST)
    if not form.is_valid():
        return _classifier_page(request, try_form=form, status=400)
    try:
        suggestion = classifier.suggest(
            form.cleaned_data["text"], form.cleaned_data.get("division_code") or ""
        )
    except ApplicationError as error:
        if error.status == 403:
            raise
        return _classifier_page(request, try_form=form, try_error=error.message, status=error.status)
    return _classifier_page(request, try_form=form, suggestion=suggestion)
