"""Catalog import: the real provincial catalogue, row-level errors (nothing half imported), the
exchange format, progress, permissions, the screens, the API and the management command."""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from yichuang.accounts.models import Department
from yichuang.catalog import importing
from yichuang.catalog.codes import validate_implementation_code
from yichuang.catalog.importing import basic_code_from_item_code, catalog_import_run, catalog_import_start
from yichuang.catalog.models import (
    CatalogImport,
    ChangeKind,
    ImportStatus,
    ItemKind,
    ItemTypeCode,
    ItemVersion,
    Material,
    SearchEntry,
    ServiceItem,
)
from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.models import AuditEvent
from yichuang.core.shared_data import REAL_CATALOGUE as REAL_CATALOGUE_PARTS
from yichuang.core.shared_data import shared_data_file

REAL_CATALOGUE = shared_data_file(*REAL_CATALOGUE_PARTS) or Path("guangan_district_items_by_dept.csv")
HEADER = "department,main_item,name,taskType,areaCode,link"
LINK = (
    "http://www.sczwfw.gov.cn/jiq/front/transition/ywTransToDetail?areaCode=511602000000"
    "&itemCode={code}-511602000000-000-11511301008778183N-1-00&taskType={task}&deptCode=11511301008778183N"
)


@pytest.fixture(autouse=True)
def eager(settings: Any) -> None:
    settings.YICHUANG_JOBS_EAGER = True


def snapshot() -> tuple[int, int, int, int]:
    return (
        ServiceItem.objects.count(),
        Department.objects.count(),
        ItemVersion.objects.count(),
        Material.objects.count(),
    )


def row(
    name: str = "企业投资项目备案", task: str = "10", code: str = "511Z07001006", dept: str = "区经信局"
) -> str:
    return f"{dept},未分类,{name},{task},511602000000,{LINK.format(code=code, task=task)}"


def listing(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def run(actor: Any, content: bytes, name: str = "目录.csv") -> CatalogImport:
    record = catalog_import_start(actor=actor, file_name=name, content=content)
    record.refresh_from_db()
    return record


# ——— the real catalogue ———


@pytest.mark.skipif(
    not REAL_CATALOGUE.is_file(),
    reason="本机没有 ../shared/data/catalog/ 中的真实事项目录（可设置 YICHUANG_SHARED_DATA）",
)
@pytest.mark.django_db
def test_real_catalogue_imports_completely_and_reimport_adds_nothing(org: Any) -> None:
    admin = org.user("admin")
    content = REAL_CATALOGUE.read_bytes()
    source = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    before = Department.objects.count()

    started = time.perf_counter()
    record = run(admin, content, REAL_CATALOGUE.name)
    elapsed = time.perf_counter() - started

    assert record.status == ImportStatus.SUCCEEDED, record.errors[:5]
    assert record.errors == []
    assert record.total_rows == record.processed_rows == 1135
    assert elapsed < 60, f"导入用时 {elapsed:.1f}s"
    handling = ServiceItem.objects.filter(kind=ItemKind.HANDLING)
    assert handling.count() == 1135
    mains = {(r["department"], r["main_item"]) for r in source if r["main_item"] != "未分类"}
    assert ServiceItem.objects.filter(kind=ItemKind.MAIN).count() == len(mains)
    assert record.created_items == 1135 + len(mains)

    root = Department.objects.get(name="广安市广安区人民政府", division_code="511602")
    assert root.kind == "government"
    children = Department.objects.get_children(root)
    assert children.count() == 34 == len({r["department"] for r in source})
    assert record.created_departments == 35 == Department.objects.count() - before
    assert {d.division_code for d in children} == {"511602"}
    assert set(handling.values_list("department__name", flat=True)) == {d.name for d in children}

    codes = {int(t.code): t.item_type for t in ItemTypeCode.objects.all()}
    expected_types = Counter(codes[int(r["taskType"])] for r in source)
    assert Counter(handling.values_list("current_version__item_type", flat=True)) == expected_types
    assert expected_types["licensing"] == 536

    tobacco = children.get(name="区烟草专卖局")
    assert tobacco.credit_code is None
    assert {"row": 1128, "column": "link", "level": "warning",
            "message": "区烟草专卖局：源数据没有有效的统一社会信用代码，实施编码待补"} in record.warnings  # fmt: skip
    assert any("时限未提供，按法定默认20个工作日登记" in w["message"] for w in record.warnings)
    assert set(handling.filter(department=tobacco).values_list("implementation_code", flat=True)) == {""}
    credited = handling.exclude(department=tobacco).select_related("department", "current_version")
    assert len({d.credit_code for d in children if d.credit_code}) == 33
    for item in credited:
        assert len(item.implementation_code) == 31
        validate_implementation_code(item.implementation_code)
        assert item.implementation_code == f"{item.department.credit_code}4{item.basic_code}"
        assert item.current_version.implementation_code == item.implementation_code

    by_source = {(r["department"], parse_qs(urlparse(r["link"]).query)["itemCode"][0]): r for r in source}
    item = handling.select_related("department", "current_version", "parent").get(
        source_code="511A0138000000-511602000000-000-115113010833722043-1-00"
    )
    assert item.basic_code == "1A0138000000"
    assert item.name == "适龄儿童、少年因身体状况需要延缓入学或者休学审批" == item.current_version.name
    assert item.parent is None
    assert len(by_source) == 1135
    version = item.current_version
    assert (version.number, version.change_kind, version.case_kind) == (1, ChangeKind.IMPORT, "2")
    assert (version.legal_days, version.promised_days, version.online_depth, version.stationed) == (
        20,
        20,
        1,
        True,
    )
    under_main = handling.filter(parent__isnull=False).select_related("parent").first()
    assert under_main is not None
    assert under_main.parent.kind == ItemKind.MAIN
    assert under_main.parent.basic_code == ""
    assert under_main.parent.current_version_id is not None
    assert SearchEntry.objects.filter(item__in=handling).values("item").distinct().count() == 1135
    assert AuditEvent.objects.filter(action="catalog.import.succeeded", object_id=str(record.pk)).count() == 1

    counts = snapshot()
    again = run(admin, content, REAL_CATALOGUE.name)
    assert again.status == ImportStatus.SUCCEEDED
    assert again.created_items == again.created_departments == 0
    assert snapshot() == counts
    assert any(w["message"] == "1135行事项已存在，跳过" for w in again.warnings)
    print(f"\n真实目录导入 1135 行用时 {elapsed:.2f}s")


@pytest.mark.parametrize(
    ("item_code", "basic_code"),
    [
        ("511A0138000000-511602000000-000-115113010833722043-1-00", "1A0138000000"),
        ("511Z07001006-511602000000-000-11511301008778183N-1-00", "511Z07001006"),
        ("512036010003-511602000000-000-11511301MB15537661-1-00", "512036010003"),
        ("G-000007-001-511602000000-000-115113010833722043-1-00", "G00000700100"),
        ("1J-5100-00027-511602000000-000-11511301008778386B-1-00", "1J5100000270"),
        ("A-005818-5818-511602000000-000-115113010087783353-1-00", "A00581858180"),
        ("E-000004-001-11511301008778386B", "E00000400100"),
        ("511A0077700002-510000000000-000-8282348-1-00", "1A0077700002"),
        ("", None),
        ("a-b", None),
    ],
)
def test_basic_code_from_item_code(item_code: str, basic_code: str | None) -> None:
    assert basic_code_from_item_code(item_code) == basic_code


# ——— row-level errors: nothing half imported ———


@pytest.mark.django_db
def test_malformed_rows_are_reported_row_by_row_and_nothing_is_written(org: Any) -> None:
    content = listing(
        row(name="好的事项一", code="511A01380000"),
        row(name="", code="511A01380001"),  # row 3: no name
        row(name="未知类型", task="3", code="511A01380002"),  # row 4
        row(name="编码错误", code="51-?").replace("itemCode=51-?", "itemCode=%3F%3F"),  # row 5
        row(name="重复编码", code="511A01380000"),  # row 6 duplicates row 2
        row(name="多一列", code="511A01380004") + ",多余",  # row 7
        "",  # blank line ignored
        row(name="没有编码", code="X").replace("itemCode=X-511602000000-000-11511301008778183N-1-00&", ""),
    )
    before = snapshot()
    events = AuditEvent.objects.count()

    record = run(org.user("admin"), content)

    assert record.status == ImportStatus.FAILED
    assert snapshot() == before
    assert record.created_items == 0
    assert AuditEvent.objects.count() == events + 2  # the upload and the failure, nothing else
    by_row = {(e["row"], e["column"]): e["message"] for e in record.errors}
    assert by_row[(3, "name")] == "事项名称（name）不能为空"
    assert "事项类型代码“3”无法识别" in by_row[(4, "taskType")]
    assert "1、5、7、8、9、10、20" in by_row[(4, "taskType")]
    assert by_row[(5, "link")].startswith("无法从 itemCode“??-511602000000-000-")
    assert "与第2行重复" in by_row[(6, "link")]
    assert by_row[(7, "")].startswith("本行有7列，表头有6列")
    assert "没有 itemCode" in by_row[(9, "link")]
    assert len(record.errors) == 6


@pytest.mark.django_db
def test_header_only_file_fails_with_no_data_rows(org: Any) -> None:
    record = run(org.user("admin"), (HEADER + "\n").encode())
    assert record.status == ImportStatus.FAILED
    assert record.errors == [{"row": None, "column": "", "message": "文件中没有数据行"}]


@pytest.mark.django_db
def test_unrecognised_header_fails_on_row_one(org: Any) -> None:
    record = run(org.user("admin"), "名称,编号\n身份证办理,1\n".encode())
    assert record.status == ImportStatus.FAILED
    assert record.errors[0]["row"] == 1
    assert "无法识别表头" in record.errors[0]["message"]


@pytest.mark.django_db
def test_wrong_encoding_fails_and_gb18030_is_read(org: Any) -> None:
    admin = org.user("admin")
    before = snapshot()
    utf16 = listing(row()).decode().encode("utf-16")
    record = run(admin, utf16)
    assert record.status == ImportStatus.FAILED
    assert "UTF-16" in record.errors[0]["message"]
    undecodable = HEADER.encode() + b"\n\xff\xfe\xfd,\x80\n"
    record = run(admin, undecodable)
    assert record.status == ImportStatus.FAILED
    assert record.errors[0]["message"].startswith("文件编码无法识别")
    assert snapshot() == before

    record = run(admin, listing(row(name="企业投资项目备案（技术改造）")).decode().encode("gb18030"))
    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert ServiceItem.objects.filter(name="企业投资项目备案（技术改造）", basic_code="511Z07001006").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("目录.csv", b"", "上传的文件是空的"),
        ("目录.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "文件内容不是 CSV 文本表格"),
        ("目录.csv", b"PK\x03\x04rest-of-a-zip", "文件内容不是 CSV 文本表格"),
        ("目录.xlsx", b"%PDF-1.7\n", "内容不是 Excel 工作簿"),
        ("目录.txt", b"department,name\n", "只能导入 .csv 或 .xlsx 文件"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused(
    org: Any, name: str, content: bytes, message: str
) -> None:
    before = (snapshot(), CatalogImport.objects.count())
    with pytest.raises(ApplicationError) as caught:
        catalog_import_start(actor=org.user("admin"), file_name=name, content=content)
    assert message in caught.value.message
    assert (snapshot(), CatalogImport.objects.count()) == before


@pytest.mark.django_db
def test_a_broken_workbook_fails_the_import(org: Any) -> None:
    record = run(org.user("admin"), b"PK\x03\x04" + b"\x00" * 64, "目录.xlsx")
    assert record.status == ImportStatus.FAILED
    assert "不是有效的 Excel" in record.errors[0]["message"]


@pytest.mark.django_db
def test_an_error_while_writing_rolls_everything_back(org: Any, monkeypatch: Any) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("index down")

    monkeypatch.setattr(importing.search, "search_index_items", broken)
    before = snapshot()
    record = run(org.user("admin"), listing(row(), row(name="第二项", code="511Z07001007", dept="区新部门")))
    assert record.status == ImportStatus.FAILED
    assert "意外错误，已全部撤销" in record.errors[0]["message"]
    assert snapshot() == before
    assert not Department.objects.filter(name="区新部门").exists()


@pytest.mark.django_db
def test_progress_moves_through_the_phases(org: Any, monkeypatch: Any) -> None:
    seen: list[dict[str, Any]] = []
    original = importing._update

    def spy(record: CatalogImport, **fields: Any) -> None:
        seen.append(fields)
        original(record, **fields)

    monkeypatch.setattr(importing, "_update", spy)
    rows = [row(name=f"事项{i}", code=f"511Z0700{i:04d}") for i in range(120)]
    record = run(org.user("admin"), listing(*rows))
    assert record.status == ImportStatus.SUCCEEDED
    progress = [f["processed_rows"] for f in seen if "processed_rows" in f]
    assert progress == [50, 100, 120]
    statuses = [f["status"] for f in seen if "status" in f]
    assert statuses == [ImportStatus.VALIDATING, ImportStatus.WRITING, ImportStatus.SUCCEEDED]
    assert record.total_rows == 120
    assert record.created_items == 120


@pytest.mark.django_db(transaction=True)
def test_background_run_after_commit(org: Any, settings: Any) -> None:
    settings.YICHUANG_JOBS_EAGER = False
    record = catalog_import_start(actor=org.user("admin"), file_name="目录.csv", content=listing(row()))
    assert record.status == ImportStatus.PENDING
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        record.refresh_from_db()
        if record.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            break
        time.sleep(0.1)
    assert record.status == ImportStatus.SUCCEEDED, record.errors
    assert ServiceItem.objects.filter(basic_code="511Z07001006").count() == 1
    assert (
        catalog_import_run(record.pk).status == ImportStatus.SUCCEEDED
    )  # a finished import is not run twice
    assert ServiceItem.objects.filter(basic_code="511Z07001006").count() == 1


@pytest.mark.django_db
def test_existing_department_under_the_root_is_reused(org: Any) -> None:
    admin = org.user("admin")
    assert run(admin, listing(row())).status == ImportStatus.SUCCEEDED
    record = run(admin, listing(row(), row(name="另一个事项", code="511Z07001099")))
    assert record.status == ImportStatus.SUCCEEDED
    assert record.created_departments == 0
    assert Department.objects.filter(name="区经信局").count() == 1
    assert record.created_items == 1
    assert any(w["message"] == "1行事项已存在，跳过" for w in record.warnings)


# ——— the exchange format (CSV, items only) ———

EXCHANGE_HEADER = "层级类别,上级事项基本编码,上级事项名称,实施主体,行使层级,基本编码,事项名称,事项类型,办件类型,法定时限,承诺时限,是否进驻,不进驻理由,送达方式"


@pytest.mark.django_db
def test_exchange_csv_rows_are_checked_cell_by_cell(org: Any) -> None:
    rows = [
        EXCHANGE_HEADER,
        "主项,,,市场监管局,旗县级,,食品经营许可,行政许可,承诺件,20,10,是,,",
        "办理项,,食品经营许可,市场监管局,旗县级,000000000101,食品经营许可（新办）,行政许可,承诺件,20,10,是,,综合出证窗口领取",
        "办理项,,,不存在的局,旗县级,000000000102,某事项,行政许可,承诺件,20,10,是,,",  # row 4
        "办理项,,,市场监管局,旗县级,000000000103,某事项,行政审批,承诺件,二十,10,也许,,",  # row 5
        "办理项,,,市场监管局,旗县级,000000000104,某事项,行政许可,承诺件,5,10,是,,",  # row 6
        "子项,,,市场监管局,旗县级,,没有上级的子项,行政许可,承诺件,20,10,是,,",  # row 7
        "办理项,,,市场监管局,旗县级,000000000101,重复,行政许可,承诺件,20,10,是,,",  # row 8
        "办理项,,,市场监管局,旗县级,abc,小写编码,行政许可,承诺件,20,10,是,,",  # row 9
    ]
    before = snapshot()
    record = run(org.user("admin"), "\n".join(rows).encode("utf-8-sig"))
    assert record.status == ImportStatus.FAILED
    assert snapshot() == before
    errors = {(e["row"], e["column"]): e["message"] for e in record.errors}
    assert "实施主体“不存在的局”不存在" in errors[(4, "实施主体")]
    assert errors[(5, "事项类型")] == "“行政审批”不是有效的事项类型"
    assert errors[(5, "法定时限")] == "法定时限应为整数，实为“二十”"
    assert errors[(5, "是否进驻")] == "是否进驻应填“是”或“否”，实为“也许”"
    assert errors[(6, "承诺时限")] == "承诺时限：承诺时限不能超过法定时限"
    assert "子项必须隶属于一个主项" in errors[(7, "上级事项基本编码")]
    assert "与第3行重复" in errors[(8, "基本编码")]
    assert "应为12位数字或大写字母" in errors[(9, "基本编码")]
    assert {e["row"] for e in record.errors} == {4, 5, 6, 7, 8, 9}

    rows[2] = rows[2].replace("综合出证窗口领取", "窗口")
    record = run(org.user("admin"), "\n".join(rows).encode("utf-8-sig"))
    errors = {(e["row"], e["column"]): e["message"] for e in record.errors}
    assert errors[(3, "送达方式")] == "“窗口”不是有效的送达方式"


@pytest.mark.django_db
def test_exchange_csv_builds_the_tree(org: Any) -> None:
    rows = [
        EXCHANGE_HEADER,
        "主项,,,市场监管局,旗县级,,食品经营许可,行政许可,承诺件,20,10,是,,",
        "办理项,,食品经营许可,市场监管局,4,000000000101,食品经营许可（新办）,行政许可,承诺件,20,10,是,,综合出证窗口领取、邮寄送达",
        "办理项,,,市场监管局,旗县级,000000000102,临时占道,其他行政权力,即办件,1,0,否,场地在户外,",
    ]
    record = run(org.user("admin"), "\n".join(rows).encode())
    assert record.status == ImportStatus.SUCCEEDED, record.errors
    main = ServiceItem.objects.get(kind=ItemKind.MAIN, name="食品经营许可")
    child = ServiceItem.objects.select_related("current_version").get(basic_code="000000000101")
    assert child.parent == main
    assert child.department == org.scjg
    assert child.current_version.delivery_methods == ["window", "post"]
    other = ServiceItem.objects.select_related("current_version").get(basic_code="000000000102")
    assert other.current_version.stationed is False
    assert other.current_version.negative_reason == "场地在户外"
    assert other.implementation_code == f"{org.scjg.credit_code}4000000000102"


# ——— who may import; screens, API, command ———


@pytest.mark.django_db
def test_only_the_admin_imports(org: Any, client_for: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        catalog_import_start(actor=org.user("reviewer"), file_name="目录.csv", content=listing(row()))
    for role in ("reviewer", "clerk", "chief_rep"):
        client = client_for(role)
        assert client.get(reverse("catalog:import")).status_code == 403
        response = client.post("/api/v1/catalog/imports", {"file": io.BytesIO(listing(row()))})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    record = run(org.user("admin"), listing(row()))
    assert client_for("reviewer").get(reverse("catalog:import_detail", args=[record.pk])).status_code == 403
    assert client_for("reviewer").get(f"/api/v1/catalog/imports/{record.pk}").status_code == 403
    assert ServiceItem.objects.count() == 1


@pytest.mark.django_db
def test_import_screen_uploads_and_shows_the_report(org: Any, client_for: Any) -> None:
    client = client_for("admin")
    page = client.get(reverse("catalog:import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html
    assert "事项文件（CSV 或 Excel .xlsx）" in html
    upload = io.BytesIO(listing(row(), row(name="", code="511Z07001007")))
    upload.name = "目录.csv"
    response = client.post(reverse("catalog:import"), {"file": upload})
    record = CatalogImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:import_detail", args=[record.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "<progress" in detail
    assert "导入失败" in detail
    assert "事项名称（name）不能为空" in detail
    assert "hx-trigger" not in detail  # finished: no more polling
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="import-progress"')
    assert "目录.csv" in client.get(reverse("catalog:import")).content.decode()

    bad = io.BytesIO(b"%PDF-1.4")
    bad.name = "目录.csv"
    refused = client.post(reverse("catalog:import"), {"file": bad})
    assert refused.status_code == 400
    assert "文件内容不是 CSV 文本表格" in refused.content.decode()


@pytest.mark.django_db
def test_running_import_polls(org: Any, client_for: Any) -> None:
    record = CatalogImport.objects.create(
        file_name="目录.csv", data=b"", created_by=org.user("admin"), status=ImportStatus.VALIDATING,
        total_rows=200, processed_rows=50,
    )  # fmt: skip
    html = client_for("admin").get(reverse("catalog:import_detail", args=[record.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="200" value="50">' in html


@pytest.mark.django_db
def test_import_api(org: Any, client_for: Any) -> None:
    client = client_for("admin")
    upload = io.BytesIO(listing(row()))
    upload.name = "目录.csv"
    response = client.post("/api/v1/catalog/imports", {"file": upload})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["created_items"] == 1
    assert body["created_departments"] == 2
    detail = client.get(f"/api/v1/catalog/imports/{body['id']}").json()
    assert detail["processed_rows"] == detail["total_rows"] == 1
    assert detail["errors"] == []
    assert client.get("/api/v1/catalog/imports/999999").status_code == 404
    assert [r["id"] for r in client.get("/api/v1/catalog/imports").json()] == [body["id"]]

    bad = io.BytesIO(b"")
    bad.name = "空.csv"
    refused = client.post("/api/v1/catalog/imports", {"file": bad})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "上传的文件是空的"


@pytest.mark.django_db
def test_management_command(org: Any, tmp_path: Path) -> None:
    good = tmp_path / "目录.csv"
    good.write_bytes(listing(row()))
    out, err = io.StringIO(), io.StringIO()
    call_command("catalog_import", str(good), "--as", "admin", stdout=out, stderr=err)
    assert "导入成功" in out.getvalue()
    assert "新增事项：1" in out.getvalue()

    bad = tmp_path / "坏.csv"
    bad.write_bytes(listing(row(name="", code="511Z07001008")))
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("catalog_import", str(bad), "--as", "admin", stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "错误：第2行［name］事项名称（name）不能为空" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("catalog_import", str(good), "--as", "reviewer", stdout=io.StringIO())
