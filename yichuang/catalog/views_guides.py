"""Public guides (办事指南): the full guide and the 白话版 of every published version, the version
history and the diff between two versions, and blank-form downloads. No login needed.

The guide body is one template (``catalog/_guide_body.html``) fed by ``guide_context``; the public
page, a historical version and the staff item page all render it, so what the portal shows and
what the window prints come from the same version data (同源发布)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header

from yichuang.accounts.models import Department
from yichuang.catalog import policies, selectors
from yichuang.catalog.diff import elements_diff
from yichuang.catalog.elements import version_elements
from yichuang.catalog.models import (
    CatalogFile,
    DeliveryMethod,
    ItemCaseKind,
    ItemKind,
    ItemStatus,
    ItemVersion,
    Material,
    NearbyLevel,
    OnlineDepth,
    ServiceItem,
    SpecialProcedureKind,
)
from yichuang.core.errors import ApplicationError, NotFoundError


def _search_url() -> str:
    try:
        return reverse("catalog:search")
    except NoReverseMatch:
        return "/search/"


def guide_context(item: ServiceItem, version: ItemVersion) -> dict[str, Any]:
    """Everything ``_guide_body.html`` shows, computed once from one version."""
    kinds = dict(SpecialProcedureKind.choices)
    deliveries = dict(DeliveryMethod.choices)
    materials = list(version.materials.all())
    return {
        "item": item,
        "version": version,
        "materials": materials,
        "special_procedures": [
            {**entry, "kind_label": kinds.get(entry.get("kind"), entry.get("kind"))}
            for entry in version.special_procedures
        ],
        "delivery_labels": [deliveries.get(method, method) for method in version.delivery_methods],
        "is_immediate": version.case_kind == ItemCaseKind.IMMEDIATE,
        "no_visit": version.visits_required == 0,
        "is_retired": item.status == ItemStatus.RETIRED,
    }


def plain_sections(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The 白话版: five questions an applicant asks, answered in simple words from the same version."""
    version: ItemVersion = context["version"]
    materials: list[Material] = context["materials"]
    prepare = []
    for material in materials:
        if material.licence_type_code:
            prepare.append(f"{material.name}（有电子证照的不用带）")
            continue
        parts = []
        if material.originals:
            parts.append(f"原件{material.originals}份")
        if material.copies:
            parts.append(f"复印件{material.copies}份")
        note = "、".join(parts)
        if material.necessity == "2":
            note = (note + "，" if note else "") + "有就带上"
        elif material.necessity == "3":
            note = (note + "，" if note else "") + "一时没有可以先办、以后补交"
        prepare.append(f"{material.name}（{note}）" if note else material.name)
    if not prepare:
        prepare.append("不用准备材料")

    where = [version.handling_place or "乌拉特中旗政务服务中心"]
    if version.handling_hours:
        where.append(f"办理时间：{version.handling_hours}")
    if version.nearby_level:
        where.append(str(NearbyLevel(version.nearby_level).label))
    if version.visits_required == 0:
        where.insert(0, "不用跑，在网上就能办好")
    elif version.visits_required == 1:
        where.append("最多跑一次")
    else:
        where.append(f"需要到现场{version.visits_required}次")

    if version.case_kind == ItemCaseKind.IMMEDIATE:
        how_long = ["材料齐全的，当场就能办好"]
    else:
        how_long = [f"材料齐全、受理以后，{version.promised_days}个工作日内办好（周末和节假日不算）"]
    for entry in context["special_procedures"]:
        how_long.append(f"如果需要{entry['kind_label']}，另外还要{entry['days']}个工作日")

    if version.fees:
        money = [f"{fee['name']}：{fee['standard']}" for fee in version.fees]
    else:
        money = ["不要钱，免费办理"]

    answers: dict[int, str] = {
        OnlineDepth.FULL: "能。全程都可以在网上办，不用到窗口",
        OnlineDepth.PRE_REVIEW: "可以先在网上提交材料预审，再到窗口办结",
        OnlineDepth.DOWNLOAD: "可以在网上下载表格、预约，办理要到窗口",
    }
    online_lines = [answers.get(version.online_depth, "不能，需要到窗口办理")]
    if context["delivery_labels"]:
        online_lines.append("拿结果：" + "、".join(str(label) for label in context["delivery_labels"]))
    return [
        {"question": "要准备什么", "answers": prepare},
        {"question": "去哪儿办", "answers": where},
        {"question": "多久办好", "answers": how_long},
        {"question": "要不要钱", "answers": money},
        {"question": "能不能网上办", "answers": online_lines},
    ]


def guide_index(request: HttpRequest) -> HttpResponse:
    active = Q(
        service_items__kind=ItemKind.HANDLING,
        service_items__status=ItemStatus.ACTIVE,
        service_items__current_version__isnull=False,
    )
    departments = (
        Department.objects.annotate(item_count=Count("service_items", filter=active))
        .filter(item_count__gt=0)
        .order_by("path")
    )
    selected = None
    items: Any = []
    department_id = request.GET.get("department", "")
    if department_id.isdigit():
        selected = next((d for d in departments if d.pk == int(department_id)), None)
        if selected is not None:
            items = selectors.handling_items(department_id=selected.pk)
    return render(
        request,
        "catalog/guide_index.html",
        {"departments": departments, "selected": selected, "items": items, "search_url": _search_url()},
    )


def _guide_page(request: HttpRequest, item: ServiceItem, version: ItemVersion, **extra: Any) -> HttpResponse:
    context = guide_context(item, version)
    context.update(
        path=selectors.item_path(item=item),
        children=list(selectors.item_children(item=item)) if item.kind != ItemKind.HANDLING else [],
        current_number=item.current_version.number if item.current_version else None,
        auto_print=request.GET.get("print") == "1",
        **extra,
    )
    return render(request, "catalog/guide_detail.html", context)


def guide_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(item_id=item_id)
    version = selectors.item_version_get(item=item)
    return _guide_page(request, item, version, is_history=False)


def guide_version(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    item = selectors.item_get(item_id=item_id)
    version = selectors.item_version_get(item=item, number=number)
    return _guide_page(request, item, version, is_history=version.pk != item.current_version_id)


def guide_plain(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(item_id=item_id)
    version = selectors.item_version_get(item=item)
    context = guide_context(item, version)
    context["sections"] = plain_sections(context)
    context["auto_print"] = request.GET.get("print") == "1"
    return render(request, "catalog/guide_plain.html", context)


def guide_versions(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(item_id=item_id)
    versions = list(selectors.item_versions(item=item))
    rows = [
        {"version": version, "previous": versions[index + 1].number if index + 1 < len(versions) else None}
        for index, version in enumerate(versions)
    ]
    return render(request, "catalog/guide_versions.html", {"item": item, "rows": rows})


def _version_number(value: str | None, which: str) -> int:
    if not value:
        raise ApplicationError(f"请指定要比较的{which}版本号（from 和 to）", code="bad_diff_params")
    if not value.isdigit() or not 0 < int(value) < 100_000:
        raise ApplicationError(f"{which}版本号“{value[:20]}”无效，应为正整数", code="bad_diff_params")
    return int(value)


def guide_diff(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(item_id=item_id)
    from_number = _version_number(request.GET.get("from"), "原")
    to_number = _version_number(request.GET.get("to"), "新")
    if from_number == to_number:
        raise ApplicationError("请选择两个不同的版本进行比较", code="bad_diff_params")
    old = selectors.item_version_get(item=item, number=from_number)
    new = selectors.item_version_get(item=item, number=to_number)
    diff = elements_diff(version_elements(old), version_elements(new))
    return render(request, "catalog/diff_page.html", {"item": item, "old": old, "new": new, "diff": diff})


def file_download(request: HttpRequest, sha256: str) -> HttpResponse:
    """A blank form or sample of a published material (staff may also open files still in review)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise NotFoundError("未找到该文件")
    stored = CatalogFile.objects.filter(sha256=sha256).first()
    published = (
        stored is not None and Material.objects.filter(Q(blank_form=stored) | Q(sample=stored)).exists()
    )
    if stored is None or not (published or policies.has_capability(request.user, "catalog.view")):
        raise NotFoundError("未找到该文件")
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=stored.name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(stored.size)
    return response
