"""Whole-catalog export (two sheets) and export → import round trip of items and materials."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from yichuang.catalog.elements import version_elements
from yichuang.catalog.exporting import ITEM_COLUMNS, MATERIAL_COLUMNS, workbook_response
from yichuang.catalog.importing import catalog_import_start
from yichuang.catalog.models import ImportStatus, ItemKind, ItemVersion, Material, ServiceItem
from yichuang.catalog.tests.helpers import publish_item

HEADERS = [c.header for c in ITEM_COLUMNS]
MATERIAL_HEADERS = [c.header for c in MATERIAL_COLUMNS]


@pytest.fixture(autouse=True)
def eager(settings: Any) -> None:
    settings.YICHUANG_JOBS_EAGER = True


@pytest.fixture
def published(org: Any) -> list[ServiceItem]:
    admin = org.user("admin")
    main = publish_item(
        actor=admin, department=org.scjg, basic_code="", kind="main", name="食品经营许可", materials=[]
    )
    first = publish_item(actor=admin, department=org.scjg, basic_code="000000000201", parent=main)
    second = publish_item(
        actor=admin,
        department=org.scjg,
        basic_code="000000000202",
        name="临时占用道路审批",
        item_type="other_power",
        case_kind="1",
        legal_days=5,
        promised_days=0,
        stationed=False,
        negative_reason="须现场踏勘",
        special_procedures=[],
        fees=[{"name": "占道费", "standard": "按天计收", "basis": "物价文件"}],
        intermediary_services=[{"name": "测绘", "basis": "", "provider": "有资质的测绘单位"}],
        materials=[
            {
                "key": "m-road",
                "name": "占道平面图",
                "source": "99",
                "necessity": "3",
                "originals": 0,
                "copies": 2,
                "media": "paper",
                "commitment_replaceable": True,
                "note": "标明位置｜面积",
                "review_points": ["位置清楚", "面积与申请一致"],
            },
            {"key": "m-id", "name": "身份证", "source": "20", "necessity": "1", "review_points": []},
        ],
    )
    other = publish_item(actor=admin, department=org.wjw, basic_code="000000000301", name="医师执业注册")
    return [main, first, second, other]


def workbook_of(response: Any) -> Any:
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=False)


def rows_of(sheet: Any) -> list[dict[str, Any]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=False)) for row in values[1:]]


@pytest.mark.django_db
def test_export_writes_two_sheets(org: Any, client_for: Any, published: list[ServiceItem]) -> None:
    response = client_for("reviewer").get(reverse("catalog:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["事项", "申请材料"]
    items = rows_of(workbook["事项"])
    assert [c.value for c in workbook["事项"][1]] == HEADERS
    assert [c.value for c in workbook["申请材料"][1]] == MATERIAL_HEADERS
    assert len(items) == 4
    main_index = next(i for i, r in enumerate(items) if r["层级类别"] == "主项")
    child_index = next(i for i, r in enumerate(items) if r["基本编码"] == "000000000201")
    assert main_index < child_index  # parents first
    road = next(r for r in items if r["基本编码"] == "000000000202")
    assert road["事项类型"] == "其他行政权力"
    assert road["办件类型"] == "即办件"
    assert road["是否进驻"] == "否"
    assert road["收费"] == "占道费｜按天计收｜物价文件"
    assert road["实施编码"] == f"{org.scjg.credit_code}4000000000202"
    assert items[child_index]["上级事项名称"] == "食品经营许可"
    materials = rows_of(workbook["申请材料"])
    assert len(materials) == 2 + 2 + 2  # first (helper's two), road (two), other (two)
    plan = next(m for m in materials if m["材料名称"] == "占道平面图")
    assert plan["审核要点"] == "位置清楚\n面积与申请一致"
    assert plan["必要性"] == "容缺后补"

    one = workbook_of(client_for("admin").get(reverse("catalog:export") + f"?department={org.wjw.pk}"))
    assert [r["事项名称"] for r in rows_of(one["事项"])] == ["医师执业注册"]
    assert client_for("admin").get(reverse("catalog:export") + "?department=abc").status_code == 400


@pytest.mark.django_db
def test_export_needs_catalog_view(org: Any, client_for: Any) -> None:
    assert client_for("applicant").get(reverse("catalog:export")).status_code == 403
    assert client_for("applicant").get("/api/v1/catalog/export.xlsx").status_code == 403
    response = client_for("clerk").get("/api/v1/catalog/export.xlsx")
    assert response.status_code == 200
    assert workbook_of(response).sheetnames == ["事项", "申请材料"]


def _moved(response: Any, org: Any) -> bytes:
    """The exported workbook with every item moved from 市场监管局 to 卫健委 (and 卫健委's own dropped)."""
    workbook = workbook_of(response)
    for sheet in (workbook["事项"], workbook["申请材料"]):
        header = [c.value for c in sheet[1]]
        department = header.index("实施主体") + 1
        credit = (
            header.index("实施主体统一社会信用代码") + 1 if "实施主体统一社会信用代码" in header else None
        )
        for row_number in range(sheet.max_row, 1, -1):
            if sheet.cell(row_number, department).value == "卫健委":
                sheet.delete_rows(row_number)
                continue
            sheet.cell(row_number, department).value = "卫健委"
            if credit:
                sheet.cell(row_number, credit).value = org.wjw.credit_code
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_export_then_import_round_trips_items_and_materials(
    org: Any, client_for: Any, published: list[ServiceItem]
) -> None:
    admin = org.user("admin")
    exported = client_for("admin").get(reverse("catalog:export"))

    record = catalog_import_start(actor=admin, file_name="事项库.xlsx", content=_moved(exported, org))
    record.refresh_from_db()
    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert record.created_items == 3
    for original in published[:3]:
        copy = ServiceItem.objects.select_related("current_version", "parent").get(
            department=org.wjw, name=original.name, kind=original.kind
        )
        assert version_elements(copy.current_version) == version_elements(original.current_version)
        assert copy.basic_code == original.basic_code
        assert copy.current_version.number == 1
        assert copy.current_version.change_kind == "import"
        if copy.basic_code:
            assert copy.implementation_code == f"{org.wjw.credit_code}4{copy.basic_code}"
    child = ServiceItem.objects.get(department=org.wjw, basic_code="000000000201")
    assert child.parent is not None
    assert child.parent.kind == ItemKind.MAIN
    assert child.parent.department == org.wjw
    road = ServiceItem.objects.get(department=org.wjw, basic_code="000000000202").current_version
    assert road is not None
    assert [m.code for m in road.materials.all()] == [
        f"{org.wjw.credit_code}4000000000202001",
        f"{org.wjw.credit_code}4000000000202002",
    ]


@pytest.mark.django_db
def test_reimporting_an_export_adds_nothing(org: Any, client_for: Any, published: list[ServiceItem]) -> None:
    content = b"".join(client_for("admin").get(reverse("catalog:export")).streaming_content)
    before = (ServiceItem.objects.count(), ItemVersion.objects.count(), Material.objects.count())
    record = catalog_import_start(actor=org.user("admin"), file_name="事项库.xlsx", content=content)
    record.refresh_from_db()
    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert record.created_items == 0
    assert (ServiceItem.objects.count(), ItemVersion.objects.count(), Material.objects.count()) == before
    assert any(w["message"] == "4行事项已存在，跳过" for w in record.warnings)


@pytest.mark.django_db
def test_material_sheet_errors_name_the_sheet_row(
    org: Any, client_for: Any, published: list[ServiceItem]
) -> None:
    workbook = workbook_of(client_for("admin").get(reverse("catalog:export")))
    for sheet in (workbook["事项"], workbook["申请材料"]):
        header = [c.value for c in sheet[1]]
        column = header.index("实施主体") + 1
        for row_number in range(2, sheet.max_row + 1):
            sheet.cell(row_number, column).value = "住建局"
        if "实施主体统一社会信用代码" in header:
            for row_number in range(2, sheet.max_row + 1):
                sheet.cell(row_number, header.index("实施主体统一社会信用代码") + 1).value = None
    materials = workbook["申请材料"]
    header = [c.value for c in materials[1]]
    materials.cell(3, header.index("原件份数") + 1).value = "两份"
    materials.cell(4, header.index("基本编码") + 1).value = "999999999999"
    out = io.BytesIO()
    workbook.save(out)
    before = ServiceItem.objects.count()
    record = catalog_import_start(actor=org.user("admin"), file_name="事项库.xlsx", content=out.getvalue())
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED
    assert ServiceItem.objects.count() == before
    errors = {(e.get("sheet"), e["row"], e["column"]): e["message"] for e in record.errors}
    assert errors[("申请材料", 3, "原件份数")] == "原件份数应为整数，实为“两份”"
    assert "基本编码“999999999999”的事项" in errors[("申请材料", 4, "基本编码")]


@pytest.mark.django_db
def test_generic_workbook_response_and_export_command(
    org: Any, published: list[ServiceItem], tmp_path: Any
) -> None:
    response = workbook_response(
        [["甲", 1, True], ["乙", None, False]], ["名称", "数量", "是否"], "清单.xlsx"
    )
    sheet = workbook_of(response).active
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [
        ["名称", "数量", "是否"],
        ["甲", 1, "是"],
        ["乙", None, "否"],
    ]
    assert "filename*=utf-8''%E6%B8%85%E5%8D%95.xlsx" in response["Content-Disposition"]

    path = tmp_path / "catalog.xlsx"
    call_command("catalog_export", str(path), stdout=io.StringIO())
    assert len(rows_of(load_workbook(path)["事项"])) == 4
