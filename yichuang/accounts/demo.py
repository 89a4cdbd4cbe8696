"""The demo centre: 乌拉特中旗 (150824) with its departments, stations, staff for every role, and
applicants. Loaded by ``manage.py demo_load``; safe to run again (it skips what exists)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from stdnum.cn import ric, uscc

from yichuang.accounts import services
from yichuang.accounts.models import Applicant, ApplicantKind, Department, DepartmentKind, User
from yichuang.accounts.roles import Role
from yichuang.core.audit import audit_record

DEMO_PASSWORD = "yichuang-2026"
COUNTY = "150824"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(body: str) -> str:
    """GB 11714 organisation code: 8 characters plus its check character."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(kind_prefix: str, division: str, org_body: str) -> str:
    """统一社会信用代码 (GB 32100): registration authority and type, division, organisation code."""
    first17 = kind_prefix + division[:6] + organisation_code(org_body)
    return first17 + uscc.calc_check_digit(first17)


def id_number(division: str, birth: str, sequence: int) -> str:
    body = f"{division}{birth}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


@dataclass(frozen=True)
class DemoDepartment:
    key: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    division: str = COUNTY
    prefix: str = "11"  # 11 机关, 12 事业单位, 91 企业


G, A, C, INST, E = (
    DepartmentKind.GOVERNMENT,
    DepartmentKind.AGENCY,
    DepartmentKind.CENTRE,
    DepartmentKind.INSTITUTION,
    DepartmentKind.ENTERPRISE,
)
T, V = DepartmentKind.TOWNSHIP_STATION, DepartmentKind.VILLAGE_STATION

DEPARTMENTS = [
    DemoDepartment("gov", "乌拉特中旗人民政府", "旗政府", G, None),
    DemoDepartment("zsj", "乌拉特中旗政务服务与数据管理局", "旗政数局", A, "gov"),
    DemoDepartment("centre", "乌拉特中旗政务服务中心", "政务服务中心", C, "zsj", prefix="12"),
    DemoDepartment("hotline", "乌拉特中旗12345政务服务便民热线中心", "12345热线", C, "zsj", prefix="12"),
    DemoDepartment("scjg", "乌拉特中旗市场监督管理局", "市场监管局", A, "gov"),
    DemoDepartment("wjw", "乌拉特中旗卫生健康委员会", "卫健委", A, "gov"),
    DemoDepartment("gaj", "乌拉特中旗公安局", "公安局", A, "gov"),
    DemoDepartment("zrzy", "乌拉特中旗自然资源局", "自然资源局", A, "gov"),
    DemoDepartment("bdc", "乌拉特中旗不动产登记中心", "不动产中心", INST, "zrzy", prefix="12"),
    DemoDepartment("zjj", "乌拉特中旗住房和城乡建设局", "住建局", A, "gov"),
    DemoDepartment("rsj", "乌拉特中旗人力资源和社会保障局", "人社局", A, "gov"),
    DemoDepartment("ybj", "乌拉特中旗医疗保障局", "医保局", A, "gov"),
    DemoDepartment("swj", "国家税务总局乌拉特中旗税务局", "税务局", A, "gov"),
    DemoDepartment("mzj", "乌拉特中旗民政局", "民政局", A, "gov"),
    DemoDepartment("jtj", "乌拉特中旗交通运输局", "交通运输局", A, "gov"),
    DemoDepartment(
        "power", "国网内蒙古东部电力有限公司乌拉特中旗供电分公司", "供电公司", E, "gov", prefix="91"
    ),
    DemoDepartment("water", "乌拉特中旗城市供水有限责任公司", "供水公司", E, "gov", prefix="91"),
    DemoDepartment("heat", "乌拉特中旗热力有限责任公司", "供热公司", E, "gov", prefix="91"),
    DemoDepartment("gas", "乌拉特中旗天然气有限责任公司", "燃气公司", E, "gov", prefix="91"),
    DemoDepartment("hlt", "海流图镇便民服务中心", "海流图镇", T, "gov", "150824100", "12"),
    DemoDepartment("hlt_1", "海流图镇团结社区便民服务站", "团结社区", V, "hlt", "150824100001", "12"),
    DemoDepartment("hlt_2", "海流图镇新华社区便民服务站", "新华社区", V, "hlt", "150824100002", "12"),
    DemoDepartment("wjh", "乌加河镇便民服务中心", "乌加河镇", T, "gov", "150824101", "12"),
    DemoDepartment("wjh_1", "乌加河镇八一嘎查便民服务站", "八一嘎查", V, "wjh", "150824101201", "12"),
    DemoDepartment("dls", "德岭山镇便民服务中心", "德岭山镇", T, "gov", "150824102", "12"),
    DemoDepartment("hlst", "呼鲁斯太苏木便民服务中心", "呼鲁斯太苏木", T, "gov", "150824201", "12"),
]

# (username, full name, role, department key, phone)
STAFF = [
    ("admin", "高志强", Role.ADMIN, "zsj", "13904780001"),
    ("inspector", "孟庆华", Role.INSPECTOR, "zsj", "13904780002"),
    ("clerk", "张晓梅", Role.CLERK, "centre", "13904780011"),
    ("clerk2", "乌云其其格", Role.CLERK, "centre", "13904780012"),
    ("issuer", "赵丽娜", Role.ISSUER, "centre", "13904780013"),
    ("helper", "苏日娜", Role.HELPER, "centre", "13904780014"),
    ("reviewer", "刘建军", Role.REVIEWER, "scjg", "13904780021"),
    ("chief_rep", "巴图", Role.CHIEF_REP, "scjg", "13904780022"),
    ("reviewer_wjw", "陈淑芬", Role.REVIEWER, "wjw", "13904780031"),
    ("reviewer_bdc", "那日苏", Role.REVIEWER, "bdc", "13904780041"),
    ("operator", "李娜", Role.OPERATOR, "hotline", "13904780051"),
    ("handler", "王海军", Role.HANDLER, "zjj", "13904780061"),
    ("clerk_hlt", "额尔敦", Role.CLERK, "hlt", "13904780071"),
]

NATURAL_NAMES = [
    "王建国", "巴特尔", "乌云其其格", "李秀英", "苏和", "张伟", "萨仁高娃", "刘芳", "阿拉坦仓",
    "其木格", "赵德胜", "娜仁花", "陈志刚", "额尔德尼", "孙桂兰", "朝鲁", "杨丽", "宝音图",
    "周海燕", "斯琴",
]  # fmt: skip
STREETS = ["团结", "新华", "乌兰", "草原"]
COMPANIES = [
    ("乌拉特中旗草原牧歌餐饮有限公司", "巴特尔", "MA0N1A2B"),
    ("乌拉特中旗海流图镇惠民超市", "刘芳", "MA0N1C3D"),
    ("巴彦淖尔市金草原羊绒制品有限公司", "朝鲁", "MA0N2E4F"),
    ("乌拉特中旗德岭山种养殖专业合作社", "赵德胜", "MA0N3G5H"),
    ("内蒙古乌拉特中旗宏达建筑工程有限公司", "陈志刚", "MA0N4J6K"),
    ("乌拉特中旗蒙源肉食品加工厂", "宝音图", "MA0N5L7M"),
]


@transaction.atomic
def load_demo(*, out: Any = None) -> User:
    """Create what is missing of the demo centre and return its admin user."""
    admin = _bootstrap_admin()
    departments: dict[str, Department] = {}
    for index, spec in enumerate(DEPARTMENTS, start=1):
        code = _department_code(index)
        existing = Department.objects.filter(credit_code=code).first()
        if existing is None:
            existing = services.department_create(
                actor=admin,
                parent=departments[spec.parent] if spec.parent else None,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                division_code=spec.division,
                credit_code=code,
            )
        departments[spec.key] = existing
    if admin.department_id is None:
        User.objects.filter(pk=admin.pk).update(department=departments["zsj"])
        admin.refresh_from_db()
    for username, full_name, role, dept_key, phone in STAFF:
        if not User.objects.filter(username=username).exists():
            services.staff_create(
                actor=admin,
                username=username,
                password=DEMO_PASSWORD,
                full_name=full_name,
                role=role,
                department=departments[dept_key],
                phone=phone,
            )
    _load_applicants(admin)
    return admin


def _department_code(index: int) -> str:
    spec = DEPARTMENTS[index - 1]
    return credit_code(spec.prefix, spec.division, f"7{index:07d}")


def _system_department(index: int, parent: Department | None) -> Department:
    """Create one of the first departments before any admin exists (system actor, audited)."""
    spec, code = DEPARTMENTS[index - 1], _department_code(index)
    node = Department.objects.filter(credit_code=code).first()
    if node is not None:
        return node
    instance = Department(
        name=spec.name,
        short_name=spec.short_name,
        kind=spec.kind,
        division_code=spec.division,
        credit_code=code,
    )
    if parent is None:
        node = Department.objects.add_root(instance=instance)
    else:
        node = Department.objects.add_child(parent, instance=instance)
    audit_record(actor=None, action="department.create", obj=node, data={"name": node.name})
    return node


def _bootstrap_admin() -> User:
    admin = User.objects.filter(username="admin").first()
    if admin is not None:
        return admin
    # The very first admin has nobody to create it: the system does, and says so in the log.
    zsj = _system_department(2, _system_department(1, None))
    admin = User(username="admin", full_name="高志强", role=Role.ADMIN, department=zsj, phone="13904780001")
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    audit_record(actor=None, action="staff.create", obj=admin, data={"username": "admin", "role": "admin"})
    return admin


def _load_applicants(admin: User) -> None:
    rng = random.Random(150824)
    for index, name in enumerate(NATURAL_NAMES):
        # Draw every random value first, so a second run produces the same people.
        birth = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        phone = f"139{rng.randint(10000000, 99999999)}"
        address = f"乌拉特中旗海流图镇{rng.choice(STREETS)}社区{rng.randint(1, 30)}号"
        number = id_number(COUNTY, birth, 100 + index)
        if Applicant.objects.by_id_number(number).exists():
            continue
        services.applicant_register(
            actor=admin,
            kind=ApplicantKind.NATURAL,
            name=name,
            id_number=number,
            phone=phone,
            address=address,
        )
    for index, (name, representative, body) in enumerate(COMPANIES):
        code = credit_code("92" if "超市" in name else "91", COUNTY, body)
        if Applicant.objects.filter(credit_code=code).exists():
            continue
        services.applicant_register(
            actor=admin,
            kind=ApplicantKind.LEGAL,
            name=name,
            credit_code=code,
            legal_representative=representative,
            phone=f"0478-62{index:05d}",
            address="乌拉特中旗海流图镇",
        )
    _link_applicant_login("applicant", "王建国", Applicant.objects.filter(name="王建国").first())
    _link_applicant_login("company", "草原牧歌餐饮", Applicant.objects.filter(name=COMPANIES[0][0]).first())


def _link_applicant_login(username: str, full_name: str, applicant: Applicant | None) -> None:
    if applicant is None or User.objects.filter(username=username).exists():
        return
    user = User(username=username, full_name=full_name, role=Role.APPLICANT)
    user.set_password(DEMO_PASSWORD)
    user.save()
    Applicant.objects.filter(pk=applicant.pk).update(user=user)
    audit_record(
        actor=None,
        action="applicant.account_link",
        obj=applicant,
        data={"username": username, "applicant_id": applicant.pk},
    )


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(role label, username, password, department) for the printout."""
    rows = []
    for user in User.objects.select_related("department").order_by("role", "username"):
        rows.append((user.get_role_display(), user.username, DEMO_PASSWORD, str(user.department or "—")))
    return rows
