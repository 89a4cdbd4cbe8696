"""The knowledge base's screens: the list with search and filters, an article with its versions and the
difference of each from the one before, the editors' forms (new, revise, publish, retire), the stale
articles, and the live search the operator's intake screen includes.

Thin: read the request, call ``knowledge``/``knowledge_search``, render. Any staff member reads the
published articles; the editors (``hotline.knowledge``) see and change all of them. A service's
ApplicationError is shown on the form in its own words; permission and not-found errors go to the error
middleware (403/404).

The live search (``GET /hotline/knowledge/search/?q=``) returns the partial
``hotline/partials/knowledge_results.html``. The intake screen requests it on keyup with a delay and passes
``offer`` (a token of that screen, see ``knowledge.knowledge_shown``), ``category`` and ``department``
when it knows them; what it shows an operator counts as offered. Each hit's "采用" button posts to
``knowledge_use`` with the screen's ``ticket_ref`` if there is one; the answer comes back with the
``knowledge-used`` htmx event (``{"id", "question", "answer"}``) for the screen to fill its reply.
"""

from __future__ import annotations

import json
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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.accounts.models import Department
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.permissions import has_capability
from yichuang.hotline import knowledge
from yichuang.hotline.knowledge_search import KnowledgeResults, knowledge_search
from yichuang.hotline.models_knowledge import KnowledgeArticle, KnowledgeSource, KnowledgeStatus
from yichuang.hotline.models_taxonomy import HotlineCategory

PAGE_SIZE = 20
LIVE_RESULTS = 5
LIVE_MAX = 10

# ——— forms ———


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.path)


class DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ArticleForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("问题"),
        max_length=knowledge.MAX_QUESTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("群众怎么问：第一行是标题，可以另起一行补充常见的问法"),
    )
    answer = forms.CharField(
        label=gettext_lazy("答复口径"),
        max_length=knowledge.MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    category = CategoryChoice(
        label=gettext_lazy("分类"),
        queryset=HotlineCategory.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不分类）"),
    )
    department = DepartmentChoice(
        label=gettext_lazy("答复部门"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无）"),
    )
    source_kind = forms.ChoiceField(label=gettext_lazy("来源"), choices=KnowledgeSource.choices)
    source_reference = forms.CharField(
        label=gettext_lazy("来源说明"),
        max_length=knowledge.MAX_REFERENCE,
        required=False,
        help_text=gettext_lazy("文件名称和文号，或答复的部门和日期"),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("政策有期限的填写；过期后不再推送给话务员"),
    )
    note = forms.CharField(label=gettext_lazy("修订说明"), max_length=knowledge.MAX_NOTE, required=False)
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, article: KnowledgeArticle | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The article's own category and department stay choosable even when no longer active, so that
        # the service can say why they must change.
        category = Q(is_active=True) | Q(pk=article.category_id if article else None)
        department = Q(is_active=True) | Q(pk=article.department_id if article else None)
        self.fields["category"].queryset = HotlineCategory.objects.filter(category).order_by("path")  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.filter(department).order_by("path")  # type: ignore[attr-defined]

    def add_service_error(self, error: ApplicationError) -> None:
        placed = False
        for name, problems in error.fields.items():
            if name in self.fields:
                for problem in problems:
                    self.add_error(name, problem)
                placed = True
        if not placed:
            self.add_error(None, error.message)


def _initial(article: KnowledgeArticle) -> dict[str, Any]:
    return {
        "question": article.question,
        "answer": article.answer,
        "category": article.category_id,
        "department": article.department_id,
        "source_kind": article.source_kind,
        "source_reference": article.source_reference,
        "valid_until": article.valid_until,
        "base_version": article.version,
    }


# ——— helpers ———


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


def _filters_query(request: HttpRequest, *, drop: tuple[str, ...] = ("page",)) -> str:
    return urlencode([(key, value) for key, value in request.GET.items() if key not in drop and value])


def _categories() -> Any:
    return HotlineCategory.objects.filter(is_active=True).order_by("path")


def _departments() -> Any:
    """Departments that answer articles, for the filter."""
    return Department.objects.filter(hotline_knowledge_articles__isnull=False).distinct().order_by("path")


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# ——— list and search ———


@login_required
@require_GET
def knowledge_list(request: HttpRequest) -> HttpResponse:
    """知识库: search (question first, then answer) or browse, by category, department and — for the
    editors — status; 采用率 of each article and overall."""
    user = request.user
    knowledge.require_read(user)
    editor = knowledge.may_edit(user)
    query = request.GET.get("q", "").strip()
    category_id = _int(request.GET.get("category"))
    department_id = _int(request.GET.get("department"))
    status = request.GET.get("status", "") if editor else ""
    if status not in KnowledgeStatus.values:
        status = ""
    page_number = _int(request.GET.get("page")) or 1
    error = ""
    results: KnowledgeResults | None = None
    page: Any = None
    if query:
        statuses = (
            [status] if status else (list(KnowledgeStatus.values) if editor else [KnowledgeStatus.PUBLISHED])
        )
        try:
            results = knowledge_search(
                query=query,
                limit=PAGE_SIZE,
                offset=(page_number - 1) * PAGE_SIZE,
                category_id=category_id,
                department_id=department_id,
                statuses=statuses,
                current_only=not editor,
            )
        except ApplicationError as exc:
            error = exc.message
        articles = results.articles if results else []
    else:
        page = Paginator(
            knowledge.knowledge_list(
                user=user, status=status, category_id=category_id, department_id=department_id
            ),
            PAGE_SIZE,
        ).get_page(page_number)
        articles = list(page)
    now = timezone.now()
    rows = [
        {
            "article": article,
            "hit": results.hits[n] if results else None,
            "rate": _percent(article.adoption_rate),
            "stale": [
                knowledge.STALE_LABELS[code] for code in knowledge.knowledge_stale_reasons(article, now=now)
            ]
            if article.status == KnowledgeStatus.PUBLISHED
            else [],
        }
        for n, article in enumerate(articles)
    ]
    base = reverse("hotline:knowledge_list")
    filters = _filters_query(request)

    def link(number: int) -> str:
        return (
            base
            + "?"
            + urlencode([*[(k, v) for k, v in request.GET.items() if k != "page" and v], ("page", number)])
        )

    context = {
        "query": query,
        "results": results,
        "page": page,
        "rows": rows,
        "error": error,
        "editor": editor,
        "status": status,
        "category_id": category_id,
        "department_id": department_id,
        "filters": filters,
        "previous_url": link(page_number - 1) if results and results.has_previous else "",
        "next_url": link(page_number + 1) if results and results.has_next else "",
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "hotline/knowledge_list_results.html", context)
    adoption = knowledge.knowledge_adoption()
    context.update(
        {
            "statuses": KnowledgeStatus.choices,
            "categories": _categories(),
            "departments": _departments(),
            "adoption": adoption,
            "adoption_rate": _percent(adoption.rate),
            "stale_count": knowledge.knowledge_stale_list(user=user).count() if editor else None,
        }
    )
    return render(request, "hotline/knowledge_list.html", context)


@login_required
@require_GET
def knowledge_search_partial(request: HttpRequest) -> HttpResponse:
    """The live search of the intake screen: the best published, current articles for what the operator
    is typing. What an operator (``hotline.intake``) is shown counts as offered, once per ``offer`` key."""
    user = request.user
    knowledge.require_read(user)
    query = request.GET.get("q", "").strip()
    limit = min(_int(request.GET.get("limit")) or LIVE_RESULTS, LIVE_MAX)
    offer = request.GET.get("offer", "").strip()
    error = ""
    results: KnowledgeResults | None = None
    if query:
        try:
            results = knowledge_search(
                query=query,
                limit=limit,
                category_id=_int(request.GET.get("category")),
                department_id=_int(request.GET.get("department")),
            )
        except ApplicationError as exc:
            error = exc.message
    may_use = has_capability(user, "hotline.intake")
    if results and results.hits and may_use:
        knowledge.knowledge_shown([hit.article.pk for hit in results.hits], actor=user, offer_key=offer)
    context = {
        "query": query,
        "results": results,
        "error": error,
        "may_use": may_use,
        "rows": [
            {"hit": hit, "rate": _percent(hit.article.adoption_rate)}
            for hit in (results.hits if results else [])
        ],
    }
    return render(request, "hotline/partials/knowledge_results.html", context)


# ——— an article ———


@login_required
@require_GET
def knowledge_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    user = request.user
    article = knowledge.knowledge_get(user=user, article_id=article_id)
    return _detail_page(request, article)


def _detail_page(
    request: HttpRequest,
    article: KnowledgeArticle,
    *,
    error: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    editor = knowledge.may_edit(user)
    transitions = knowledge.TRANSITIONS[article.status]
    context = {
        "article": article,
        "versions": knowledge.knowledge_versions(article),
        "stale": [knowledge.STALE_LABELS[code] for code in knowledge.knowledge_stale_reasons(article)]
        if article.status == KnowledgeStatus.PUBLISHED
        else [],
        "rate": _percent(article.adoption_rate),
        "editor": editor,
        "may_revise": editor and article.status in knowledge.EDITABLE,
        "may_publish": editor and KnowledgeStatus.PUBLISHED in transitions,
        "may_retire": editor and KnowledgeStatus.RETIRED in transitions,
        "may_use": has_capability(user, "hotline.intake") and article.status == KnowledgeStatus.PUBLISHED,
        "error": error,
    }
    return render(request, "hotline/knowledge_detail.html", context, status=status)


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "question": data.get("question") or "",
        "answer": data.get("answer") or "",
        "category": data.get("category"),
        "department": data.get("department"),
        "source_kind": data.get("source_kind") or "",
        "source_reference": data.get("source_reference") or "",
        "valid_until": data.get("valid_until"),
        "note": data.get("note") or "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    knowledge.require_edit(user)
    form = ArticleForm(request.POST or None, initial={"source_kind": KnowledgeSource.HOTLINE})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                article = knowledge.knowledge_create(actor=user, **_content(form.cleaned_data))
            except ApplicationError as exc:
                if exc.status == 403:
                    raise
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已保存为草稿，发布后话务员即可查到"))
                return redirect("hotline:knowledge_detail", article.pk)
    context = {"form": form, "article": None, "title": _("新建知识")}
    return render(request, "hotline/knowledge_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    """修订: the form saves a new version (the article keeps its status)."""
    user = request.user
    knowledge.require_edit(user)
    article = knowledge.knowledge_get(user=user, article_id=article_id)
    if article.status not in knowledge.EDITABLE:
        return _detail_page(
            request, article, error=ConflictError(_("已停用的文章不能修订，如需恢复请新建文章")), status=409
        )
    form = ArticleForm(request.POST or None, initial=_initial(article), article=article)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                article = knowledge.knowledge_revise(
                    actor=user,
                    article=article,
                    base_version=form.cleaned_data.get("base_version"),
                    **_content(form.cleaned_data),
                )
            except ApplicationError as exc:
                if exc.status == 403:
                    raise
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, _("已保存为第%(version)s版") % {"version": article.version})
                return redirect("hotline:knowledge_detail", article.pk)
    context = {"form": form, "article": article, "title": _("修订知识")}
    return render(request, "hotline/knowledge_form.html", context, status=status)


@login_required
@require_POST
def knowledge_publish(request: HttpRequest, article_id: int) -> HttpResponse:
    user = request.user
    knowledge.require_edit(user)
    article = knowledge.knowledge_get(user=user, article_id=article_id)
    try:
        knowledge.knowledge_publish(actor=user, article=article)
    except ConflictError as exc:
        return _detail_page(request, article, error=exc, status=exc.status)
    messages.success(request, _("已发布"))
    return redirect("hotline:knowledge_detail", article.pk)


@login_required
@require_POST
def knowledge_retire(request: HttpRequest, article_id: int) -> HttpResponse:
    user = request.user
    knowledge.require_edit(user)
    article = knowledge.knowledge_get(user=user, article_id=article_id)
    try:
        knowledge.knowledge_retire(actor=user, article=article, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        if exc.status == 403:
            raise
        return _detail_page(request, article, error=exc, status=exc.status)
    messages.success(request, _("已停用，不再推送给话务员"))
    return redirect("hotline:knowledge_detail", article.pk)


@login_required
@require_POST
def knowledge_use(request: HttpRequest, article_id: int) -> HttpResponse:
    """An operator answered with this article. From the live search (htmx): a mark in place of the button
    and the ``knowledge-used`` event with the answer; from the article's page: back to it."""
    user = request.user
    knowledge.require_read(user)
    article = knowledge.knowledge_get(user=user, article_id=article_id)
    htmx = getattr(request, "htmx", None)
    try:
        knowledge.knowledge_used(article, user, request.POST.get("ticket_ref", ""))
    except ConflictError as exc:
        if htmx:
            return render(request, "core/_error_fragment.html", {"error": exc}, status=exc.status)
        return _detail_page(request, article, error=exc, status=exc.status)
    if htmx:
        response = HttpResponse(f'<span class="tag" data-used="{article.pk}">{_("已采用")}</span>')
        event = {"id": article.pk, "question": article.title, "answer": article.answer}
        response["HX-Trigger"] = json.dumps({"knowledge-used": event})  # ASCII-escaped: headers are Latin-1
        return response
    messages.success(request, _("已记录采用"))
    return redirect("hotline:knowledge_detail", article.pk)


@login_required
@require_GET
def knowledge_version(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    """One version, and what changed from the one before it."""
    user = request.user
    article = knowledge.knowledge_get(user=user, article_id=article_id)
    diff = knowledge.knowledge_version_diff(article, number)
    context = {"article": article, "version": diff.version, "diff": diff, "editor": knowledge.may_edit(user)}
    return render(request, "hotline/knowledge_version.html", context)


@login_required
@require_GET
def knowledge_stale(request: HttpRequest) -> HttpResponse:
    """待复核: published articles past their validity, not revised for a year, or answered by a
    deactivated department."""
    user = request.user
    knowledge.require_edit(user)
    now = timezone.now()
    page = Paginator(knowledge.knowledge_stale_list(user=user, now=now), PAGE_SIZE).get_page(
        _int(request.GET.get("page")) or 1
    )
    rows = [
        {
            "article": article,
            "reasons": [
                knowledge.STALE_LABELS[code] for code in knowledge.knowledge_stale_reasons(article, now=now)
            ],
            "rate": _percent(article.adoption_rate),
        }
        for article in page
    ]
    context = {"page": page, "rows": rows, "stale_days": knowledge.STALE_AFTER_DAYS, "query": ""}
    return render(request, "hotline/knowledge_stale.html", context)
