"""Screens of the language machinery: the switcher's target, the report of missing translations, and the
admin's screen of the Mongolian texts of content."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.i18n import content, selectors, spreadsheet
from yichuang.core.i18n.languages import MONGOLIAN, language_choices, supported_language
from yichuang.core.i18n.report import missing_translations
from yichuang.core.i18n.services import (
    TRANSLATE_CAPABILITY,
    content_translations_import,
    content_translations_save,
    user_language_set,
)
from yichuang.core.permissions import require_capability
from yichuang.core.xlsx import xlsx_response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, back to ``next``); a logged-in user's choice is also stored on
    the user, so it follows him to other browsers."""
    response = django_set_language(request)
    language = supported_language(request.POST.get(LANGUAGE_QUERY_PARAMETER))
    if language and request.user.is_authenticated:
        user_language_set(actor=request.user, user=request.user, language=language)
    return response


@login_required
def missing_report(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "i18n.report", "只有政数局管理员可以查看翻译缺失报告")
    translated = [(code, name) for code, name in language_choices() if code != settings.LANGUAGE_CODE]
    language = supported_language(request.GET.get("language")) or (translated[0][0] if translated else "")
    report = missing_translations(language=language) if language else None
    return render(
        request,
        "core/i18n_missing.html",
        {"report": report, "languages": translated, "language": language},
    )


# ---------------------------------------------------------------------------------------------------------
# Mongolian texts of content: the admin's screen (list, one object's form, Excel out and in)

PAGE_SIZE = 40


def _language(request: HttpRequest) -> str:
    return supported_language(request.GET.get("language") or request.POST.get("language")) or MONGOLIAN


def _translate_allowed(request: HttpRequest) -> None:
    require_capability(request.user, TRANSLATE_CAPABILITY, _("只有政数局管理员可以维护蒙古文内容"))


@login_required
@require_GET
def content_list(request: HttpRequest) -> HttpResponse:
    """What content there is to translate, per kind, with what is missing or 待更新 first."""
    _translate_allowed(request)
    language = _language(request)
    kind = request.GET.get("kind", "")
    labels = content.kind_labels()
    if kind not in labels:
        kind = ""
    state = request.GET.get("state", "")
    if state not in content.STATES:
        state = ""
    query = request.GET.get("q", "").strip()[:100]
    every = selectors.content_objects(language=language)
    chosen = selectors.filter_objects(
        [row for row in every if not kind or row.obj.kind == kind], state=state, query=query
    )
    page = Paginator(chosen, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = urlencode(
        {name: value for name, value in (("kind", kind), ("state", state), ("q", query)) if value}
    )
    return render(
        request,
        "core/i18n_content_list.html",
        {
            "summary": selectors.content_summary(every),
            "page": page,
            "rows": [
                {"row": row, "kind_label": labels[row.obj.kind], "url": _edit_url(row.obj.kind, row.obj.key)}
                for row in page
            ],
            "kind": kind,
            "state": state,
            "query": query,
            "kinds": labels,
            "states": [(code, content.STATE_LABELS[code]) for code in content.STATES],
            "filters": filters,
            "import_result": request.session.pop(IMPORT_RESULT_KEY, None),
        },
    )


def _edit_url(kind: str, key: str) -> str:
    return f"{reverse('core:i18n_content_edit')}?{urlencode({'kind': kind, 'key': key})}"


@login_required
def content_edit(request: HttpRequest) -> HttpResponse:
    """One object's fields: the Chinese (and, when 待更新, the Chinese the translation was made from) beside a
    field for the Mongolian. Saving stores every changed field at once, or none if one is wrong."""
    _translate_allowed(request)
    kind = (request.POST.get("kind") or request.GET.get("kind", ""))[:20]
    key = (request.POST.get("key") or request.GET.get("key", ""))[:100]
    language = _language(request)
    row = selectors.content_object(kind=kind, key=key, language=language)
    if row is None:
        raise NotFoundError(_("未找到要翻译的内容：它可能已被删除或改名"))
    errors: dict[str, list[str]] = {}
    entered: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        entries = [
            (each.field.field, request.POST.get(f"text-{index}", ""), request.POST.get(f"hash-{index}", ""))
            for index, each in enumerate(row.fields)
            if f"text-{index}" in request.POST
        ]
        try:
            result = content_translations_save(
                actor=request.user, kind=kind, key=key, entries=entries, language=language
            )
        except ApplicationError as error:
            if error.status in (403, 404):
                raise
            errors, status = error.fields, 400
            entered = {field: text for field, text, _hash in entries}
            messages.error(request, error.message)
        else:
            if result.changed:
                messages.success(request, _("已保存 %(n)d 条译文") % {"n": result.changed})
            else:
                messages.info(request, _("没有修改"))
            return redirect(_edit_url(kind, key))
    fields = [
        {
            "index": index,
            "row": each,
            "value": entered.get(each.field.field, each.text),
            "errors": errors.get(each.field.field, []),
        }
        for index, each in enumerate(row.fields)
    ]
    return render(
        request,
        "core/i18n_content_edit.html",
        {
            "row": row,
            "fields": fields,
            "kind_label": content.kind_labels().get(kind, kind),
            "language": language,
        },
        status=status,
    )


@login_required
@require_GET
def content_export(request: HttpRequest) -> HttpResponse:
    """The fields (of a kind, in a state) as an Excel workbook for translators."""
    _translate_allowed(request)
    language = _language(request)
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    objects = selectors.content_objects(language=language, kind=kind or None)
    if state in content.STATES:
        objects = [
            selectors.ObjectRow(obj=row.obj, fields=[each for each in row.fields if each.state == state])
            for row in objects
            if row.counts[state]
        ]
    data = spreadsheet.content_workbook(objects, kind_labels=content.kind_labels())
    name = "-".join(part for part in ("mongolian-content", kind, state) if part)
    return xlsx_response(data, name)


IMPORT_RESULT_KEY = "i18n_content_import"


@login_required
@require_POST
def content_import(request: HttpRequest) -> HttpResponse:
    _translate_allowed(request)
    upload = request.FILES.get("file")
    data = b""
    if upload is not None:
        if upload.size and upload.size > spreadsheet.MAX_BYTES:
            messages.error(request, _("文件不能超过 5 MB"))
            return redirect("core:i18n_content")
        data = upload.read()
    try:
        result = content_translations_import(actor=request.user, data=data, language=_language(request))
    except ApplicationError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
        request.session[IMPORT_RESULT_KEY] = {"errors": error.extra.get("rows", [])}
        return redirect("core:i18n_content")
    messages.success(
        request,
        _(
            "导入完成：更新 %(changed)d 条，未变 %(unchanged)d 条，空白 %(empty)d 条，"
            "原文已修改而跳过 %(stale)d 条"
        )
        % {
            "changed": result.changed,
            "unchanged": result.unchanged,
            "empty": result.empty,
            "stale": len(result.stale),
        },
    )
    request.session[IMPORT_RESULT_KEY] = {"stale": [[number, label] for number, label in result.stale[:50]]}
    return redirect("core:i18n_content")
