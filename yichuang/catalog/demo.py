"""The demo catalogue: the items of ``demo_items`` loaded through the real change-request services,
each proposed by its department's staff (the admin where the department has none) and approved by the
admin, plus a short change history — a few second versions, open proposals and one rejection — so
that every catalogue screen has data. Safe to run again: what exists is skipped.

Called by ``manage.py demo_load`` after ``yichuang.accounts.demo.load_demo()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from yichuang.accounts import services as account_services
from yichuang.accounts.demo import COUNTY, DEPARTMENTS, _department_code, credit_code
from yichuang.accounts.models import Department, DepartmentKind, User
from yichuang.catalog import policies, services
from yichuang.catalog.demo_items import (
    CATALOG,
    EXTRA_DEPARTMENTS,
    HOURS,
    PLACES,
    STEPS_IMMEDIATE,
    STEPS_PROMISED,
)
from yichuang.catalog.elements import version_elements
from yichuang.catalog.models import ChangeRequest, ItemKind, ServiceItem

LEVEL = "4"  # 旗县级

# 基本编码 = item type (2) + department (3) + main item (2) + sub item (2) + handling item (3).
TYPE_DIGITS = {
    "licensing": "01",
    "payment": "05",
    "confirmation": "07",
    "reward": "08",
    "adjudication": "09",
    "other_power": "10",
    "public_service": "20",
}
DEPARTMENT_LETTERS = {
    "scjg": "SCJ",
    "gaj": "GAJ",
    "wjw": "WJW",
    "zrzy": "ZRZ",
    "bdc": "BDC",
    "zjj": "ZJJ",
    "swj": "SWJ",
    "rsj": "RSJ",
    "ybj": "YBJ",
    "mzj": "MZJ",
    "jtj": "JTJ",
    "power": "GDG",
    "water": "GSG",
    "gas": "RQG",
    "heat": "GRG",
    "centre": "ZWZ",
    "gjj": "GJJ",
    "cl": "CLH",
}
# Who proposes a department's items: its catalogue staff in the demo, else the admin.
PROPOSERS = {"scjg": ("chief_rep", "reviewer"), "wjw": ("reviewer_wjw",), "bdc": ("reviewer_bdc",)}
CREATE_REASON = "按照全区统一事项要素梳理本部门政务服务事项，编制实施清单和办事指南，申请发布"


def basic_code(*, item_type: str, department: str, main: int, sub: int = 0, handling: int = 0) -> str:
    return f"{TYPE_DIGITS[item_type]}{DEPARTMENT_LETTERS[department]}{main:02d}{sub:02d}{handling:03d}"


@dataclass
class _Run:
    admin: User
    departments: dict[str, Department]
    proposers: dict[str, list[User]]
    counts: dict[str, int]
    out: Any

    def proposer(self, key: str) -> User:
        users = self.proposers.get(key) or [self.admin]
        users.append(users.pop(0))  # take turns, so the history shows several people
        return users[-1]

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)


def load_demo_catalog(*, admin: User, out: Any = None) -> dict[str, Any]:
    """Load the demo catalogue; return counts (created, skipped, edited, open, rejected, seconds)."""
    started = time.perf_counter()
    with transaction.atomic():
        run = _Run(
            admin=admin,
            departments=_departments(admin),
            proposers={},
            counts={
                "departments_created": 0,
                "items_created": 0,
                "handling_created": 0,
                "items_skipped": 0,
                "versions_edited": 0,
                "open_requests": 0,
                "rejected_requests": 0,
            },
            out=out,
        )
        run.counts["departments_created"] = _extra_departments(run)
        run.proposers = _proposers(run)
        main_numbers: dict[str, int] = {}
        for main in CATALOG:
            key = main["department"]
            main_numbers[key] = main_numbers.get(key, 0) + 1
            _load_main(run, main, main_numbers[key])
        _load_history(run)
    result: dict[str, Any] = dict(run.counts)
    result["seconds"] = round(time.perf_counter() - started, 2)
    run.say(
        f"事项库演示数据：新增事项 {result['items_created']} 个（办理项 {result['handling_created']} 个），"
        f"跳过已有 {result['items_skipped']} 个，用时 {result['seconds']} 秒"
    )
    return result


# ——— departments and people ———


def _departments(admin: User) -> dict[str, Department]:
    codes = {spec.key: _department_code(index) for index, spec in enumerate(DEPARTMENTS, start=1)}
    found = {d.credit_code: d for d in Department.objects.filter(credit_code__in=codes.values())}
    return {key: found[code] for key, code in codes.items() if code in found}


def _extra_department_code(key: str) -> str:
    prefix = "12" if key == "gjj" else "13"  # 事业单位 · 群团组织
    return credit_code(prefix, COUNTY, EXTRA_DEPARTMENTS[key][2])


def _extra_departments(run: _Run) -> int:
    """The 公积金管理部 and 残联 the catalogue needs but the accounts demo does not create."""
    created = 0
    for key, (name, short_name, _body) in EXTRA_DEPARTMENTS.items():
        code = _extra_department_code(key)
        existing = Department.objects.filter(credit_code=code).first()
        if existing is None:
            existing = account_services.department_create(
                actor=run.admin,
                parent=run.departments["gov"],
                name=name,
                short_name=short_name,
                kind=DepartmentKind.INSTITUTION if key == "gjj" else DepartmentKind.AGENCY,
                division_code=COUNTY,
                credit_code=code,
            )
            created += 1
        run.departments[key] = existing
    return created


def _proposers(run: _Run) -> dict[str, list[User]]:
    found: dict[str, list[User]] = {}
    for key, usernames in PROPOSERS.items():
        department = run.departments.get(key)
        users = [
            user
            for user in User.objects.filter(username__in=usernames, is_active=True).order_by("username")
            if department is not None and policies.can_propose_for(user, department)
        ]
        if users:
            found[key] = users
    return found


# ——— items ———


def _handling_elements(spec: dict[str, Any], department: str) -> dict[str, Any]:
    place, phone = PLACES[department]
    immediate = spec["case_kind"] == "1"
    defaults: dict[str, Any] = {
        "service_object": "both",
        "process_steps": STEPS_IMMEDIATE if immediate else STEPS_PROMISED,
        "special_procedures": [],
        "fees": [],
        "online_depth": 3,
        "visits_required": 1,
        "tongban_scope": "none",
        "nearby_level": "",
        "stationed": True,
        "negative_reason": "",
        "delivery_methods": ["window", "post", "online"]
        if spec["result_licence_type_code"]
        else ["window", "post"],
        "commitment_allowed": False,
        "intermediary_services": [],
        "handling_place": place,
        "handling_hours": HOURS,
        "contact_phone": phone,
        "complaint_phone": "12345",
    }
    return {**defaults, **{k: v for k, v in spec.items() if k != "kind"}}


def _group_elements(
    spec: dict[str, Any], department: str, item_type: str, handlings: list[dict[str, Any]]
) -> dict[str, Any]:
    """A main or sub item's elements: those of its first handling item, named and summarised for the group."""
    first = _handling_elements(handlings[0], department)
    words: list[str] = []
    for child in handlings:
        words += [w for w in child["keywords"].split() if w not in words]
    keywords = ""
    for word in words:
        if len(keywords) + len(word) + 1 > 300:
            break
        keywords = f"{keywords} {word}".strip()
    names = "、".join(child["name"] for child in handlings)
    return {
        **first,
        "name": spec["name"],
        "item_type": item_type,
        "keywords": keywords,
        "plain_summary": f"本事项包括{len(handlings)}个办理项：{names}。请按要办的具体事情选择对应的办理项。",
        "materials": [],
    }


def _handlings_under(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for child in spec.get("children", []):
        found += [child] if child["kind"] == "handling" else _handlings_under(child)
    return found


def _publish(
    run: _Run,
    *,
    department: str,
    kind: str,
    code: str,
    elements: dict[str, Any],
    parent: ServiceItem | None,
) -> ServiceItem:
    dept = run.departments[department]
    existing = ServiceItem.objects.filter(department=dept, level=LEVEL, basic_code=code).first()
    if existing is not None:
        run.counts["items_skipped"] += 1
        return existing
    change_request = services.change_request_propose_create(
        actor=run.proposer(department),
        department=dept,
        item_kind=kind,
        level=LEVEL,
        basic_code=code,
        elements=elements,
        reason=CREATE_REASON,
        parent=parent,
    )
    version = services.change_request_approve(
        actor=run.admin, change_request=change_request, reason="要素齐全，符合编制规范，同意发布"
    )
    run.counts["items_created"] += 1
    if kind == ItemKind.HANDLING:
        run.counts["handling_created"] += 1
    return ServiceItem.objects.get(pk=version.item_id)


def _load_main(run: _Run, spec: dict[str, Any], number: int) -> None:
    department, item_type = spec["department"], spec["item_type"]
    main_item = _publish(
        run,
        department=department,
        kind=ItemKind.MAIN,
        code=basic_code(item_type=item_type, department=department, main=number),
        elements=_group_elements(spec, department, item_type, _handlings_under(spec)),
        parent=None,
    )
    sub_number = handling_number = 0
    for child in spec["children"]:
        if child["kind"] == "handling":
            handling_number += 1
            _publish(
                run,
                department=department,
                kind=ItemKind.HANDLING,
                code=basic_code(
                    item_type=item_type, department=department, main=number, handling=handling_number
                ),
                elements=_handling_elements(child, department),
                parent=main_item,
            )
            continue
        sub_number += 1
        handlings = _handlings_under(child)
        sub_item = _publish(
            run,
            department=department,
            kind=ItemKind.SUB,
            code=basic_code(item_type=item_type, department=department, main=number, sub=sub_number),
            elements=_group_elements(child, department, handlings[0]["item_type"], handlings),
            parent=main_item,
        )
        for index, grandchild in enumerate(handlings, start=1):
            _publish(
                run,
                department=department,
                kind=ItemKind.HANDLING,
                code=basic_code(
                    item_type=item_type, department=department, main=number, sub=sub_number, handling=index
                ),
                elements=_handling_elements(grandchild, department),
                parent=sub_item,
            )


# ——— change history: second versions, open proposals, a rejection ———


def _materials_with(elements: dict[str, Any], key: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**m, **changes} if m["key"] == key else m for m in elements["materials"]]


@dataclass(frozen=True)
class _Change:
    department: str
    item_name: str
    reason: str
    changes: Callable[[dict[str, Any]], dict[str, Any]]
    outcome: str  # "approve" · "open" · "reject"
    decision: str = ""


HISTORY = [
    _Change(
        "scjg",
        "食品经营许可（新办）",
        "落实“高效办成一件事”要求，承诺办结时限由10个工作日压缩至5个工作日",
        lambda e: {"promised_days": 5},
        "approve",
    ),
    _Change(
        "bdc",
        "国有建设用地使用权及房屋所有权转移登记（二手房买卖）",
        "二手房交易“一件事”实行网签、缴税、登记一窗办理，承诺时限由5个工作日压缩至3个工作日",
        lambda e: {"promised_days": 3},
        "approve",
    ),
    _Change(
        "zjj",
        "建筑工程施工许可证核发",
        "按照重大项目承诺制容缺受理要求，“施工场地已经基本具备施工条件的说明”改为容缺后补",
        lambda e: {
            "materials": _materials_with(
                e, "site", necessity="3", note="可容缺受理，申请人书面承诺后在开工前补交。"
            )
        },
        "approve",
    ),
    _Change(
        "rsj",
        "城乡居民基本养老保险待遇申领",
        "服务下沉：待遇申领延伸到嘎查村（社区）便民服务站受理",
        lambda e: {"nearby_level": "village"},
        "approve",
    ),
    _Change(
        "wjw",
        "公共场所卫生许可（新办）",
        "落实“证照分离”改革，公共场所卫生许可实行告知承诺，承诺时限压缩至5个工作日",
        lambda e: {"commitment_allowed": True, "promised_days": 5},
        "approve",
    ),
    _Change(
        "wjw",
        "医师执业注册（首次）",
        "申请将承诺办结时限由10个工作日压缩至7个工作日",
        lambda e: {"promised_days": 7},
        "open",
    ),
    _Change(
        "scjg",
        "个体工商户设立登记",
        "补充群众常用说法（网店、直播带货），白话版说明增加网店经营者办理提示",
        lambda e: {
            "keywords": e["keywords"] + " 网店 直播带货",
            "plain_summary": e["plain_summary"] + "开网店的，可以用网络经营场所登记。",
        },
        "open",
    ),
    _Change(
        "bdc",
        "抵押权注销登记",
        "申请改为全程网办（零跑动），由银行在线提交注销申请",
        lambda e: {"visits_required": 0, "online_depth": 4},
        "reject",
        "银行端“不动产登记+金融服务”平台尚未在我旗上线，暂不具备全程网办条件，请平台对接完成后再提交。",
    ),
]
# A proposed new item, left open for the admin's decision.
NEW_ITEM_PROPOSAL = {
    "department": "wjw",
    "parent_name": "医疗机构执业登记",
    "code_suffix": 901,
    "reason": "落实诊所备案管理改革，新增“诊所备案”办理项",
    "elements": {
        "name": "诊所备案",
        "item_type": "other_power",
        "legal_basis": "《医疗机构管理条例》；《医疗机构管理条例实施细则》",
        "acceptance_conditions": "单独设置的诊所，具有与执业相适应的场所、设备设施和卫生技术人员。",
        "legal_days": 5,
        "promised_days": 0,
        "case_kind": "1",
        "result_type": "30",
        "result_name": "诊所备案凭证",
        "keywords": "开诊所 诊所备案 开个体诊所",
        "plain_summary": "开诊所不用审批，材料齐全当场备案，之后卫健部门上门检查。",
        "materials": [
            {
                "key": "apply",
                "name": "诊所备案信息表",
                "material_type": "application_form",
                "review_points": ["负责人签字", "诊疗科目与人员资质相符"],
            },
            {
                "key": "staff",
                "name": "诊所卫生技术人员名录及执业证书",
                "material_type": "staff_roster",
                "originals": 0,
                "copies": 1,
                "review_points": ["执业地点为本诊所"],
            },
        ],
    },
}


def _load_history(run: _Run) -> None:
    for change in HISTORY:
        department = run.departments[change.department]
        if ChangeRequest.objects.filter(department=department, reason=change.reason).exists():
            continue
        item = ServiceItem.objects.select_related("current_version").get(
            department=department, level=LEVEL, kind=ItemKind.HANDLING, name=change.item_name
        )
        assert item.current_version is not None
        change_request = services.change_request_propose_edit(
            actor=run.proposer(change.department),
            item=item,
            elements=change.changes(version_elements(item.current_version)),
            reason=change.reason,
        )
        if change.outcome == "approve":
            services.change_request_approve(actor=run.admin, change_request=change_request, reason="同意")
            run.counts["versions_edited"] += 1
        elif change.outcome == "reject":
            services.change_request_reject(
                actor=run.admin, change_request=change_request, reason=change.decision
            )
            run.counts["rejected_requests"] += 1
        else:
            run.counts["open_requests"] += 1
    _propose_new_item(run)


def _propose_new_item(run: _Run) -> None:
    spec = NEW_ITEM_PROPOSAL
    key = str(spec["department"])
    department = run.departments[key]
    if ChangeRequest.objects.filter(department=department, reason=spec["reason"]).exists():
        return
    parent = ServiceItem.objects.get(
        department=department, level=LEVEL, kind=ItemKind.MAIN, name=spec["parent_name"]
    )
    elements = _handling_elements({**spec["elements"], "result_licence_type_code": ""}, key)  # type: ignore[dict-item]
    services.change_request_propose_create(
        actor=run.proposer(key),
        department=department,
        item_kind=ItemKind.HANDLING,
        level=LEVEL,
        basic_code=parent.basic_code[:9] + f"{spec['code_suffix']:03d}",
        elements=elements,
        reason=str(spec["reason"]),
        parent=parent,
    )
    run.counts["open_requests"] += 1
