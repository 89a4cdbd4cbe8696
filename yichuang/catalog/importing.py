"""Import of items from Excel/CSV: all rows or none, with a row-by-row report and a progress count.

Two formats, told apart by the header row:

- the exchange format that ``exporting`` writes (Chinese headers, sheet "事项" and, in .xlsx,
  sheet "申请材料"); the departments must already exist;
- a provincial catalogue listing (columns ``department, main_item, name, taskType, areaCode, link``,
  as in ``shared/data/catalog/guangan_district_items_by_dept.csv``); its departments are created
  under the district government. The rules are in ``docs/catalog-import.md``.

An import runs in two phases. Phase 1 reads and checks every row, writing nothing but the progress
count (outside any long transaction, so a screen can poll it); if any row is wrong the import fails
with the list of errors. Phase 2 writes everything in one transaction.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from stdnum.cn import uscc

from yichuang.accounts.models import Department, DepartmentKind
from yichuang.accounts.services import department_create
from yichuang.catalog import policies, search
from yichuang.catalog.codes import implementation_code, material_code, normalize_basic_code
from yichuang.catalog.elements import (
    LIST_FIELDS,
    MATERIAL_FIELDS,
    SCALAR_FIELDS,
    blank_elements,
    elements_clean,
)
from yichuang.catalog.exporting import (
    ELEMENT_COLUMNS,
    IDENTITY_COLUMNS,
    ITEMS_SHEET,
    MATERIAL_COLUMNS,
    MATERIALS_SHEET,
    PART_SEPARATOR,
    STATUS_COLUMNS,
    Column,
)
from yichuang.catalog.models import (
    CatalogImport,
    ChangeKind,
    ImportStatus,
    ItemKind,
    ItemStatus,
    ItemTypeCode,
    ItemVersion,
    Level,
    Material,
    ReviewPoint,
    ServiceItem,
)
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError
from yichuang.core.jobs import enqueue_on_commit
from yichuang.core.uploads import xlsx_check

logger = logging.getLogger("yichuang.catalog.import")

MAX_IMPORT_BYTES = 20 * 1024 * 1024
PROGRESS_EVERY = 50
SEARCH_BATCH = 500
MAX_REPORTED_ERRORS = 1000
DEFAULT_DAYS = 20  # 行政许可法 §42: decision within 20 working days unless the item says otherwise
GUANGAN_COLUMNS = ("department", "main_item", "name", "taskType", "areaCode", "link")
UNCLASSIFIED = "未分类"
# District governments the provincial listings are filed under; others get a generic name.
DIVISION_GOVERNMENTS = {"511602": "广安市广安区人民政府"}
_BASIC_CODE = re.compile(r"^[0-9A-Z]{12}$")
_AREA_CODE = re.compile(r"^\d{12}$")
_BINARY_SIGNATURES = (
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",
    b"\x1f\x8b",
    b"Rar!",
)


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, no header, no rows)."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


# ——— reading files ———


@dataclass
class Table:
    """One sheet: its header and data rows as (row number as the user sees it, cells)."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    strict_width: bool  # CSV: every row must have the header's number of cells


@dataclass
class Document:
    kind: str  # "csv" | "xlsx"
    tables: list[Table]

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(name: str, raw_rows: Iterable[list[str]], strict_width: bool) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(raw_rows, start=1):
        if header is None:
            if not any(cells):
                raise ImportFileError("第1行应为表头，但它是空的", row=number)
            header = [c.strip().lstrip("\ufeff") for c in cells]
            continue
        if not any(c.strip() for c in cells):
            continue  # blank lines are ignored
        rows.append((number, cells))
    if header is None:
        raise ImportFileError("文件中没有任何内容")
    # Trailing empty header cells (spreadsheets) are not columns.
    while header and not header[-1]:
        header.pop()
    return Table(name=name, header=header, rows=rows, strict_width=strict_width)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "文件编码为 UTF-16，无法读取：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("文件编码无法识别：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV 文件后再导入")


def read_document(content: bytes, file_name: str) -> Document:
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    text = _decode(content)
    if "\x00" in text:
        raise ImportFileError("文件内容不是 CSV 文本表格")
    try:
        raw = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误：{exc}") from exc
    return Document(kind="csv", tables=[_table(ITEMS_SHEET, raw, strict_width=True)])


def _read_xlsx(content: bytes) -> Document:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError("文件不是有效的 Excel（.xlsx）工作簿，请用 Excel 重新保存后再导入") from exc
    try:
        names = workbook.sheetnames
        if not names:
            raise ImportFileError("工作簿中没有工作表")
        first = ITEMS_SHEET if ITEMS_SHEET in names else names[0]
        tables = []
        for name in [first] + [n for n in names if n == MATERIALS_SHEET]:
            sheet = workbook[name]
            rows = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
            tables.append(_table(ITEMS_SHEET if name == first else name, rows, strict_width=False))
    finally:
        workbook.close()
    return Document(kind="xlsx", tables=tables)


# ——— the plan both formats produce ———


@dataclass
class PlannedDepartment:
    name: str
    division: str
    credit_code: str | None
    existing: Department | None
    rows: int = 0
    first_row: int = 0
    created: Department | None = None

    @property
    def department(self) -> Department:
        found = self.existing or self.created
        assert found is not None
        return found


@dataclass
class PlannedItem:
    row: int
    kind: str
    department: PlannedDepartment
    level: str
    basic_code: str
    name: str
    elements: dict[str, Any]
    source_code: str = ""
    parent: PlannedItem | ServiceItem | None = None
    created: ServiceItem | None = None


@dataclass
class Plan:
    source_format: str
    roots: dict[str, PlannedDepartment] = field(default_factory=dict)
    departments: list[PlannedDepartment] = field(default_factory=list)
    items: list[PlannedItem] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0
    defaulted_days: int = 0

    def error(self, row: int | None, column: str, message: str, sheet: str = "") -> None:
        entry: dict[str, Any] = {"row": row, "column": column, "message": message}
        if sheet:
            entry["sheet"] = sheet
        self.errors.append(entry)

    def warn(self, row: int | None, column: str, message: str, level: str = "warning") -> None:
        self.warnings.append({"row": row, "column": column, "message": message, "level": level})


Progress = Callable[[int], None]


def _elements_errors(plan: Plan, row: int, exc: ApplicationError, headers: dict[str, str]) -> None:
    for name, messages in exc.fields.items():
        root = name.split(".")[0]
        for message in messages:
            plan.error(row, headers.get(root, name), f"{headers.get(root, name)}：{message}")


# ——— the provincial catalogue listing ———


def basic_code_from_item_code(item_code: str) -> str | None:
    """The 12-character 基本编码 inside a provincial ``itemCode`` (see docs/catalog-import.md).

    The code is the part before the area code / department code: a 12-character code as is; a
    14-character code starting with the province prefix "51" without it; other shapes
    ("G-000007-001", "1J-5100-00027") joined without dashes and right-padded with 0 to 12
    characters (or their last 12 characters when longer).
    """
    segments = [s.strip() for s in item_code.split("-")]
    if not segments or not segments[0]:
        return None
    head = [segments[0]]
    for segment in segments[1:]:
        if len(segment) >= 9:  # the 12-digit area code or a department code ends the item code
            break
        head.append(segment)
    if len(head) == 1:
        only = head[0]
        if _BASIC_CODE.match(only):
            return only
        if len(only) == 14 and only.startswith("51") and _BASIC_CODE.match(only[2:]):
            return only[2:]
    joined = "".join(head)
    code = joined.ljust(12, "0") if len(joined) <= 12 else joined[-12:]
    return code if _BASIC_CODE.match(code) else None


def _credit_candidates(query: dict[str, list[str]]) -> list[str]:
    candidates = [query.get("deptCode", [""])[0]]
    candidates += [s for s in query.get("itemCode", [""])[0].split("-") if len(s) == 18]
    found = []
    for candidate in candidates:
        code = uscc.compact(candidate or "").upper()
        if len(code) == 18 and uscc.is_valid(code):
            found.append(code)
    return found


def _type_codes() -> dict[int, str]:
    codes = {}
    for row in ItemTypeCode.objects.all():
        if row.code.isdigit():
            codes[int(row.code)] = row.item_type
    return codes


def _guangan_elements(name: str, item_type: str) -> dict[str, Any]:
    return {
        **blank_elements(),
        "name": name,
        "item_type": item_type,
        "case_kind": "2",
        "legal_days": DEFAULT_DAYS,
        "promised_days": DEFAULT_DAYS,
        "stationed": True,
        "online_depth": 1,
        "keywords": "",
        "plain_summary": "",
    }


def plan_guangan(table: Table, progress: Progress) -> Plan:
    plan = Plan(source_format="省级事项目录")
    index = {name: table.header.index(name) for name in GUANGAN_COLUMNS}
    type_codes = _type_codes()
    allowed = "、".join(str(c) for c in sorted(type_codes))
    headers = {"name": "name", "item_type": "taskType"}
    departments: dict[tuple[str, str], PlannedDepartment] = {}
    credit_votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    seen_codes: dict[tuple[str, str, str], int] = {}
    rows: list[tuple[int, PlannedDepartment, str, dict[str, Any], str, str]] = []
    clean_cache: dict[tuple[str, str], dict[str, Any]] = {}

    for count, (number, cells) in enumerate(table.rows, start=1):
        if count % PROGRESS_EVERY == 0:
            progress(count)
        if len(cells) != len(table.header):
            plan.error(
                number, "", f"本行有{len(cells)}列，表头有{len(table.header)}列：请检查是否有未加引号的逗号"
            )
            continue
        value = {name: cells[i].strip() for name, i in index.items()}
        errors_before = len(plan.errors)
        if not value["department"]:
            plan.error(number, "department", "实施主体（department）不能为空")
        if not value["name"]:
            plan.error(number, "name", "事项名称（name）不能为空")
        task_type = value["taskType"]
        item_type = type_codes.get(int(task_type)) if task_type.isdigit() else None
        if item_type is None:
            plan.error(number, "taskType", f"事项类型代码“{value['taskType']}”无法识别，应为 {allowed} 之一")
        if not _AREA_CODE.match(value["areaCode"]):
            plan.error(number, "areaCode", f"行政区划代码“{value['areaCode']}”应为12位数字")
        query = parse_qs(urlparse(value["link"]).query)
        item_code = query.get("itemCode", [""])[0].strip()
        basic_code = basic_code_from_item_code(item_code) if item_code else None
        if not item_code:
            plan.error(number, "link", "链接中没有 itemCode 参数，无法确定事项的基本编码")
        elif basic_code is None:
            plan.error(number, "link", f"无法从 itemCode“{item_code}”得出12位基本编码（数字或大写字母）")
        if len(plan.errors) > errors_before:
            continue
        assert item_type is not None
        assert basic_code is not None
        division = value["areaCode"][:6]
        key = (division, value["department"])
        code_key = (division, value["department"], basic_code)
        if code_key in seen_codes:
            plan.error(
                number,
                "link",
                f"基本编码“{basic_code}”（由 itemCode 得出）与第{seen_codes[code_key]}行重复："
                "同一实施主体在同一层级不能有两个相同基本编码的事项",
            )
            continue
        seen_codes[code_key] = number
        try:
            cache_key = (value["name"], item_type)
            if cache_key not in clean_cache:
                clean_cache[cache_key] = elements_clean(_guangan_elements(value["name"], item_type))
            elements = clean_cache[cache_key]
        except ApplicationError as exc:
            _elements_errors(plan, number, exc, headers)
            continue
        department = departments.get(key)
        if department is None:
            department = departments[key] = PlannedDepartment(
                name=value["department"], division=division, credit_code=None, existing=None, first_row=number
            )
        department.rows += 1
        credit_votes[key].update(_credit_candidates(query))
        rows.append((number, department, basic_code, elements, value["main_item"], item_code))
    progress(len(table.rows))
    if not table.rows:
        plan.error(None, "", "文件中没有数据行")
    if plan.errors:
        return plan

    _plan_departments(plan, departments, credit_votes)
    existing_codes: set[tuple[int, str]] = set()
    existing_mains: dict[tuple[int, str], ServiceItem] = {}
    reused = [d.existing.pk for d in departments.values() if d.existing is not None]
    if reused:
        existing_codes = set(
            ServiceItem.objects.filter(department_id__in=reused, level=Level.COUNTY)
            .exclude(basic_code="")
            .values_list("department_id", "basic_code")
        )
        for main in ServiceItem.objects.filter(department_id__in=reused, kind=ItemKind.MAIN):
            existing_mains.setdefault((main.department_id, main.name), main)
    new_mains: dict[tuple[int, str], PlannedItem] = {}
    for number, department, basic_code, elements, main_name, item_code in rows:
        if department.existing is not None and (department.existing.pk, basic_code) in existing_codes:
            plan.skipped += 1
            continue
        parent: PlannedItem | ServiceItem | None = None
        if main_name and main_name != UNCLASSIFIED:
            main_key = (id(department), main_name)
            found = existing_mains.get((department.existing.pk, main_name)) if department.existing else None
            if found is not None:
                parent = found
            else:
                if main_key not in new_mains:
                    main_elements = elements_clean(_guangan_elements(main_name[:200], elements["item_type"]))
                    new_mains[main_key] = PlannedItem(
                        row=number,
                        kind=ItemKind.MAIN,
                        department=department,
                        level=Level.COUNTY,
                        basic_code="",
                        name=main_elements["name"],
                        elements=main_elements,
                    )
                    plan.items.append(new_mains[main_key])
                parent = new_mains[main_key]
        plan.items.append(
            PlannedItem(
                row=number,
                kind=ItemKind.HANDLING,
                department=department,
                level=Level.COUNTY,
                basic_code=basic_code,
                name=elements["name"],
                elements=elements,
                source_code=item_code[:100],
                parent=parent,
            )
        )
        plan.defaulted_days += 1
    return plan


def _plan_departments(
    plan: Plan,
    departments: dict[tuple[str, str], PlannedDepartment],
    credit_votes: dict[tuple[str, str], Counter[str]],
) -> None:
    """Find the district governments and the departments already there; give each new department
    the most common valid credit code of its rows that no other department holds (most rows first)."""
    taken = set(Department.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
    for division in sorted({d.division for d in departments.values()}):
        name = DIVISION_GOVERNMENTS.get(division, f"行政区划{division}人民政府")
        root = Department.objects.filter(name=name, division_code=division).order_by("depth", "pk").first()
        plan.roots[division] = PlannedDepartment(
            name=name, division=division, credit_code=None, existing=root
        )
        if root is not None:
            children = {child.name: child for child in Department.objects.get_children(root)}
            for department in departments.values():
                if department.division == division:
                    department.existing = children.get(department.name)
    ordered = sorted(departments.items(), key=lambda kv: (-kv[1].rows, kv[1].first_row))
    for key, department in ordered:
        plan.departments.append(department)
        if department.existing is not None:
            department.credit_code = department.existing.credit_code
            continue
        for code, _votes in sorted(credit_votes[key].items(), key=lambda cv: (-cv[1], cv[0])):
            if code not in taken:
                department.credit_code = code
                taken.add(code)
                break
        if department.credit_code is None:
            plan.warn(
                department.first_row,
                "link",
                f"{department.name}：源数据没有有效的统一社会信用代码，实施编码待补",
            )
    plan.departments.sort(key=lambda d: d.first_row)


# ——— the exchange format ———


_TRUE = {"是", "true", "1", "y", "yes", "√", "TRUE", "True"}
_FALSE = {"否", "false", "0", "n", "no", "", "FALSE", "False"}


def _parse_choice(column: Column, text: str) -> Any:
    for code, label in column.choices.choices:
        if text in (str(code), str(label)):
            return code
    raise ValueError(f"“{text}”不是有效的{column.header}")


def parse_cell(column: Column, text: str) -> Any:
    """The element value of a cell; raises ValueError with a Chinese message."""
    if column.kind == "int":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{column.header}应为整数，实为“{text}”") from None
        if not number.is_integer():
            raise ValueError(f"{column.header}应为整数，实为“{text}”")
        return int(number)
    if column.kind == "bool":
        if text in _TRUE or text.lower() in _TRUE:
            return True
        if text in _FALSE or text.lower() in _FALSE:
            return False
        raise ValueError(f"{column.header}应填“是”或“否”，实为“{text}”")
    if column.kind == "choice":
        return _parse_choice(column, text)
    if column.kind == "methods":
        parts = [p for p in re.split(r"[、,，;；/\s]+", text) if p]
        return [_parse_choice(column, p) for p in parts]
    if column.kind == "lines":
        entries = []
        for line in text.splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("|", PART_SEPARATOR).split(PART_SEPARATOR)]
            entry: dict[str, Any] = {}
            for index, key in enumerate(column.parts):
                value = parts[index] if index < len(parts) else ""
                if column.part_choices and key in column.part_choices and value:
                    value = _parse_choice(
                        Column(column.header, key, "choice", column.part_choices[key]), value
                    )
                entry[key] = value
            entries.append(entry)
        return entries
    if column.kind == "points":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text


def _header_index(
    table: Table, columns: Iterable[Column], plan: Plan, sheet: str = ""
) -> dict[str, int] | None:
    position = {header: i for i, header in enumerate(table.header) if header}
    missing = [c.header for c in columns if c.required and c.header not in position]
    if missing:
        plan.error(1, "", f"缺少必需的列：{'、'.join(missing)}", sheet)
        return None
    return {c.key: position[c.header] for c in columns if c.header in position}


def _read_cells(
    plan: Plan,
    table: Table,
    number: int,
    cells: list[str],
    columns: Iterable[Column],
    index: dict[str, int],
    sheet: str,
) -> dict[str, Any] | None:
    """Parsed values by key (only the columns present and non-blank, except text columns)."""
    values: dict[str, Any] = {}
    ok = True
    if table.strict_width and len(cells) != len(table.header):
        plan.error(
            number,
            "",
            f"本行有{len(cells)}列，表头有{len(table.header)}列：请检查是否有未加引号的逗号",
            sheet,
        )
        return None
    if not table.strict_width and any(c for c in cells[len(table.header) :]):
        plan.error(number, "", "本行在表头以外的列中有内容", sheet)
        return None
    for column in columns:
        if column.key not in index or column.kind == "info":
            continue
        text = cells[index[column.key]].strip() if index[column.key] < len(cells) else ""
        if text == "" and column.kind in ("int", "bool", "choice") and column.key != "nearby_level":
            continue
        try:
            values[column.key] = parse_cell(column, text)
        except ValueError as exc:
            plan.error(number, column.header, str(exc), sheet)
            ok = False
    return values if ok else None


class _Departments:
    def __init__(self) -> None:
        self.by_name: dict[str, list[Department]] = defaultdict(list)
        for department in Department.objects.all():
            self.by_name[department.name].append(department)
        self.planned: dict[int, PlannedDepartment] = {}

    def find(self, name: str, credit_code: str) -> tuple[PlannedDepartment | None, str]:
        candidates = self.by_name.get(name, [])
        if credit_code:
            code = uscc.compact(credit_code).upper()
            matching = [d for d in candidates if d.credit_code == code]
            if candidates and not matching:
                return None, f"实施主体“{name}”的统一社会信用代码与“{credit_code}”不一致"
            candidates = matching
        if not candidates:
            return None, f"实施主体“{name}”不存在，请先在部门管理中新建该部门"
        if len(candidates) > 1:
            return None, f"有多个名为“{name}”的部门，请填写实施主体统一社会信用代码以区分"
        department = candidates[0]
        if department.pk not in self.planned:
            self.planned[department.pk] = PlannedDepartment(
                name=department.name,
                division=department.division_code,
                credit_code=department.credit_code,
                existing=department,
            )
        return self.planned[department.pk], ""


def plan_exchange(document: Document, progress: Progress) -> Plan:
    plan = Plan(source_format="一窗事项交换格式")
    table = document.tables[0]
    item_columns = IDENTITY_COLUMNS + ELEMENT_COLUMNS + STATUS_COLUMNS
    headers = {c.key: c.header for c in item_columns} | {"materials": MATERIALS_SHEET}
    index = _header_index(table, item_columns, plan)
    if index is None:
        return plan
    materials = _read_materials(plan, document.table(MATERIALS_SHEET))
    departments = _Departments()
    used_material_groups: set[tuple[str, str]] = set()
    file_by_code: dict[tuple[int, str, str], PlannedItem] = {}
    file_by_name: dict[tuple[int, str], PlannedItem] = {}
    seen_code_rows: dict[tuple[int, str, str], int] = {}
    existing_codes = {
        (d, lvl, code): pk
        for pk, d, lvl, code in ServiceItem.objects.exclude(basic_code="").values_list(
            "pk", "department_id", "level", "basic_code"
        )
    }

    for count, (number, cells) in enumerate(table.rows, start=1):
        if count % PROGRESS_EVERY == 0:
            progress(count)
        values = _read_cells(plan, table, number, cells, item_columns, index, "")
        if values is None:
            continue
        errors_before = len(plan.errors)
        kind = values.get("kind")
        if kind is None:
            plan.error(number, "层级类别", "层级类别不能为空（主项、子项或办理项）")
            continue
        if values.get("status") == ItemStatus.RETIRED:
            plan.skipped += 1
            used_material_groups.add(
                (values.get("department", ""), normalize_basic_code(values.get("basic_code", "")))
            )
            continue
        level = values.get("level") or Level.COUNTY
        basic_code = normalize_basic_code(values.get("basic_code", ""))
        if basic_code and not _BASIC_CODE.match(basic_code):
            plan.error(number, "基本编码", f"基本编码“{basic_code}”应为12位数字或大写字母")
        if kind == ItemKind.HANDLING and not basic_code:
            plan.error(number, "基本编码", "办理项必须有基本编码")
        department, problem = None, "实施主体不能为空"
        if values.get("department"):
            department, problem = departments.find(values["department"], values.get("credit_code", ""))
        if department is None:
            plan.error(number, "实施主体", problem)
        if len(plan.errors) > errors_before:
            continue
        assert department is not None
        group = (department.name, basic_code)
        dept_pk = department.department.pk
        if basic_code:
            code_key = (dept_pk, level, basic_code)
            if code_key in seen_code_rows:
                plan.error(
                    number,
                    "基本编码",
                    f"基本编码“{basic_code}”与第{seen_code_rows[code_key]}行重复：同一实施主体在同一层级不能有两个相同基本编码的事项",
                )
                continue
            seen_code_rows[code_key] = number
            if code_key in existing_codes:
                plan.skipped += 1
                used_material_groups.add(group)
                continue
        elif ServiceItem.objects.filter(
            department_id=dept_pk, kind=kind, name=values.get("name", "")
        ).exists():
            plan.skipped += 1
            continue
        parent = _find_parent(plan, number, kind, dept_pk, level, values, file_by_code, file_by_name)
        if len(plan.errors) > errors_before:
            continue
        elements_in = {key: values[key] for key in (c.key for c in ELEMENT_COLUMNS) if key in values}
        group_rows = materials.get(group, []) if basic_code else []
        if group_rows:
            used_material_groups.add(group)
        elements_in["materials"] = [entry for _row, entry in group_rows]
        try:
            elements = elements_clean(elements_in)
        except ApplicationError as exc:
            _material_errors(plan, number, exc, headers, [row for row, _entry in group_rows])
            continue
        planned = PlannedItem(
            row=number,
            kind=kind,
            department=department,
            level=level,
            basic_code=basic_code,
            name=elements["name"],
            elements=elements,
            parent=parent,
        )
        plan.items.append(planned)
        if basic_code:
            file_by_code[(dept_pk, level, basic_code)] = planned
        file_by_name.setdefault((dept_pk, planned.name), planned)
    progress(len(table.rows))
    if not table.rows:
        plan.error(None, "", "文件中没有数据行")
    for group, group_rows in materials.items():
        if group not in used_material_groups:
            plan.error(
                group_rows[0][0],
                "基本编码",
                f"事项表中没有实施主体“{group[0]}”、基本编码“{group[1]}”的事项",
                MATERIALS_SHEET,
            )
    plan.departments = list(departments.planned.values())
    return plan


def _find_parent(
    plan: Plan,
    number: int,
    kind: str,
    dept_pk: int,
    level: str,
    values: dict[str, Any],
    file_by_code: dict[tuple[int, str, str], PlannedItem],
    file_by_name: dict[tuple[int, str], PlannedItem],
) -> PlannedItem | ServiceItem | None:
    code = normalize_basic_code(values.get("parent_code", ""))
    name = values.get("parent_name", "")
    if kind == ItemKind.MAIN:
        if code or name:
            plan.error(number, "上级事项基本编码", "主项不能有上级事项")
        return None
    if not code and not name:
        if kind == ItemKind.SUB:
            plan.error(number, "上级事项基本编码", "子项必须隶属于一个主项，请填写上级事项")
        return None
    parent: PlannedItem | ServiceItem | None
    if code:
        parent = file_by_code.get((dept_pk, level, code))
        if parent is None:
            parent = ServiceItem.objects.filter(department_id=dept_pk, level=level, basic_code=code).first()
    else:
        parent = file_by_name.get((dept_pk, name))
        if parent is None:
            parent = (
                ServiceItem.objects.filter(
                    department_id=dept_pk, name=name, kind__in=[ItemKind.MAIN, ItemKind.SUB]
                )
                .order_by("pk")
                .first()
            )
    if parent is None:
        plan.error(
            number,
            "上级事项基本编码",
            f"在同一实施主体中找不到上级事项“{code or name}”（上级事项须在本行之前或已在事项库中）",
        )
        return None
    allowed = {ItemKind.MAIN} if kind == ItemKind.SUB else {ItemKind.MAIN, ItemKind.SUB}
    if parent.kind not in allowed:
        plan.error(number, "层级类别", "上级事项的层级不正确：主项 → 子项 → 办理项")
        return None
    return parent


def _read_materials(
    plan: Plan, table: Table | None
) -> dict[tuple[str, str], list[tuple[int, dict[str, Any]]]]:
    groups: dict[tuple[str, str], list[tuple[int, int, dict[str, Any]]]] = defaultdict(list)
    if table is None:
        return {}
    index = _header_index(table, MATERIAL_COLUMNS, plan, MATERIALS_SHEET)
    if index is None:
        return {}
    for number, cells in table.rows:
        values = _read_cells(plan, table, number, cells, MATERIAL_COLUMNS, index, MATERIALS_SHEET)
        if values is None:
            continue
        department, code = values.pop("department", ""), normalize_basic_code(values.pop("basic_code", ""))
        if not department or not code:
            plan.error(number, "基本编码", "申请材料须填写实施主体和基本编码", MATERIALS_SHEET)
            continue
        position = values.pop("position", None)
        entry = {
            key: value
            for key, value in values.items()
            if key in MATERIAL_FIELDS or key in ("key", "review_points")
        }
        if not entry.get("key"):
            entry.pop("key", None)
        group = groups[(department, code)]
        group.append((position if position is not None else 10_000 + len(group), number, entry))
    return {
        key: [(number, entry) for _pos, number, entry in sorted(rows, key=lambda r: (r[0], r[1]))]
        for key, rows in groups.items()
    }


def _material_errors(
    plan: Plan, number: int, exc: ApplicationError, headers: dict[str, str], material_rows: list[int]
) -> None:
    material_headers = {c.key: c.header for c in MATERIAL_COLUMNS}
    for name, messages in exc.fields.items():
        parts = name.split(".")
        if (
            parts[0] == "materials"
            and len(parts) >= 2
            and parts[1].isdigit()
            and int(parts[1]) < len(material_rows)
        ):
            column = material_headers.get(parts[2], parts[2]) if len(parts) > 2 else ""
            for message in messages:
                plan.error(
                    material_rows[int(parts[1])], column, f"{column or '材料'}：{message}", MATERIALS_SHEET
                )
            continue
        header = headers.get(parts[0], name)
        for message in messages:
            plan.error(number, header, f"{header}：{message}")


# ——— writing ———


def _write(plan: Plan, *, actor: Any) -> dict[str, Any]:
    """Everything in one transaction (the caller's). Returns the counts for the report."""
    now = timezone.now()
    created_departments = 0
    for division, root in plan.roots.items():
        if root.existing is None:
            root.created = department_create(
                actor=actor,
                parent=None,
                name=root.name,
                kind=DepartmentKind.GOVERNMENT,
                division_code=division,
                credit_code=None,
            )
            created_departments += 1
    for department_plan in plan.departments:
        if department_plan.existing is None:
            department_plan.created = department_create(
                actor=actor,
                parent=plan.roots[department_plan.division].department,
                name=department_plan.name,
                kind=DepartmentKind.AGENCY,
                division_code=department_plan.division,
                credit_code=department_plan.credit_code,
            )
            created_departments += 1

    created: list[ServiceItem] = []
    for kind in (ItemKind.MAIN, ItemKind.SUB, ItemKind.HANDLING):
        batch = [p for p in plan.items if p.kind == kind]
        objects = []
        for planned in batch:
            parent = planned.parent
            if isinstance(parent, PlannedItem):
                parent = parent.created
            department = planned.department.department
            objects.append(
                ServiceItem(
                    kind=planned.kind,
                    parent=parent,
                    department=department,
                    level=planned.level,
                    basic_code=planned.basic_code,
                    source_code=planned.source_code,
                    name=planned.name,
                    implementation_code=implementation_code(
                        credit_code=department.credit_code, level=planned.level, basic_code=planned.basic_code
                    ),
                )
            )
        items = ServiceItem.objects.bulk_create(objects, batch_size=500)
        if items and not all(
            item.pk for item in items
        ):  # pragma: no cover — every supported backend returns ids
            raise RuntimeError("数据库未返回新事项的编号")
        for planned, item in zip(batch, items, strict=True):
            planned.created = item
        created += items

    planned_by_item = {id(p.created): p for p in plan.items}
    versions = ItemVersion.objects.bulk_create(
        [
            ItemVersion(
                item=item,
                number=1,
                change_kind=ChangeKind.IMPORT,
                published_at=now,
                published_by=actor,
                implementation_code=item.implementation_code,
                **{f: planned_by_item[id(item)].elements[f] for f in SCALAR_FIELDS},
                **{f: planned_by_item[id(item)].elements[f] for f in LIST_FIELDS},
            )
            for item in created
        ],
        batch_size=500,
    )
    materials: list[Material] = []
    points_for: list[list[str]] = []
    for item, version in zip(created, versions, strict=True):
        for position, entry in enumerate(planned_by_item[id(item)].elements["materials"], start=1):
            materials.append(
                Material(
                    version=version,
                    key=entry["key"],
                    position=position,
                    code=material_code(version.implementation_code, position),
                    **{f: entry[f] for f in MATERIAL_FIELDS},
                )
            )
            points_for.append(entry["review_points"])
    materials = Material.objects.bulk_create(materials, batch_size=500)
    ReviewPoint.objects.bulk_create(
        [
            ReviewPoint(material=material, position=index, text=text)
            for material, points in zip(materials, points_for, strict=True)
            for index, text in enumerate(points, start=1)
        ],
        batch_size=1000,
    )
    for item, version in zip(created, versions, strict=True):
        item.current_version = version
    ServiceItem.objects.bulk_update(created, ["current_version"], batch_size=500)
    for start in range(0, len(created), SEARCH_BATCH):
        search.search_index_items(items=created[start : start + SEARCH_BATCH])
    handling = sum(1 for item in created if item.kind == ItemKind.HANDLING)
    return {
        "created_departments": created_departments,
        "created_items": len(created),
        "created_handling_items": handling,
        "created_main_items": sum(1 for item in created if item.kind == ItemKind.MAIN),
        "created_sub_items": sum(1 for item in created if item.kind == ItemKind.SUB),
        "created_materials": len(materials),
        "skipped": plan.skipped,
        "item_ids": [item.pk for item in created],
    }


# ——— running an import ———


def _update(record: CatalogImport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    CatalogImport.objects.filter(pk=record.pk).update(**fields)


def catalog_import_start(
    *, actor: Any, file_name: str, content: bytes, background: bool | None = None
) -> CatalogImport:
    """Record an uploaded file and run its import: as a background job after commit (a queue worker, or
    a thread without one), or at once when ``background`` is False (or ``YICHUANG_JOBS_EAGER`` is set)."""
    policies.require_can_manage(actor)
    file_name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1] or "import.csv"
    if not content:
        raise ApplicationError("上传的文件是空的", code="empty_file", fields={"file": ["空文件"]})
    if len(content) > MAX_IMPORT_BYTES:
        raise ApplicationError("导入文件不能超过20MB", code="file_too_large", fields={"file": ["文件过大"]})
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    is_zip = content.startswith(b"PK\x03\x04")
    is_utf16 = content.startswith((b"\xff\xfe", b"\xfe\xff"))
    looks_binary = content.startswith(_BINARY_SIGNATURES) or (b"\x00" in content[:8192] and not is_utf16)
    if extension not in ("csv", "xlsx"):
        raise ApplicationError(
            "只能导入 .csv 或 .xlsx 文件", code="file_type", fields={"file": ["文件类型不允许"]}
        )
    if extension == "xlsx" and not is_zip:
        raise ApplicationError(
            "文件扩展名为 .xlsx，但内容不是 Excel 工作簿",
            code="file_type",
            fields={"file": ["文件内容与扩展名不符"]},
        )
    if extension == "csv" and (is_zip or looks_binary):
        raise ApplicationError(
            "文件内容不是 CSV 文本表格（可能是 Excel、PDF 或图片），请上传 CSV 或 .xlsx 文件",
            code="file_type",
            fields={"file": ["文件内容与扩展名不符"]},
        )
    if extension == "xlsx":
        xlsx_check(content)  # a zip bomb is refused before anything is stored or parsed
    with transaction.atomic():
        record = CatalogImport.objects.create(
            file_name=file_name[-200:], data=content, created_by=actor, status=ImportStatus.PENDING
        )
        audit_record(
            actor=actor,
            action="catalog.import.upload",
            obj=record,
            data={"file_name": record.file_name, "size": len(content)},
        )
    if background is None:
        background = not getattr(settings, "YICHUANG_JOBS_EAGER", False)
    if background:
        enqueue_on_commit(catalog_import_job, record.pk)
        return record
    return catalog_import_run(record.pk)


@task()
def catalog_import_job(import_id: int) -> str:
    """The background job (yichuang/core/jobs.py): the import's final status."""
    return str(catalog_import_run(import_id).status)


def catalog_import_run(import_id: int) -> CatalogImport:
    """Phase 1 (check every row, report progress) then phase 2 (write all in one transaction)."""
    record = CatalogImport.objects.select_related("created_by").get(pk=import_id)
    if record.status != ImportStatus.PENDING:
        return record
    _update(record, status=ImportStatus.VALIDATING)
    plan: Plan | None = None
    try:
        document = read_document(bytes(record.data), record.file_name)
        table = document.tables[0]
        _update(record, total_rows=len(table.rows))

        def progress(count: int) -> None:
            _update(record, processed_rows=count)

        if all(name in table.header for name in GUANGAN_COLUMNS):
            plan = plan_guangan(table, progress)
        elif "事项名称" in table.header and "实施主体" in table.header:
            plan = plan_exchange(document, progress)
        else:
            raise ImportFileError(
                "无法识别表头：应为一窗事项导出表（层级类别、实施主体、基本编码、事项名称……）"
                "或省级事项目录（department、main_item、name、taskType、areaCode、link）",
                row=1,
            )
        _update(record, source_format=f"{plan.source_format}（{document.kind.upper()}）"[:40])
        if plan.errors:
            return _fail(record, plan.errors, plan.warnings)
        _update(record, status=ImportStatus.WRITING)
        with transaction.atomic():
            counts = _write(plan, actor=record.created_by)
            warnings = _final_warnings(plan, counts)
            audit_record(
                actor=record.created_by,
                action="catalog.import.succeeded",
                obj=record,
                data={"file_name": record.file_name, "source_format": plan.source_format, **counts},
            )
            _update(
                record,
                status=ImportStatus.SUCCEEDED,
                created_items=counts["created_items"],
                created_departments=counts["created_departments"],
                warnings=warnings,
                finished_at=timezone.now(),
            )
    except ImportFileError as exc:
        return _fail(record, [{"row": exc.row, "column": exc.column, "message": exc.message}], [])
    except ApplicationError as exc:
        return _fail(
            record, [{"row": None, "column": "", "message": f"写入时出错，已全部撤销：{exc.message}"}], []
        )
    except Exception as exc:
        logger.exception("catalog import %s failed", import_id)
        return _fail(
            record,
            [
                {
                    "row": None,
                    "column": "",
                    "message": f"导入时发生意外错误，已全部撤销（{type(exc).__name__}）",
                }
            ],
            plan.warnings if plan else [],
        )
    return record


def _final_warnings(plan: Plan, counts: dict[str, Any]) -> list[dict[str, Any]]:
    warnings = list(plan.warnings)
    if plan.defaulted_days:
        warnings.append(
            {
                "row": None,
                "column": "",
                "level": "warning",
                "message": f"{plan.defaulted_days}个事项时限未提供，按法定默认20个工作日登记，请部门核实",
            }
        )
    if plan.skipped:
        warnings.append(
            {"row": None, "column": "", "level": "info", "message": f"{plan.skipped}行事项已存在，跳过"}
        )
    parts = [f"新增事项{counts['created_items']}个"]
    for key, label in (
        ("created_main_items", "主项"),
        ("created_sub_items", "子项"),
        ("created_handling_items", "办理项"),
    ):
        if counts[key]:
            parts.append(f"{label}{counts[key]}个")
    if counts["created_materials"]:
        parts.append(f"申请材料{counts['created_materials']}项")
    warnings.append({"row": None, "column": "", "level": "info", "message": "，".join(parts)})
    return warnings


def _fail(
    record: CatalogImport, errors: list[dict[str, Any]], warnings: list[dict[str, Any]]
) -> CatalogImport:
    reported = errors[:MAX_REPORTED_ERRORS]
    if len(errors) > MAX_REPORTED_ERRORS:
        reported.append(
            {
                "row": None,
                "column": "",
                "message": f"另有{len(errors) - MAX_REPORTED_ERRORS}处错误未列出，请先修改以上错误",
            }
        )
    _update(
        record,
        status=ImportStatus.FAILED,
        errors=reported,
        warnings=warnings,
        created_items=0,
        created_departments=0,
        finished_at=timezone.now(),
    )
    audit_record(
        actor=record.created_by,
        action="catalog.import.failed",
        obj=record,
        data={"file_name": record.file_name, "errors": len(errors)},
    )
    return record


def catalog_import_summary(record: CatalogImport) -> dict[str, Any]:
    """The JSON shape of an import for the API and the polling screen."""
    return {
        "id": record.pk,
        "file_name": record.file_name,
        "status": record.status,
        "status_label": record.get_status_display(),
        "source_format": record.source_format,
        "total_rows": record.total_rows,
        "processed_rows": record.processed_rows,
        "created_items": record.created_items,
        "created_departments": record.created_departments,
        "errors": record.errors,
        "warnings": record.warnings,
        "created_at": record.created_at.isoformat() if record.created_at else None,
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
    }
