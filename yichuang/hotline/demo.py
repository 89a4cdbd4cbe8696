"""Demo 12345 data: the classification, a few dispatch-directory entries, the real appeals of
``fuzhou_appeals.csv`` as history (``appeals_import``, ``DEMO_APPEALS`` rows), and the last sixty days of the
banner's own tickets — mostly closed, a handful open in every state (待派单, 待签收 and one past its sign
limit, 退单待审核, 办理中 and one past its handling limit, 挂账, 待回访, 并单, 直接办结) — taken through the
services, so that the desks, the figures and the hot topics have data. The recent tickets repeat a few
matters at a few places (供暖 in 海流图镇 rising, 物业 in 团结社区 falling, 路灯 in 乌加河镇 new …).

Deterministic relative to ``now``; each part is skipped when it is there already (the recent tickets by
their idempotency keys ``demo-hotline:…``, the appeals by their hashes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yichuang.accounts.demo import DEPARTMENTS
from yichuang.accounts.models import Department, User
from yichuang.accounts.policies import department_in_scope
from yichuang.accounts.roles import Role
from yichuang.core.permissions import has_capability
from yichuang.core.shared_data import shared_data_file
from yichuang.hotline import tickets
from yichuang.hotline.appeals_import import LEAD_WORDS, appeals_import
from yichuang.hotline.directory import directory_entry_create
from yichuang.hotline.models_taxonomy import DirectoryEntry, HotlineCategory
from yichuang.hotline.models_tickets import CallBackResult, HotlineTicket
from yichuang.hotline.taxonomy import taxonomy_import, taxonomy_read

__all__ = ["DEMO_APPEALS", "load_demo_hotline"]

DEMO_APPEALS = 300
APPEALS_FILE = ("hotline", "fuzhou_appeals.csv")
TAXONOMY_FILE = ("hotline", "taxonomy.csv")
KEY_PREFIX = "demo-hotline:"

HEAT = "城乡建设/城市建设和市政管理/冬季采暖"
PROPERTY = "城乡建设/住房保障与房地产/物业服务"
LIGHTS = "城乡建设/城市建设和市政管理/城市公共设施"
WATER_SUPPLY = "城乡建设/城市建设和市政管理/自来水供应"
FOOD = "卫生计生/食品药品监管/食品安全"
WAGES = "劳动和社会保障/工资福利/工资发放"
PENSION = "劳动和社会保障/城镇职工社会保险/职工养老保险"
FUND = "城乡建设/住房保障与房地产/住房公积金"
RIVERS = "环境保护/环境污染/水污染"
NOISE = "环境保护/环境污染/噪音污染"

# 派单目录: category → lead (and co-handlers), keys of the demo departments; "appeals": the rivers' lead.
DIRECTORY = [
    (HEAT, "heat", (), "供热经营许可和供热服务规范"),
    (PROPERTY, "zjj", (), "物业服务企业监督管理职责"),
    (LIGHTS, "zjj", (), "市政公用设施维护职责"),
    (WATER_SUPPLY, "water", (), "城市供水服务规范"),
    (FOOD, "scjg", ("wjw",), "食品安全监督管理职责；卫健委协办食源性疾病"),
    (WAGES, "rsj", (), "劳动保障监察职责（根治欠薪）"),
    (RIVERS, "appeals", (), "水污染防治职责"),
    (NOISE, "appeals", (), "环境噪声污染防治职责"),
]

COMMUNITIES = ("幸福里小区", "阳光花园", "乌兰小区", "团结小区")


@dataclass(frozen=True)
class Matter:
    category: str
    lead: str  # key of the demo department
    division: str
    address: str
    nature: str
    texts: tuple[tuple[str, str], ...]  # (title, content); "{place}" is a community


MATTERS = {
    "heat": Matter(
        HEAT,
        "heat",
        "150824100",
        "海流图镇{place}",
        "complaint",
        (
            (
                "小区暖气不热",
                "海流图镇{place}暖气不热，室内温度只有十四五度，老人孩子受冻，请供热公司尽快排查供暖问题。",
            ),
            (
                "供暖温度不达标",
                "{place}入冬以来供暖温度一直不达标，暖气片上面热下面凉，打供热公司电话没人处理。",
            ),
            ("暖气管道漏水", "{place}楼道暖气管道漏水，地面结冰，暖气也不热了，希望供热公司尽快维修。"),
        ),
    ),
    "property": Matter(
        PROPERTY,
        "zjj",
        "150824100001",
        "海流图镇团结社区{place}",
        "complaint",
        (
            ("电梯停运物业不修", "团结社区{place}电梯停运两周，物业公司一直不维修，老人上下楼困难。"),
            ("物业服务差", "{place}物业公司收了物业费不管事，楼道垃圾没人清，电梯经常停运。"),
        ),
    ),
    "lights": Matter(
        LIGHTS,
        "zjj",
        "150824101",
        "乌加河镇{place}路段",
        "complaint",
        (
            ("路灯不亮", "乌加河镇{place}路段路灯不亮已有半个月，夜间出行不安全，请尽快维修路灯。"),
            ("路灯损坏", "乌加河镇{place}附近多盏路灯损坏不亮，晚上路面漆黑，希望修复路灯。"),
        ),
    ),
    "food": Matter(
        FOOD,
        "scjg",
        "150824100",
        "海流图镇{place}",
        "report",
        (
            ("餐馆后厨卫生差", "海流图镇{place}附近一家餐馆后厨卫生差，食材随意堆放，存在食品安全隐患。"),
            ("超市销售过期食品", "在海流图镇{place}旁的超市买到过期食品，要求市场监管部门查处。"),
        ),
    ),
    "wages": Matter(
        WAGES,
        "rsj",
        "150824102",
        "德岭山镇",
        "help",
        (("拖欠农民工工资", "德岭山镇一处建筑工地拖欠农民工工资三个月，包工头失联，请求帮助讨薪。"),),
    ),
    "water": Matter(
        WATER_SUPPLY,
        "water",
        "150824100",
        "海流图镇{place}",
        "complaint",
        (("停水未提前通知", "海流图镇{place}突然停水一整天，供水公司没有提前通知，居民生活受影响。"),),
    ),
    "pension": Matter(
        PENSION,
        "",
        "150824",
        "",
        "consult",
        (("养老保险缴费年限咨询", "灵活就业人员养老保险最低缴费年限是多少年？在哪里办理缴费？"),),
    ),
    "fund": Matter(
        FUND,
        "",
        "150824",
        "",
        "consult",
        (("住房公积金提取咨询", "租房可以提取住房公积金吗？需要带哪些材料？"),),
    ),
}

# (matter, days ago, fate). Fates: closed, basic, reopened, received, dispatched, sign_late, returned,
# handling, overdue, long_term, replied, merged (into the ticket before it), direct. Days 0–29 are the
# current hot-topics window, 30–59 the previous one.
PLAN: list[tuple[str, int, str]] = [
    ("heat", 52, "closed"),
    ("heat", 41, "basic"),
    ("heat", 24, "closed"),
    ("heat", 17, "reopened"),
    ("heat", 12, "closed"),
    ("heat", 6, "handling"),
    ("heat", 3, "returned"),
    ("heat", 0, "dispatched"),
    ("heat", 0, "merged"),
    ("heat", 0, "received"),
    ("property", 57, "closed"),
    ("property", 50, "basic"),
    ("property", 44, "closed"),
    ("property", 33, "closed"),
    ("property", 21, "closed"),
    ("property", 14, "overdue"),
    ("property", 4, "replied"),
    ("lights", 19, "closed"),
    ("lights", 9, "long_term"),
    ("lights", 6, "sign_late"),
    ("food", 48, "closed"),
    ("food", 36, "closed"),
    ("food", 15, "closed"),
    ("food", 5, "replied"),
    ("wages", 39, "closed"),
    ("wages", 11, "closed"),
    ("wages", 0, "received"),
    ("water", 46, "closed"),
    ("water", 31, "closed"),
    ("water", 8, "closed"),
    ("pension", 35, "direct"),
    ("pension", 13, "direct"),
    ("fund", 2, "direct"),
]
REPLIES = {
    "heat": "经供热公司派员入户检测，系单元管道积气导致，已排气并调整平衡阀，室温已达18℃以上。",
    "property": "已约谈物业公司，责令其3日内完成电梯维修并公示维保记录，住建局将跟踪检查。",
    "lights": "经查系线路老化，已安排维修队更换线路和灯具，路灯已恢复照明。",
    "food": "执法人员已现场检查，责令商户整改并依法立案调查，整改情况将跟踪复查。",
    "wages": "已约谈施工单位，督促其落实工资支付，拖欠工资已全部发放到位。",
    "water": "停水系主管道抢修所致，已恢复供水，今后计划停水将提前24小时公告。",
}
DIRECT_ANSWERS = {
    "pension": "灵活就业人员养老保险累计缴费满15年，可在旗政务服务中心社保窗口或“蒙速办”缴费。",
    "fund": "租房可按规定提取住房公积金，携带身份证和租房合同到公积金窗口办理。",
}


def _departments() -> dict[str, Department]:
    by_name = {d.name: d for d in Department.objects.filter(name__in=[spec.name for spec in DEPARTMENTS])}
    return {spec.key: by_name[spec.name] for spec in DEPARTMENTS if spec.name in by_name}


def _load_taxonomy(admin: User) -> int:
    """The whole classification from ``taxonomy.csv`` when it is on this machine, and the categories the
    demo uses in any case."""
    path = shared_data_file(*TAXONOMY_FILE)
    rows = taxonomy_read(path) if path is not None else []
    wanted = {item[0] for item in DIRECTORY} | {matter.category for matter in MATTERS.values()}
    taxonomy_import(rows=[*rows, *(tuple(name.split("/")) for name in sorted(wanted))], actor=admin)
    return HotlineCategory.objects.count()


def _rivers_lead(departments: dict[str, Department]) -> Department | None:
    """The banner's department for the rivers: named for the environment or water (``LEAD_WORDS``, in that
    order) — the water company while the demo has no environment bureau. Departments imported with the
    real catalogue (another place's) are not the banner's."""
    for word in LEAD_WORDS:
        for spec in DEPARTMENTS:
            found = departments.get(spec.key)
            if found is not None and found.is_active and word in found.name:
                return found
    return None


def _load_directory(admin: User, departments: dict[str, Department]) -> int:
    created = 0
    rivers = _rivers_lead(departments)
    for path_name, lead_key, co_keys, basis in DIRECTORY:
        lead = rivers if lead_key == "appeals" else departments.get(lead_key)
        category = HotlineCategory.objects.get(path=path_name)
        if lead is None or DirectoryEntry.objects.filter(category=category, division_code="").exists():
            continue
        directory_entry_create(
            actor=admin,
            category=category,
            lead=lead,
            co_handlers=[departments[key] for key in co_keys if key in departments],
            basis=basis,
        )
        created += 1
    return created


class _People:
    def __init__(self, admin: User) -> None:
        self.admin = admin
        self.operator = User.objects.filter(username="operator", is_active=True).first() or admin
        self.staff = list(
            User.objects.filter(is_active=True, role__in=[Role.HANDLER, Role.CHIEF_REP])
            .select_related("department")
            .order_by("role", "pk")
        )

    def handler(self, department: Department) -> User:
        """Whoever signs and replies for ``department``: its handler, else the admin."""
        for user in self.staff:
            if has_capability(user, "hotline.handle") and department_in_scope(user, department):
                return user
        return self.admin


def _received_at(now: dt.datetime, days: int, index: int) -> dt.datetime:
    day = timezone.localdate(now) - dt.timedelta(days=days)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30))) + dt.timedelta(
        minutes=(index * 47) % 420
    )
    return min(moment, now - dt.timedelta(minutes=90))


def _play(
    index: int,
    key: str,
    days: int,
    fate: str,
    *,
    now: dt.datetime,
    people: _People,
    departments: dict[str, Department],
    previous: HotlineTicket | None,
) -> HotlineTicket:
    matter = MATTERS[key]
    title, content = matter.texts[index % len(matter.texts)]
    place = COMMUNITIES[index % len(COMMUNITIES)]
    received = _received_at(now, days, index)

    def at(hours: float) -> dt.datetime:
        """``hours`` after receipt, but before now (the steps of a recent ticket squeeze together)."""
        span = now - received
        return received + min(dt.timedelta(hours=hours), span * min(hours / 48, 0.95))

    operator = people.operator
    ticket = tickets.ticket_intake(
        actor=operator,
        channel=("phone", "web", "app", "wechat")[index % 4],
        nature="help" if fate == "overdue" else matter.nature,  # 求助: 5 working days, past by now
        urgency="B" if fate == "handling" else "C",
        title=title,
        content=content.format(place=place),
        category=HotlineCategory.objects.get(path=matter.category),
        address=matter.address.format(place=place),
        division_code=matter.division,
        caller_name="" if index % 3 == 0 else ("王女士", "李先生", "张女士", "赵先生")[index % 4],
        caller_phone=f"1394780{index:04d}",
        anonymous=False,
        idempotency_key=f"{KEY_PREFIX}{index}",
        now=received,
    )
    if fate == "direct":
        return tickets.ticket_answer_directly(
            ticket=ticket, actor=operator, reply=DIRECT_ANSWERS[key], now=at(0.2)
        )
    if fate == "received":
        return ticket
    if fate == "merged":
        assert previous is not None
        return tickets.ticket_merge(ticket=ticket, into=previous, actor=operator, now=at(0.3))
    lead = departments[matter.lead]
    if fate == "returned":
        wrong = departments["zjj"]
        ticket = tickets.ticket_dispatch(ticket=ticket, actor=operator, lead=wrong, now=at(0.3))
        return tickets.ticket_return(
            ticket=ticket,
            actor=people.handler(wrong),
            reason="供暖温度和供热服务不属于住建局职责，依据派单目录应由供热公司办理。",
            now=at(2),
        )
    co_handlers = [departments[k] for k in ("wjw",) if key == "food" and index % 2 == 0 and k in departments]
    ticket = tickets.ticket_dispatch(
        ticket=ticket, actor=operator, lead=lead, co_handlers=co_handlers, now=at(0.3)
    )
    if fate in ("dispatched", "sign_late"):
        return ticket
    handler = people.handler(lead)
    ticket = tickets.ticket_sign(ticket=ticket, actor=handler, now=at(1.5))
    for co in co_handlers:
        ticket = tickets.ticket_co_reply(
            ticket=ticket, actor=people.handler(co), reply="已配合开展食源性疾病排查，未发现异常。", now=at(5)
        )
    if fate in ("handling", "overdue"):
        return ticket
    if fate == "long_term":
        return tickets.ticket_long_term(
            ticket=ticket,
            actor=handler,
            plan="该路段线路整体老化，已列入年度路灯改造计划，先安装临时照明，明年春季完成线路更换。",
            plan_due=timezone.localdate(now) + dt.timedelta(days=120),
            now=at(20),
        )
    reply = REPLIES[key]
    ticket = tickets.ticket_reply(ticket=ticket, actor=handler, reply=reply, solved=True, now=at(26))
    if fate == "replied":
        return ticket
    if fate == "reopened":
        ticket = tickets.ticket_call_back(
            ticket=ticket,
            actor=operator,
            result=CallBackResult.UNSATISFIED,
            note="来电人反映室温仍然偏低，要求再次上门检测。",
            now=at(30),
        )
        ticket = tickets.ticket_reply(
            ticket=ticket,
            actor=handler,
            reply="再次入户检测并更换单元阀门，室温已达20℃。",
            solved=True,
            now=at(50),
        )
    result = CallBackResult.BASIC if fate == "basic" else CallBackResult.SATISFIED
    return tickets.ticket_call_back(ticket=ticket, actor=operator, result=result, now=at(70))


def _load_recent(admin: User, departments: dict[str, Department], now: dt.datetime) -> int:
    if HotlineTicket.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return 0
    people = _People(admin)
    previous: HotlineTicket | None = None
    created = 0
    for index, (key, days, fate) in enumerate(PLAN):
        if MATTERS[key].lead and MATTERS[key].lead not in departments:
            continue
        previous = _play(
            index, key, days, fate, now=now, people=people, departments=departments, previous=previous
        )
        created += 1
    tickets.hotline_sweep(now=now)
    return created


DEMO_REPLIES = 400
REPLIES_FILE = ("hotline", "replies.csv")
LABELLED_FILE = ("hotline", "messages_labelled.csv")


def _load_knowledge() -> int:
    """The knowledge base seeded with real department replies (the first ``DEMO_REPLIES``; idempotent)."""
    from yichuang.hotline.knowledge_import import knowledge_import_replies, replies_read

    path = shared_data_file(*REPLIES_FILE)
    if path is None:
        return 0
    return knowledge_import_replies(rows=replies_read(path, limit=DEMO_REPLIES)).created


def _load_classifier() -> bool:
    """A first classifier trained on the labelled messages, so the intake screen suggests from the start
    (once: an active version is kept)."""
    from yichuang.hotline.classifier import classifier_train, training_pairs_from_file
    from yichuang.hotline.models_classifier import ClassifierSource, TrainedClassifier

    path = shared_data_file(*LABELLED_FILE)
    if path is None or TrainedClassifier.objects.filter(is_active=True).exists():
        return False
    classifier_train(
        pairs=training_pairs_from_file(path), source=ClassifierSource.FILE, source_label=path.name
    )
    return True


def load_demo_hotline(
    *, admin: User, out: Any = None, now: dt.datetime | None = None, appeals: int = DEMO_APPEALS
) -> dict[str, Any]:
    now = now or timezone.now()
    departments = _departments()
    report: dict[str, Any] = {"categories": _load_taxonomy(admin)}
    report["directory"] = _load_directory(admin, departments)
    path = shared_data_file(*APPEALS_FILE)
    lead = _rivers_lead(departments)
    if path is not None and lead is not None and appeals > 0:
        imported = appeals_import(path, actor=admin, lead=lead, limit=appeals)
        report["appeals"] = imported.created
        report["appeals_existing"] = imported.existing
    else:
        report["appeals"] = report["appeals_existing"] = 0
    report["recent"] = _load_recent(admin, departments, now)
    report["tickets"] = HotlineTicket.objects.count()
    report["knowledge"] = _load_knowledge()
    report["classifier"] = _load_classifier()
    if out is not None:
        out.write(
            f"  12345热线 · hotline: {report['tickets']} 件工单（本次新增近期 {report['recent']} 件、"
            f"历史诉求 {report['appeals']} 件），分类 {report['categories']} 个，"
            f"派单目录新增 {report['directory']} 条，知识库新增 {report['knowledge']} 条"
            + ("，已训练派单分类模型" if report["classifier"] else "")
        )
    return report
