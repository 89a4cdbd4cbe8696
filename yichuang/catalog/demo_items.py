"""The demo catalogue's content: the items a county 政务服务中心 (乌拉特中旗) publishes, as plain data.

Read by ``yichuang.catalog.demo``, which builds the elements and loads them through the change-request
services. Everything here is demo content modelled on real practice; legal bases name real laws and
regulations, with an article only where it is well known. Licence type codes are demo codes in the
national shape (issuing ministry code + 3-digit sequence), not the official 电子证照目录 codes.

Shape: ``CATALOG`` is a list of main items (``main()``), each holding sub items (``sub()``) and/or
handling items (``handling()``). 基本编码 are not written here: ``demo.py`` numbers them (see
``docs/demo-catalog.md``), so append new items at the end of a department's list to keep codes stable.
"""

from __future__ import annotations

from typing import Any

# ——— 电子证照类型 (免证办): one code per licence type, used by materials and results ———
LICENCE_TYPES: dict[str, str] = {
    "居民身份证": "11100000000013000G001",
    "居民户口簿": "11100000000013000G002",
    "居住证": "11100000000013000G003",
    "结婚证": "11100000000013100M001",
    "离婚证": "11100000000013100M002",
    "营业执照": "11100000000013338W001",
    "食品经营许可证": "11100000000013338W019",
    "药品经营许可证": "11100000000013338W020",
    "特种设备使用登记证": "11100000000013338W021",
    "出生医学证明": "11100000000013200W001",
    "医师执业证书": "11100000000013200W002",
    "护士执业证书": "11100000000013200W003",
    "医疗机构执业许可证": "11100000000013200W004",
    "公共场所卫生许可证": "11100000000013200W005",
    "不动产权证书": "11100000000013300Z001",
    "不动产登记证明": "11100000000013300Z002",
    "建设工程规划许可证": "11100000000013300Z003",
    "乡村建设规划许可证": "11100000000013300Z004",
    "建筑工程施工许可证": "11100000000013400J001",
    "社会保障卡": "11100000000013500R001",
    "道路运输经营许可证": "11100000000013600T001",
    "道路运输证": "11100000000013600T002",
    "残疾人证": "11100000000013700C001",
}

# ——— where and when (per department) ———
HOURS = "周一至周五（法定节假日除外）上午8:30—12:00，下午14:30—18:00；周六上午预约延时服务"
CENTRE = "乌拉特中旗政务服务中心"
PLACES: dict[str, tuple[str, str]] = {
    # department key: (handling place, consultation phone)
    "scjg": (f"{CENTRE} 一楼 A区 企业开办综合窗口", "0478-6212315"),
    "gaj": (f"{CENTRE} 一楼 C区 公安综合窗口", "0478-6213110"),
    "wjw": (f"{CENTRE} 二楼 D区 社会事务综合窗口", "0478-6215120"),
    "zrzy": (f"{CENTRE} 三楼 F区 工程建设项目综合窗口", "0478-6216301"),
    "bdc": (f"{CENTRE} 二楼 E区 不动产登记综合窗口", "0478-6216302"),
    "zjj": (f"{CENTRE} 三楼 F区 工程建设项目综合窗口", "0478-6216401"),
    "swj": (f"{CENTRE} 一楼 B区 税务综合窗口", "0478-6212366"),
    "rsj": (f"{CENTRE} 二楼 D区 社会保障综合窗口", "0478-6213333"),
    "ybj": (f"{CENTRE} 二楼 D区 医疗保障综合窗口", "0478-6213355"),
    "mzj": (f"{CENTRE} 二楼 D区 社会事务综合窗口", "0478-6215001"),
    "jtj": (f"{CENTRE} 三楼 G区 交通运输综合窗口", "0478-6217001"),
    "power": (f"{CENTRE} 一楼 H区 水电气暖讯视联合报装窗口", "0478-95598"),
    "water": (f"{CENTRE} 一楼 H区 水电气暖讯视联合报装窗口", "0478-6218801"),
    "gas": (f"{CENTRE} 一楼 H区 水电气暖讯视联合报装窗口", "0478-6218802"),
    "heat": (f"{CENTRE} 一楼 H区 水电气暖讯视联合报装窗口", "0478-6218803"),
    "centre": (f"{CENTRE} 一楼 H区 水电气暖讯视联合报装窗口", "0478-6218800"),
    "gjj": (f"{CENTRE} 二楼 E区 住房公积金窗口", "0478-6216501"),
    "cl": (f"{CENTRE} 二楼 D区 社会事务综合窗口", "0478-6215101"),
}

# Departments this catalogue needs that the accounts demo does not create (created once by demo.py).
EXTRA_DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    # key: (name, short name, organisation-code body for the demo credit code)
    "gjj": ("巴彦淖尔市住房公积金管理中心乌拉特中旗管理部", "公积金管理部", "80000001"),
    "cl": ("乌拉特中旗残疾人联合会", "残联", "80000002"),
}

STEPS_IMMEDIATE = [
    {"name": "申请", "description": "通过内蒙古政务服务网、“蒙速办”APP或到综合窗口提出申请"},
    {"name": "受理审查", "description": "综合窗口按审核要点核验材料，首席代表当场审查"},
    {"name": "办结", "description": "当场作出决定并出具结果，电子证照同步推送"},
]
STEPS_PROMISED = [
    {"name": "申请", "description": "通过内蒙古政务服务网、“蒙速办”APP或到综合窗口提交材料"},
    {"name": "受理", "description": "综合窗口按审核要点核验材料，当场受理、不予受理或一次性告知补正"},
    {"name": "审查", "description": "部门审批人员审查材料，需要特别程序的依程序开展"},
    {"name": "决定", "description": "作出决定；不予办理的书面说明理由并告知复议、诉讼途径"},
    {"name": "送达", "description": "综合出证窗口领取或免费邮寄，电子证照同步推送"},
]
STEPS_ONLINE = [
    {"name": "网上申请", "description": "登录内蒙古政务服务网或“蒙速办”APP在线填报，材料自动调取"},
    {"name": "在线审核", "description": "后台审核，结果通过短信告知"},
    {"name": "办结", "description": "结果在线推送，无需到现场"},
]


# ——— builders ———
def mat(
    key: str,
    name: str,
    material_type: str,
    points: list[str],
    *,
    source: str = "10",
    necessity: str = "1",
    originals: int = 1,
    copies: int = 0,
    media: str = "both",
    licence: str = "",
    commit: bool = False,
    note: str = "",
) -> dict[str, Any]:
    """One material. ``licence`` names a LICENCE_TYPES entry (免证办: taken from the licence library)."""
    if licence and not note:
        note = f"已归集{licence}电子证照的，由窗口调取，申请人免于提交。"
    return {
        "key": key,
        "name": name,
        "material_type": material_type,
        "review_points": points,
        "source": source,
        "necessity": necessity,
        "originals": originals,
        "copies": copies,
        "media": media,
        "licence_type_code": LICENCE_TYPES[licence] if licence else "",
        "commitment_replaceable": commit,
        "note": note,
    }


def form(name: str, *extra: str, key: str = "apply") -> dict[str, Any]:
    points = ["申请人签字（单位申请的加盖公章）", "各栏目填写完整、无涂改", *extra]
    return mat(key, name, "application_form", points[:4], note="窗口和网上均提供空白表格和填写示范。")


def id_card(who: str = "申请人", key: str = "idcard", necessity: str = "1") -> dict[str, Any]:
    return mat(
        key,
        f"{who}居民身份证",
        "id_card",
        ["居民身份证在有效期内", "本人到场的，人证一致（现场人脸核验）"],
        source="20",
        necessity=necessity,
        licence="居民身份证",
    )


def hukou(who: str = "申请人", key: str = "hukou", necessity: str = "1") -> dict[str, Any]:
    return mat(
        key,
        f"{who}居民户口簿",
        "household_register",
        ["户主页和本人页齐全", "户口簿记载的姓名、公民身份号码与身份证一致"],
        source="20",
        necessity=necessity,
        licence="居民户口簿",
    )


def business_licence(key: str = "licence", necessity: str = "1") -> dict[str, Any]:
    return mat(
        key,
        "营业执照",
        "business_licence",
        ["营业执照在有效期内，未被列入经营异常名录", "名称、统一社会信用代码与申请表一致"],
        source="20",
        necessity=necessity,
        originals=0,
        copies=1,
        licence="营业执照",
    )


def property_certificate(key: str = "property", necessity: str = "1") -> dict[str, Any]:
    return mat(
        key,
        "不动产权证书",
        "property_certificate",
        ["权利人与申请人一致", "不动产坐落、面积与申请一致", "无查封、异议登记等限制（系统查询）"],
        source="20",
        necessity=necessity,
        licence="不动产权证书",
    )


def marriage_certificate(key: str = "marriage", necessity: str = "2") -> dict[str, Any]:
    return mat(
        key,
        "结婚证",
        "marriage_certificate",
        ["持证人姓名、身份证号与申请人一致", "婚姻登记信息可在民政共享库查询核实"],
        source="20",
        necessity=necessity,
        licence="结婚证",
    )


def premises(key: str = "premises", commit: bool = True, necessity: str = "1") -> dict[str, Any]:
    return mat(
        key,
        "经营场所使用证明（产权证明或租赁合同）",
        "lease_contract",
        ["经营场所地址与申请书填写的地址一致", "租赁合同在有效期内，出租方为产权人", "复印件与原件一致"],
        necessity=necessity,
        originals=0,
        copies=1,
        commit=commit,
        note="实行住所（经营场所）申报承诺制的，可提交《住所（经营场所）信息申报承诺书》替代。"
        if commit
        else "",
    )


def agent(key: str = "agent") -> dict[str, Any]:
    return mat(
        key,
        "授权委托书及受托人身份证（委托办理时提供）",
        "power_of_attorney",
        ["委托书载明委托事项、权限和期限，并经委托人签字（盖章）", "受托人身份证在有效期内"],
        necessity="2",
    )


def handling(
    name: str,
    item_type: str,
    legal_basis: str,
    conditions: str,
    days: tuple[int, int],
    result: tuple[str, str] | tuple[str, str, str],
    keywords: str,
    summary: str,
    materials: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    """One handling item. ``days`` = (legal, promised); promised 0 makes it a 即办件. ``result`` =
    (result type, result name[, licence type name])."""
    legal, promised = days
    return {
        "kind": "handling",
        "name": name,
        "item_type": item_type,
        "legal_basis": legal_basis,
        "acceptance_conditions": conditions,
        "legal_days": legal,
        "promised_days": promised,
        "case_kind": "1" if promised == 0 else "2",
        "result_type": result[0],
        "result_name": result[1],
        "result_licence_type_code": LICENCE_TYPES[result[2]] if len(result) > 2 else "",
        "keywords": keywords,
        "plain_summary": summary,
        "materials": materials,
        **extra,
    }


def sub(name: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "sub", "name": name, "children": children}


def main(department: str, name: str, item_type: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "main",
        "department": department,
        "name": name,
        "item_type": item_type,
        "children": children,
    }


# ——— 市场监管局 ———
_REG = "《中华人民共和国市场主体登记管理条例》第十九条；《中华人民共和国市场主体登记管理条例实施细则》"
_FOOD = (
    "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
)
_FOOD_KW = "开饭店 开餐馆 开小餐馆 小吃店 开超市 卖食品 奶茶店 食品许可证 食品经营许可证"

SCJG = [
    main(
        "scjg",
        "企业登记",
        "licensing",
        [
            sub(
                "公司登记",
                [
                    handling(
                        "公司设立登记",
                        "licensing",
                        f"《中华人民共和国公司法》；{_REG}",
                        "企业名称经自主申报通过；有符合公司章程规定的全体股东认缴的出资；有公司住所；"
                        "法定代表人、董事、监事和高级管理人员不存在法律规定不得担任的情形。",
                        (3, 0),
                        ("10", "营业执照", "营业执照"),
                        "开公司 注册公司 办营业执照 企业开办 成立公司 办执照",
                        "想开公司，先办营业执照。网上填一张表，材料齐全的当场发照，电子营业执照同步发到手机上。"
                        "企业开办“一件事”可同时办理刻章、发票、社保、医保和公积金登记。",
                        [
                            form("公司登记（备案）申请书", "股东、法定代表人签字与身份证一致"),
                            mat(
                                "articles",
                                "公司章程",
                                "articles_of_association",
                                [
                                    "章程经全体股东签字（盖章）",
                                    "出资额、出资方式、出资期限与申请书一致",
                                    "认缴出资期限不超过五年",
                                ],
                            ),
                            id_card("股东（自然人）", key="idcard"),
                            mat(
                                "officers",
                                "法定代表人、董事、监事和经理的任职文件",
                                "appointment_document",
                                ["任职文件由股东会决议或章程规定的方式产生", "被任职人签字与身份证姓名一致"],
                            ),
                            premises(),
                        ],
                        online_depth=4,
                        visits_required=0,
                        tongban_scope="region",
                        process_steps=STEPS_ONLINE,
                        delivery_methods=["window", "post", "online"],
                        service_object="legal",
                    ),
                    handling(
                        "公司变更登记",
                        "licensing",
                        f"《中华人民共和国公司法》；{_REG}",
                        "公司登记事项发生变更，已依法作出变更决议或决定；涉及前置审批的已取得批准文件。",
                        (3, 1),
                        ("10", "营业执照", "营业执照"),
                        "公司变更 改名字 换法人 变更地址 增资 减资 变更经营范围",
                        "公司改名字、换法人、搬地址、改经营范围，要办变更登记。材料齐全的1个工作日内办好，换发新执照。",
                        [
                            form("公司变更登记申请书"),
                            business_licence(),
                            mat(
                                "resolution",
                                "公司变更决议或者决定",
                                "resolution",
                                [
                                    "决议经代表三分之二以上表决权的股东签字（涉及章程修改的）",
                                    "决议内容与申请变更事项一致",
                                ],
                            ),
                            mat(
                                "articles",
                                "修改后的公司章程或章程修正案",
                                "articles_of_association",
                                ["经法定代表人签字并加盖公章", "修改内容与变更决议一致"],
                                necessity="3",
                                note="章程修正案可容缺后补，须在5个工作日内补交。",
                            ),
                        ],
                        online_depth=4,
                        service_object="legal",
                        tongban_scope="region",
                    ),
                    handling(
                        "公司注销登记（一般注销）",
                        "licensing",
                        f"《中华人民共和国公司法》；{_REG}",
                        "公司已依法成立清算组完成清算，清算报告经股东会确认；已办结清税手续；"
                        "已通过国家企业信用信息公示系统发布清算组信息和债权人公告满45日。",
                        (3, 1),
                        ("30", "准予注销登记通知书"),
                        "公司注销 关公司 企业注销 不干了 注销执照",
                        "公司不干了，清算完、税务清税以后来办注销。材料齐全的1个工作日内办结，营业执照同时收回。",
                        [
                            form("公司注销登记申请书"),
                            mat(
                                "liquidation",
                                "清算报告（经股东会确认）",
                                "liquidation_report",
                                [
                                    "清算报告由清算组全体成员签字",
                                    "股东会确认文件经股东签字（盖章）",
                                    "债权债务已清理完毕",
                                ],
                            ),
                            mat(
                                "taxclear",
                                "清税信息（税务部门共享）",
                                "tax_clearance",
                                ["通过部门共享核验已办结清税", "纳税人名称、统一社会信用代码与申请一致"],
                                source="20",
                                originals=0,
                                copies=0,
                                media="electronic",
                                note="税务部门实时共享清税信息，申请人无需提交清税证明。",
                            ),
                            business_licence(),
                        ],
                        online_depth=4,
                        service_object="legal",
                    ),
                    handling(
                        "公司简易注销登记",
                        "licensing",
                        "《中华人民共和国市场主体登记管理条例》第三十三条；《中华人民共和国市场主体登记管理条例实施细则》",
                        "未发生债权债务或者已将债权债务清偿完结；未发生或者已结清清偿费用、职工工资、社会保险费用、"
                        "法定补偿金、应缴纳税款（滞纳金、罚款）；全体投资人书面承诺对上述情况的真实性承担法律责任。",
                        (3, 1),
                        ("30", "准予简易注销登记通知书"),
                        "简易注销 快速注销 关公司 没有债务 企业注销",
                        "公司没有欠债、没有欠税欠工资，可以走简易注销：网上公示20天没人提异议，"
                        "再来申请，1个工作日办完，不用做清算报告。",
                        [
                            form("简易注销登记申请书"),
                            mat(
                                "pledge",
                                "全体投资人承诺书",
                                "commitment_letter",
                                ["全体投资人签字（盖章）齐全", "承诺内容为统一格式文本，未作改动"],
                            ),
                            business_licence(),
                        ],
                        online_depth=4,
                        service_object="legal",
                        commitment_allowed=True,
                        special_procedures=[
                            {"kind": "public_notice", "name": "简易注销公告（20日）", "days": 20}
                        ],
                    ),
                ],
            ),
            sub(
                "个体工商户登记",
                [
                    handling(
                        "个体工商户设立登记",
                        "licensing",
                        f"《促进个体工商户发展条例》；{_REG}",
                        "有经营能力的自然人（或家庭）；有固定经营场所；经营范围不属于法律、行政法规禁止的项目。",
                        (3, 0),
                        ("10", "营业执照", "营业执照"),
                        "开小店 个体户 办执照 开门市 摆摊 小卖部 开小餐馆",
                        "开小店、小卖部、小饭馆，办个体户营业执照。材料齐全当场拿照，不收费，在镇上的市场监管所也能办。",
                        [
                            form("个体工商户登记（备案）申请书", "经营者签字与身份证姓名一致"),
                            id_card("经营者"),
                            premises(),
                        ],
                        online_depth=4,
                        nearby_level="township",
                        tongban_scope="league",
                        service_object="natural",
                    ),
                    handling(
                        "个体工商户注销登记",
                        "licensing",
                        f"《促进个体工商户发展条例》；{_REG}",
                        "个体工商户已结清债务、税款，无未了结的行政处罚。",
                        (3, 0),
                        ("30", "准予注销登记通知书"),
                        "个体户注销 关店 不干了 注销执照",
                        "小店不开了，来注销执照。没有欠税的当场办结，在镇上的市场监管所也能办。",
                        [form("个体工商户注销登记申请书"), business_licence(), id_card("经营者")],
                        online_depth=4,
                        nearby_level="township",
                        service_object="natural",
                    ),
                ],
            ),
            sub(
                "农民专业合作社登记",
                [
                    handling(
                        "农民专业合作社设立登记",
                        "licensing",
                        f"《中华人民共和国农民专业合作社法》；{_REG}",
                        "有五名以上符合规定的成员，其中农民至少应当占成员总数的百分之八十；有符合法律规定的章程；"
                        "有符合法律规定的组织机构；有符合规定的名称和住所；有符合章程规定的成员出资。",
                        (3, 1),
                        ("10", "营业执照", "营业执照"),
                        "合作社 种养殖合作社 牧民合作社 成立合作社",
                        "五户以上农牧民合伙成立合作社，办合作社营业执照。材料齐全1个工作日办好，不收费。",
                        [
                            form("农民专业合作社登记（备案）申请书"),
                            mat(
                                "minutes",
                                "全体设立人签名、盖章的设立大会纪要",
                                "meeting_minutes",
                                ["全体设立人签名齐全", "纪要载明通过章程和选举理事长"],
                            ),
                            mat(
                                "articles",
                                "全体设立人签名、盖章的章程",
                                "articles_of_association",
                                ["全体设立人签名（盖章）", "成员出资总额与申请书一致"],
                            ),
                            mat(
                                "members",
                                "成员名册及成员身份证明",
                                "member_roster",
                                ["农民成员占成员总数80%以上", "成员姓名、身份证号与身份证明一致"],
                            ),
                            premises(),
                        ],
                        nearby_level="township",
                    ),
                ],
            ),
        ],
    ),
    main(
        "scjg",
        "食品经营许可",
        "licensing",
        [
            handling(
                "食品经营许可（新办）",
                "licensing",
                _FOOD,
                "具有与经营的食品品种、数量相适应的经营场所，保持环境整洁，与有毒有害场所保持规定距离；"
                "具有相应的设备设施；有专职或兼职食品安全管理人员和保证食品安全的规章制度；"
                "已取得营业执照等主体资格。仅销售预包装食品的，办理备案即可。",
                (10, 10),
                ("10", "食品经营许可证", "食品经营许可证"),
                _FOOD_KW,
                "开饭店、小吃店、奶茶店，或者超市要卖散装熟食，先办食品经营许可证。"
                "材料交齐后工作人员上门看一次场地，符合条件的就发证，不收费。只卖包装好的食品只需备案。",
                [
                    form("食品经营许可申请书", "经营项目与经营场所面积、设施相适应"),
                    business_licence(),
                    id_card("法定代表人（负责人）"),
                    mat(
                        "layout",
                        "主要设备设施布局、操作流程等文件",
                        "premises_layout",
                        [
                            "布局图标明加工、存储、销售区域",
                            "生熟分开、流程不交叉",
                            "设备设施与经营项目相适应",
                        ],
                    ),
                    mat(
                        "rules",
                        "食品安全自查、从业人员健康管理、进货查验记录等食品安全管理制度",
                        "safety_rules",
                        ["制度文本内容完整，包含自查、健康管理、进货查验"],
                        necessity="3",
                        note="可容缺受理，须在现场核查前补交。",
                    ),
                ],
                online_depth=4,
                tongban_scope="league",
                special_procedures=[{"kind": "inspection", "name": "经营场所现场核查", "days": 3}],
            ),
            handling(
                "食品经营许可（变更）",
                "licensing",
                _FOOD,
                "食品经营许可证载明的许可事项发生变化；经营场所发生变化的应重新申请许可。",
                (10, 3),
                ("10", "食品经营许可证", "食品经营许可证"),
                _FOOD_KW + " 许可证变更 增加项目",
                "许可证上的名称、负责人、经营项目变了，要办变更。一般3个工作日办好，增加经营项目的可能要上门核查。",
                [
                    form("食品经营许可变更申请书"),
                    mat(
                        "foodlic",
                        "食品经营许可证正副本",
                        "food_licence",
                        ["许可证在有效期内", "许可证编号与申请书一致"],
                        source="20",
                        licence="食品经营许可证",
                    ),
                    mat(
                        "change",
                        "与变更事项有关的证明材料",
                        "change_evidence",
                        ["证明材料与变更事项对应", "复印件与原件一致"],
                        originals=0,
                        copies=1,
                    ),
                ],
                online_depth=4,
                tongban_scope="league",
            ),
            handling(
                "食品经营许可（延续）",
                "licensing",
                _FOOD,
                "食品经营许可证有效期届满需要继续经营的，在有效期届满前提出申请；经营条件未发生变化。",
                (10, 5),
                ("10", "食品经营许可证", "食品经营许可证"),
                _FOOD_KW + " 许可证到期 续证 延期",
                "食品经营许可证快到期了，在到期前来办延续。条件没变的5个工作日内换新证，不用再上门核查。",
                [
                    form("食品经营许可延续申请书"),
                    mat(
                        "foodlic",
                        "食品经营许可证正副本",
                        "food_licence",
                        ["许可证在有效期内", "许可证编号与申请书一致"],
                        source="20",
                        licence="食品经营许可证",
                    ),
                    business_licence(),
                    mat(
                        "nochange",
                        "经营条件未发生变化的说明",
                        "statement",
                        ["说明经申请人签字（盖章）"],
                        commit=True,
                        note="可以书面承诺替代。",
                    ),
                ],
                online_depth=4,
                tongban_scope="league",
                commitment_allowed=True,
            ),
            handling(
                "食品经营许可（注销）",
                "licensing",
                _FOOD,
                "食品经营者终止食品经营，或者食品经营许可被撤回、撤销、吊销。",
                (10, 0),
                ("30", "食品经营许可注销通知书"),
                "饭店关门 注销许可证 不卖食品了",
                "饭店、超市不开了，来注销食品经营许可证，当场办结。",
                [
                    form("食品经营许可注销申请书"),
                    mat(
                        "foodlic",
                        "食品经营许可证正副本",
                        "food_licence",
                        ["许可证编号与申请书一致", "正副本齐全，遗失的提交遗失说明"],
                        source="20",
                        licence="食品经营许可证",
                    ),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
            ),
        ],
    ),
    main(
        "scjg",
        "特种设备使用登记",
        "licensing",
        [
            handling(
                "特种设备使用登记",
                "licensing",
                "《中华人民共和国特种设备安全法》第三十三条；《特种设备使用管理规则》（TSG 08）",
                "特种设备已经安装监督检验合格；使用单位已配备安全管理人员和作业人员；"
                "在投入使用前或者投入使用后三十日内申请。",
                (15, 5),
                ("10", "特种设备使用登记证", "特种设备使用登记证"),
                "电梯登记 锅炉登记 压力容器 叉车上牌 特种设备",
                "单位的电梯、锅炉、压力容器、叉车等，检验合格后30天内要办使用登记。5个工作日发证。",
                [
                    form("特种设备使用登记表（一式两份）"),
                    business_licence(),
                    mat(
                        "certificate",
                        "特种设备产品合格证（含产品数据表）",
                        "product_certificate",
                        ["产品编号与设备铭牌一致", "制造单位具有相应制造许可"],
                        originals=0,
                        copies=1,
                    ),
                    mat(
                        "inspection",
                        "特种设备监督检验证明",
                        "inspection_report",
                        ["检验结论为合格", "检验机构具有相应资质", "设备编号与登记表一致"],
                    ),
                ],
                service_object="legal",
                intermediary_services=[
                    {
                        "name": "特种设备安装监督检验",
                        "provider": "具有资质的特种设备检验机构",
                        "basis": "《中华人民共和国特种设备安全法》",
                    }
                ],
            ),
        ],
    ),
    main(
        "scjg",
        "药品经营许可（零售）",
        "licensing",
        [
            handling(
                "药品经营许可证核发（零售）",
                "licensing",
                "《中华人民共和国药品管理法》；《药品经营和使用质量监督管理办法》",
                "有依法经过资格认定的药师或者其他药学技术人员；有与所经营药品相适应的营业场所、设备、"
                "仓储设施和卫生环境；有与所经营药品相适应的质量管理机构或者人员；有保证药品质量的规章制度。",
                (20, 15),
                ("10", "药品经营许可证", "药品经营许可证"),
                "开药店 开药房 卖药 药店许可证",
                "想开药店，要有执业药师和合格的店面、仓库。交材料后会上门检查，合格的15个工作日内发证。",
                [
                    form("药品经营许可证申请表"),
                    business_licence(),
                    mat(
                        "pharmacist",
                        "执业药师注册证及身份证明",
                        "professional_certificate",
                        ["执业药师注册单位为本企业", "注册证在有效期内"],
                        originals=0,
                        copies=1,
                    ),
                    premises(commit=False),
                    mat(
                        "quality",
                        "药品质量管理文件目录及主要设施设备目录",
                        "quality_documents",
                        ["文件目录覆盖采购、验收、储存、销售环节"],
                    ),
                ],
                special_procedures=[{"kind": "inspection", "name": "现场检查验收", "days": 5}],
                service_object="legal",
            ),
        ],
    ),
]


# ——— 公安局 ———
_IDCARD = "《中华人民共和国居民身份证法》第八条"
_IDFEE = "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）"
_HUKOU_LAW = "《中华人民共和国户口登记条例》"
_SEAL = (
    "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）；"
    "公章刻制已改为备案管理，印章刻制企业通过公安机关公章治安管理信息系统备案"
)


def _idcard_form() -> dict[str, Any]:
    return form("居民身份证申领登记表", "现场采集人像、指纹信息，与本人一致", key="apply")


GAJ = [
    main(
        "gaj",
        "居民身份证办理",
        "other_power",
        [
            handling(
                "居民身份证首次申领",
                "other_power",
                _IDCARD,
                "在本旗有常住户口的中国公民，年满十六周岁应当申领；未满十六周岁的可以由监护人代为申领。",
                (42, 20),
                ("10", "居民身份证", "居民身份证"),
                "办身份证 第一次办身份证 小孩办身份证",
                "第一次办身份证，本人带户口簿到公安窗口照相、按指纹。20个工作日左右制好，可以邮寄到家。",
                [_idcard_form(), hukou(), id_card("监护人", key="guardian", necessity="2")],
                fees=[{"name": "居民身份证工本费", "standard": "20元/证", "basis": _IDFEE}],
                service_object="natural",
            ),
            handling(
                "居民身份证换领",
                "other_power",
                _IDCARD,
                "居民身份证有效期满、证件严重损坏不能辨认或者登记项目有变更的。",
                (42, 15),
                ("10", "居民身份证", "居民身份证"),
                "换身份证 身份证到期 身份证过期 异地换证",
                "身份证快到期或者坏了，来换新证。在外省也能办（跨省通办），15个工作日内制好，可以邮寄。",
                [
                    _idcard_form(),
                    mat(
                        "oldcard",
                        "原居民身份证",
                        "id_card",
                        ["证件为本人所有", "换领时交回原证"],
                        source="20",
                    ),
                    hukou(necessity="2"),
                ],
                fees=[{"name": "居民身份证工本费", "standard": "20元/证", "basis": _IDFEE}],
                tongban_scope="cross_province",
                service_object="natural",
            ),
            handling(
                "居民身份证补领",
                "other_power",
                _IDCARD,
                "居民身份证丢失的。",
                (42, 15),
                ("10", "居民身份证", "居民身份证"),
                "身份证丢了 补办身份证 身份证丢失 临时身份证",
                "身份证丢了，来补办。在外省也能办，急用的可以同时办临时身份证。",
                [_idcard_form(), hukou(necessity="2")],
                fees=[
                    {"name": "居民身份证工本费（补领）", "standard": "40元/证", "basis": _IDFEE},
                    {"name": "临时居民身份证工本费（自愿申领）", "standard": "10元/证", "basis": _IDFEE},
                ],
                tongban_scope="cross_province",
                service_object="natural",
            ),
        ],
    ),
    main(
        "gaj",
        "户口登记",
        "confirmation",
        [
            handling(
                "出生登记（新生儿落户）",
                "confirmation",
                f"{_HUKOU_LAW}第七条",
                "婴儿出生后一个月以内，由户主、亲属、抚养人申报出生登记；随父或随母落户。",
                (20, 0),
                ("30", "居民户口簿（户口登记信息）"),
                "上户口 新生儿落户 孩子上户口 报户口 出生登记",
                "孩子出生后一个月内上户口。带出生医学证明和父母的户口簿、身份证，当场办好；"
                "可以和出生医学证明、医保参保、社保卡一起“新生儿出生一件事”办。",
                [
                    mat(
                        "birthcert",
                        "出生医学证明",
                        "birth_medical_certificate",
                        ["新生儿姓名、出生日期、父母信息与申请一致", "证明编号可在卫健系统核验"],
                        source="20",
                        licence="出生医学证明",
                    ),
                    hukou("父亲或母亲"),
                    id_card("父母双方", key="parents"),
                    marriage_certificate(),
                ],
                nearby_level="township",
                service_object="natural",
            ),
            handling(
                "户口迁移（迁入）",
                "confirmation",
                f"{_HUKOU_LAW}第十三条",
                "符合本旗户口迁入政策（购房、投靠亲属、就业、就学等）；实行跨省户口迁移“一站式”办理，"
                "在迁入地一次申请即可。",
                (20, 5),
                ("30", "户口迁入登记（居民户口簿）"),
                "迁户口 落户 户口迁过来 投靠落户 买房落户",
                "要把户口迁到乌拉特中旗，在迁入地公安窗口一次申请，不用回原籍开迁移证，5个工作日办好。",
                [
                    form("户口迁移申请表"),
                    id_card(),
                    hukou("迁入户"),
                    mat(
                        "basis",
                        "迁入依据（房屋产权证明、亲属关系证明、劳动合同等之一）",
                        "migration_basis",
                        ["证明材料与迁入类别对应", "亲属关系证明可书面承诺替代"],
                        commit=True,
                    ),
                    marriage_certificate(),
                ],
                tongban_scope="cross_province",
                service_object="natural",
            ),
        ],
    ),
    main(
        "gaj",
        "居住证办理",
        "other_power",
        [
            handling(
                "居住证申领",
                "other_power",
                "《居住证暂行条例》",
                "离开常住户口所在地，到本旗居住半年以上，且有合法稳定就业、合法稳定住所或连续就读条件之一。",
                (10, 5),
                ("10", "居住证", "居住证"),
                "办居住证 外地人 暂住证 孩子上学 居住证明",
                "外地户口在这里住满半年、有工作或住房或孩子在这上学，就能办居住证。首次办理免费，5个工作日办好。",
                [
                    form("居住证申领登记表"),
                    id_card(),
                    mat(
                        "residence",
                        "居住证明（租赁合同、房屋产权证明、劳动合同或就读证明之一）",
                        "residence_proof",
                        ["居住地址在本旗辖区", "居住时间已满半年"],
                        originals=0,
                        copies=1,
                        commit=True,
                    ),
                ],
                nearby_level="township",
                service_object="natural",
            ),
        ],
    ),
    main(
        "gaj",
        "公章刻制备案",
        "other_power",
        [
            handling(
                "公章刻制备案",
                "other_power",
                _SEAL,
                "已领取营业执照的企业，选择具有资质的印章刻制企业刻制公章。",
                (1, 0),
                ("30", "印章备案信息"),
                "刻章 刻公章 企业开办 刻公章备案",
                "开公司要刻章，网上选一家刻章店，刻好后信息自动备案，不用跑公安窗口，企业开办时免费刻一套。",
                [
                    business_licence(),
                    id_card("法定代表人"),
                    mat(
                        "sealform",
                        "印章刻制申请（备案）表",
                        "application_form",
                        ["印章名称与营业执照名称一致", "法定代表人签字"],
                        media="electronic",
                        originals=0,
                    ),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="legal",
            ),
            handling(
                "印章缴销备案（公章作废）",
                "other_power",
                _SEAL,
                "企业注销、更名或印章损坏、遗失需要作废原印章的。",
                (1, 0),
                ("30", "印章缴销备案回执"),
                "公章作废 缴销公章 公章丢了 注销刻章",
                "企业注销或者改名后，原来的公章要作废交回，当场办结。公章丢了的先写遗失说明。",
                [
                    form("印章缴销申请表"),
                    business_licence(necessity="2"),
                    mat(
                        "seal",
                        "原印章（遗失的提交遗失说明）",
                        "official_seal",
                        ["印章名称与备案信息一致", "遗失说明经法定代表人签字"],
                    ),
                ],
                service_object="legal",
            ),
        ],
    ),
    main(
        "gaj",
        "普通护照签发",
        "licensing",
        [
            handling(
                "普通护照签发",
                "licensing",
                "《中华人民共和国护照法》",
                "中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国。",
                (15, 7),
                ("10", "中华人民共和国普通护照"),
                "办护照 出国 护照过期 出国旅游",
                "出国要办护照，本人带身份证到出入境接待大厅照相、按指纹，7个工作日制好，可以邮寄。",
                [form("中国公民出入境证件申请表"), id_card()],
                fees=[
                    {
                        "name": "普通护照工本费",
                        "standard": "120元/本",
                        "basis": "国家发展改革委、财政部出入境证件收费标准的规定",
                    }
                ],
                stationed=False,
                negative_reason="需使用公安出入境管理专网和专用证件照、指纹采集设备，在旗公安局出入境接待大厅办理。",
                handling_place="乌拉特中旗公安局出入境接待大厅（海流图镇）",
                tongban_scope="cross_province",
                service_object="natural",
            ),
        ],
    ),
    main(
        "gaj",
        "机动车登记",
        "licensing",
        [
            handling(
                "机动车注册登记（上牌）",
                "licensing",
                "《中华人民共和国道路交通安全法》第八条；《机动车登记规定》",
                "机动车已取得来历证明、合格证明，已缴纳车辆购置税，已投保机动车交通事故责任强制保险。",
                (2, 0),
                ("10", "机动车登记证书、号牌、行驶证"),
                "新车上牌 买车上牌 挂牌 车辆登记",
                "买了新车要上牌。带车到车管所查验，选号、拍照，当场领号牌和行驶证。",
                [
                    form("机动车注册登记申请表"),
                    id_card("机动车所有人"),
                    mat(
                        "origin",
                        "机动车来历证明（购车发票）",
                        "vehicle_invoice",
                        ["发票抬头与所有人一致", "车辆识别代号与车辆一致"],
                    ),
                    mat(
                        "conformity",
                        "机动车整车出厂合格证明",
                        "vehicle_certificate",
                        ["合格证信息与车辆一致"],
                    ),
                    mat(
                        "insurance",
                        "机动车交通事故责任强制保险凭证",
                        "insurance_policy",
                        ["保险在有效期内"],
                        source="99",
                        media="electronic",
                        originals=0,
                    ),
                ],
                stationed=False,
                negative_reason="需现场查验车辆识别代号和外观，在旗公安局交通管理大队车辆管理所（机动车查验场）办理。",
                handling_place="乌拉特中旗公安局交通管理大队车辆管理所",
                fees=[
                    {
                        "name": "机动车号牌、行驶证工本费",
                        "standard": "按国家规定标准收取",
                        "basis": "机动车号牌、行驶证工本费收费标准有关规定",
                    }
                ],
                service_object="both",
            ),
        ],
    ),
]


# ——— 卫健委 ———
_PUB_HEALTH = "《公共场所卫生管理条例》；《公共场所卫生管理条例实施细则》"
_PUB_KW = "开宾馆 开旅店 美容美发 理发店 洗浴 游泳馆 卫生许可证"

WJW = [
    main(
        "wjw",
        "出生医学证明办理",
        "public_service",
        [
            handling(
                "出生医学证明首次签发",
                "public_service",
                "《中华人民共和国母婴保健法》第二十三条",
                "在依法取得助产技术服务资质的医疗机构内出生的新生儿。",
                (5, 0),
                ("10", "出生医学证明", "出生医学证明"),
                "出生证 出生证明 孩子出生",
                "孩子在医院出生，出院时医院直接发出生医学证明，不用到政务服务中心。",
                [
                    form("出生医学证明首次签发登记表", "父母签字确认新生儿姓名"),
                    id_card("父母双方", key="parents"),
                ],
                stationed=False,
                negative_reason="由助产机构在新生儿出院时直接签发，属于医疗机构内完成的服务，不进驻政务服务中心。",
                handling_place="新生儿出生的助产机构（乌拉特中旗人民医院产科等）",
            ),
            handling(
                "出生医学证明补发",
                "public_service",
                "《中华人民共和国母婴保健法》第二十三条",
                "出生医学证明遗失，且新生儿已在本旗签发机构出生。",
                (20, 10),
                ("10", "出生医学证明", "出生医学证明"),
                "出生证丢了 补办出生证明",
                "出生医学证明丢了，来补办。核实出生记录后10个工作日内补发。",
                [
                    form("出生医学证明补发申请表"),
                    id_card("父母双方", key="parents"),
                    hukou("新生儿"),
                    mat(
                        "lost",
                        "遗失声明",
                        "loss_statement",
                        ["声明载明证明编号和遗失经过"],
                        commit=True,
                        note="可以书面承诺替代登报声明。",
                    ),
                ],
                commitment_allowed=True,
            ),
        ],
    ),
    main(
        "wjw",
        "预防接种证办理",
        "public_service",
        [
            handling(
                "预防接种证发放",
                "public_service",
                "《中华人民共和国疫苗管理法》第四十七条",
                "儿童出生后一个月内，其监护人到儿童居住地承担预防接种工作的接种单位办理。",
                (5, 0),
                ("30", "预防接种证"),
                "打疫苗 预防接种证 疫苗本 小孩打针",
                "孩子出生一个月内，带出生医学证明到社区卫生服务中心或镇卫生院的接种门诊办预防接种证，免费。",
                [
                    mat(
                        "birthcert",
                        "出生医学证明",
                        "birth_medical_certificate",
                        ["新生儿信息与申请一致"],
                        source="20",
                        licence="出生医学证明",
                    ),
                    id_card("监护人", key="guardian"),
                ],
                stationed=False,
                nearby_level="township",
                negative_reason="由预防接种单位在接种门诊建卡发证，需结合首次接种和健康询问，不进驻政务服务中心。",
                handling_place="海流图镇社区卫生服务中心预防接种门诊及各苏木镇卫生院",
                service_object="natural",
            ),
        ],
    ),
    main(
        "wjw",
        "公共场所卫生许可",
        "licensing",
        [
            handling(
                "公共场所卫生许可（新办）",
                "licensing",
                _PUB_HEALTH,
                "住宿场所、沐浴场所、美容美发场所、游泳场所等需取得卫生许可的公共场所；场所布局和卫生设施"
                "符合卫生标准和规范；具有卫生管理制度和专（兼）职卫生管理人员。",
                (20, 10),
                ("10", "公共场所卫生许可证", "公共场所卫生许可证"),
                _PUB_KW,
                "开宾馆、理发店、洗浴、游泳馆，要办公共场所卫生许可证。交材料后会来现场看一次，合格就发证，不收费。",
                [
                    form("公共场所卫生许可申请表"),
                    business_licence(),
                    id_card("法定代表人（负责人）"),
                    mat(
                        "layout",
                        "公共场所地址方位示意图、平面图和卫生设施平面布局图",
                        "premises_layout",
                        ["图纸标明卫生设施位置", "地址与营业执照一致"],
                    ),
                    mat(
                        "testing",
                        "公共场所卫生检测或者评价报告",
                        "testing_report",
                        ["检测机构具有资质", "检测结论为合格"],
                        necessity="3",
                        note="可容缺受理，须在领证前补交。",
                    ),
                ],
                special_procedures=[{"kind": "inspection", "name": "现场卫生审查", "days": 5}],
                intermediary_services=[{"name": "公共场所卫生检测", "provider": "具有资质的检测机构"}],
                service_object="legal",
            ),
            handling(
                "公共场所卫生许可（变更）",
                "licensing",
                _PUB_HEALTH,
                "公共场所卫生许可证载明的单位名称、法定代表人（负责人）等事项发生变化，经营场所未变化。",
                (20, 3),
                ("10", "公共场所卫生许可证", "公共场所卫生许可证"),
                _PUB_KW + " 许可证变更",
                "卫生许可证上的名称、负责人变了，来办变更，3个工作日办好。",
                [
                    form("公共场所卫生许可变更申请表"),
                    business_licence(),
                    mat(
                        "pubcert",
                        "公共场所卫生许可证原件",
                        "health_licence",
                        ["许可证在有效期内"],
                        source="20",
                        licence="公共场所卫生许可证",
                    ),
                ],
                online_depth=4,
                commitment_allowed=True,
                service_object="legal",
            ),
            handling(
                "公共场所卫生许可（延续）",
                "licensing",
                _PUB_HEALTH,
                "卫生许可证有效期届满前30日提出申请，经营条件未发生变化。",
                (20, 5),
                ("10", "公共场所卫生许可证", "公共场所卫生许可证"),
                _PUB_KW + " 续证 到期",
                "卫生许可证快到期时来办延续，条件没变的书面承诺一下，5个工作日换证。",
                [
                    form("公共场所卫生许可延续申请表"),
                    mat(
                        "pubcert",
                        "公共场所卫生许可证原件",
                        "health_licence",
                        ["许可证尚在有效期内"],
                        source="20",
                        licence="公共场所卫生许可证",
                    ),
                    mat(
                        "testing",
                        "近一年内卫生检测报告",
                        "testing_report",
                        ["检测结论为合格"],
                        commit=True,
                        note="实行告知承诺的，可承诺后补交。",
                    ),
                ],
                online_depth=4,
                commitment_allowed=True,
                service_object="legal",
            ),
        ],
    ),
    main(
        "wjw",
        "医师执业注册",
        "licensing",
        [
            handling(
                "医师执业注册（首次）",
                "licensing",
                "《中华人民共和国医师法》；《医师执业注册管理办法》",
                "取得医师资格；拟在本旗医疗、预防、保健机构执业；不存在不予注册的情形。",
                (20, 10),
                ("10", "医师执业证书", "医师执业证书"),
                "医生注册 医师证 医师执业",
                "考过医师资格后，要在单位所在地注册才能行医。交材料10个工作日内办好。",
                [
                    form("医师执业注册申请审核表"),
                    mat(
                        "qualification",
                        "医师资格证书",
                        "professional_certificate",
                        ["证书编号可在国家医师注册系统核验"],
                        source="20",
                    ),
                    id_card(),
                    mat(
                        "health",
                        "近6个月内的健康体检证明",
                        "health_certificate",
                        ["由县级以上医疗机构出具", "体检日期在6个月内"],
                    ),
                    mat("employer", "拟执业机构的聘用证明", "employment_proof", ["加盖拟执业机构公章"]),
                ],
                service_object="natural",
            ),
            handling(
                "医师执业变更注册",
                "licensing",
                "《中华人民共和国医师法》；《医师执业注册管理办法》",
                "已注册的医师变更执业地点、执业类别、执业范围。",
                (20, 5),
                ("10", "医师执业证书", "医师执业证书"),
                "医生换单位 医师变更 多点执业",
                "医生换单位、改执业范围，在“医师电子化注册系统”网上申请，不用跑腿，5个工作日办好。",
                [
                    form("医师变更执业注册申请审核表"),
                    mat(
                        "doctorcert",
                        "医师执业证书",
                        "professional_certificate",
                        ["证书在有效期内"],
                        source="20",
                        licence="医师执业证书",
                        media="electronic",
                        originals=0,
                    ),
                    mat(
                        "employer",
                        "拟执业机构的聘用证明",
                        "employment_proof",
                        ["加盖拟执业机构公章"],
                        media="electronic",
                        originals=0,
                    ),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                tongban_scope="region",
                service_object="natural",
                delivery_methods=["online"],
            ),
        ],
    ),
    main(
        "wjw",
        "护士执业注册",
        "licensing",
        [
            handling(
                "护士执业注册（首次）",
                "licensing",
                "《护士条例》；《护士执业注册管理办法》",
                "具有完全民事行为能力；取得规定学历；通过国务院卫生主管部门组织的护士执业资格考试；符合健康标准。",
                (20, 10),
                ("10", "护士执业证书", "护士执业证书"),
                "护士注册 护士证 护士执业",
                "护士考试通过后，要在医院所在地注册才能上岗。交材料10个工作日内办好。",
                [
                    form("护士执业注册申请审核表"),
                    id_card(),
                    mat(
                        "exam",
                        "护士执业资格考试成绩合格证明",
                        "exam_certificate",
                        ["考试年份、成绩可在系统核验"],
                    ),
                    mat("health", "近6个月内的健康体检证明", "health_certificate", ["体检日期在6个月内"]),
                    mat("employer", "医疗卫生机构拟聘用的相关材料", "employment_proof", ["加盖机构公章"]),
                ],
                online_depth=4,
                service_object="natural",
            ),
        ],
    ),
    main(
        "wjw",
        "医疗机构执业登记",
        "licensing",
        [
            handling(
                "医疗机构执业登记",
                "licensing",
                "《医疗机构管理条例》；《医疗机构管理条例实施细则》",
                "按照规定取得设置医疗机构批准书或完成备案；有符合规定的名称、组织机构和场所；"
                "有与开展业务相适应的经费、设施、设备和专业卫生技术人员；有相应的规章制度。",
                (45, 20),
                ("10", "医疗机构执业许可证", "医疗机构执业许可证"),
                "开医院 开门诊 开卫生院 医疗机构",
                "开医院、门诊部，要办医疗机构执业登记。交材料后专家到现场验收，合格的20个工作日内发证。",
                [
                    form("医疗机构申请执业登记注册书"),
                    mat(
                        "approval",
                        "设置医疗机构批准书或备案回执",
                        "approval_document",
                        ["批准书在有效期内", "机构名称、地址与申请一致"],
                        source="20",
                    ),
                    premises(commit=False),
                    mat(
                        "staff",
                        "医疗机构卫生技术人员名录及资格证书、执业证书",
                        "staff_roster",
                        ["人员执业地点为本机构", "人员数量符合基本标准"],
                        originals=0,
                        copies=1,
                    ),
                    mat(
                        "rules",
                        "医疗机构规章制度",
                        "safety_rules",
                        ["包含医疗质量、感染防控、医疗废物管理制度"],
                    ),
                ],
                special_procedures=[{"kind": "inspection", "name": "现场审核验收", "days": 10}],
                intermediary_services=[
                    {
                        "name": "放射诊疗设备放射防护检测（设有放射设备的）",
                        "provider": "具有资质的职业卫生技术服务机构",
                    }
                ],
                service_object="legal",
            ),
        ],
    ),
]


# ——— 自然资源局 · 不动产登记中心 · 住建局 ———
_PLAN = "《中华人民共和国城乡规划法》"
_BDC = "《中华人民共和国民法典》第二百一十条；《不动产登记暂行条例》第二十条；《不动产登记暂行条例实施细则》"
_BDC_FEE = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
_BDC_FEES = [
    {"name": "不动产登记费（住宅）", "standard": "80元/件", "basis": _BDC_FEE},
    {"name": "不动产登记费（非住宅）", "standard": "550元/件", "basis": _BDC_FEE},
    {"name": "证书工本费（第二本起）", "standard": "10元/本", "basis": _BDC_FEE},
]
_SURVEY = {"name": "不动产测绘（权籍调查）", "provider": "具有测绘资质的机构"}


def _bdc_form() -> dict[str, Any]:
    return form("不动产登记申请书", "申请人签字与身份证明一致", "不动产坐落、面积与权属来源材料一致")


ZRZY = [
    main(
        "zrzy",
        "建设工程规划许可",
        "licensing",
        [
            handling(
                "建设工程规划许可证核发",
                "licensing",
                f"{_PLAN}第四十条",
                "在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设；已取得土地使用权；"
                "建设工程设计方案符合控制性详细规划和规划条件。",
                (20, 10),
                ("10", "建设工程规划许可证", "建设工程规划许可证"),
                "盖楼 建厂房 规划许可 规划证 工程规划",
                "在城镇里盖楼、建厂房，开工前要办建设工程规划许可证。设计方案要公示7天，没有问题的10个工作日内发证。",
                [
                    form("建设工程规划许可申请表"),
                    business_licence(),
                    property_certificate(key="landcert"),
                    mat(
                        "design",
                        "建设工程设计方案（总平面图、单体设计图）",
                        "design_plan",
                        [
                            "设计单位具有相应资质",
                            "容积率、建筑密度、退线符合规划条件",
                            "图纸加盖设计单位出图章",
                        ],
                    ),
                ],
                special_procedures=[{"kind": "public_notice", "name": "设计方案批前公示", "days": 7}],
                intermediary_services=[
                    {"name": "建设工程设计方案编制", "provider": "具有相应资质的设计单位"}
                ],
                service_object="legal",
            ),
            handling(
                "乡村建设规划许可证核发",
                "licensing",
                f"{_PLAN}第四十一条",
                "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设以及农村牧区村民住宅建设；"
                "不得占用农用地，确需占用的依法办理农用地转用审批手续。",
                (20, 10),
                ("10", "乡村建设规划许可证", "乡村建设规划许可证"),
                "农村盖房 牧区建房 翻建房子 建房审批",
                "在嘎查村盖房、翻建房子，先到镇便民服务中心申请乡村建设规划许可证，10个工作日内办好，不收费。",
                [
                    form("乡村建设规划许可申请表"),
                    id_card(),
                    hukou(),
                    mat(
                        "homestead",
                        "宅基地使用权证明或宅基地批准文件",
                        "land_approval",
                        ["宅基地位置、面积与申请一致"],
                        source="20",
                    ),
                    mat(
                        "village",
                        "嘎查村民委员会意见",
                        "village_opinion",
                        ["加盖嘎查村委会公章", "经公示无异议"],
                    ),
                ],
                nearby_level="township",
                service_object="natural",
            ),
        ],
    ),
]

BDC = [
    main(
        "bdc",
        "不动产登记",
        "confirmation",
        [
            sub(
                "国有建设用地使用权及房屋所有权登记",
                [
                    handling(
                        "国有建设用地使用权及房屋所有权首次登记",
                        "confirmation",
                        _BDC,
                        "房屋已竣工验收，权属来源清楚、界址清楚；已完成不动产权籍调查。",
                        (30, 5),
                        ("10", "不动产权证书", "不动产权证书"),
                        "办房本 房产证 新房办证 首次登记",
                        "新建房屋竣工后第一次办房本。测绘报告齐全的5个工作日内发证。",
                        [
                            _bdc_form(),
                            business_licence(necessity="2"),
                            mat(
                                "landcert",
                                "土地权属来源材料（国有建设用地使用权证明）",
                                "land_approval",
                                ["土地使用权人与申请人一致"],
                                source="20",
                                licence="不动产权证书",
                            ),
                            mat(
                                "acceptance",
                                "建设工程竣工验收备案材料",
                                "completion_record",
                                ["验收结论为合格", "工程名称、坐落与申请一致"],
                                source="20",
                            ),
                            mat(
                                "survey",
                                "不动产权籍调查表、宗地图、房屋平面图",
                                "survey_report",
                                ["测绘单位具有资质", "面积与规划许可一致"],
                            ),
                        ],
                        fees=_BDC_FEES,
                        intermediary_services=[_SURVEY],
                    ),
                    handling(
                        "国有建设用地使用权及房屋所有权转移登记（二手房买卖）",
                        "confirmation",
                        _BDC,
                        "存量房买卖合同已网签备案；税费已缴纳；不动产未被查封，无异议登记。",
                        (30, 5),
                        ("10", "不动产权证书", "不动产权证书"),
                        "二手房过户 买房 卖房 房产过户 房本过户 买二手房",
                        "买卖二手房办过户。网签、缴税、过户在一个窗口一次办，5个工作日拿新房本，水电气暖可以同时过户。",
                        [
                            _bdc_form(),
                            id_card("买卖双方", key="parties"),
                            property_certificate(),
                            mat(
                                "contract",
                                "存量房买卖合同（网签备案）",
                                "sale_contract",
                                [
                                    "合同已网签备案",
                                    "买卖双方签字与身份证明一致",
                                    "房屋坐落与不动产权证书一致",
                                ],
                                source="20",
                                media="electronic",
                                originals=0,
                                note="由住建部门网签备案系统共享，申请人无需提交纸质合同。",
                            ),
                            mat(
                                "taxpaid",
                                "完税凭证（税务部门共享）",
                                "tax_payment_proof",
                                ["契税、个人所得税、增值税等已缴纳或依法减免"],
                                source="20",
                                media="electronic",
                                originals=0,
                                note="税务部门实时共享，申请人无需提交。",
                            ),
                            marriage_certificate(),
                        ],
                        fees=_BDC_FEES,
                        online_depth=3,
                    ),
                ],
            ),
            sub(
                "抵押权登记",
                [
                    handling(
                        "抵押权首次登记",
                        "confirmation",
                        _BDC,
                        "抵押合同已签订；抵押物权属清楚，未被查封。",
                        (30, 2),
                        ("10", "不动产登记证明", "不动产登记证明"),
                        "房子抵押 贷款抵押 抵押登记 按揭",
                        "用房子抵押贷款，银行和房主一起来办抵押登记，2个工作日出证明。",
                        [
                            _bdc_form(),
                            id_card("抵押人"),
                            property_certificate(),
                            mat(
                                "mortgage",
                                "抵押合同及主债权合同",
                                "mortgage_contract",
                                [
                                    "双方签字（盖章）",
                                    "抵押物与不动产权证书一致",
                                    "担保范围、债务履行期限明确",
                                ],
                            ),
                            business_licence(key="bank"),
                        ],
                        fees=[
                            {
                                "name": "不动产登记费（抵押权登记，住宅）",
                                "standard": "80元/件",
                                "basis": _BDC_FEE,
                            }
                        ],
                        intermediary_services=[
                            {
                                "name": "房地产估价（抵押物价值评估，由抵押权人委托）",
                                "provider": "具有资质的房地产估价机构",
                            }
                        ],
                    ),
                    handling(
                        "抵押权注销登记",
                        "confirmation",
                        _BDC,
                        "主债权已消灭或抵押权人放弃抵押权。",
                        (30, 0),
                        ("30", "注销登记结果（登记簿记载）"),
                        "贷款还清 解押 注销抵押 房贷还完",
                        "房贷还清了，带银行出具的解押材料来办注销抵押，当场办好，不收费。",
                        [
                            _bdc_form(),
                            mat(
                                "release",
                                "抵押权消灭的材料（抵押权人出具的解押证明）",
                                "release_certificate",
                                ["由抵押权人盖章", "抵押登记证明号与登记簿一致"],
                            ),
                            mat(
                                "proof",
                                "不动产登记证明",
                                "registration_proof",
                                ["证明号与登记簿一致"],
                                source="20",
                                licence="不动产登记证明",
                            ),
                        ],
                    ),
                ],
            ),
            sub(
                "宅基地使用权及房屋所有权登记",
                [
                    handling(
                        "宅基地使用权及房屋所有权首次登记",
                        "confirmation",
                        _BDC,
                        "宅基地经依法批准，房屋符合规划或建设的相关要求；权属无争议。",
                        (30, 15),
                        ("10", "不动产权证书", "不动产权证书"),
                        "农村房本 宅基地确权 牧区房产证",
                        "农村牧区的房子办房本。在镇便民服务中心交材料，公告15个工作日没有异议就发证。",
                        [
                            _bdc_form(),
                            id_card(),
                            hukou(),
                            mat(
                                "homestead",
                                "宅基地批准文件",
                                "land_approval",
                                ["批准面积与实际一致"],
                                source="20",
                            ),
                            mat(
                                "survey",
                                "不动产权籍调查表、宗地图、房屋平面图",
                                "survey_report",
                                ["界址点经相邻权利人签字确认"],
                            ),
                        ],
                        nearby_level="township",
                        intermediary_services=[_SURVEY],
                        special_procedures=[{"kind": "public_notice", "name": "首次登记公告", "days": 15}],
                        fees=[{"name": "不动产登记费（住宅）", "standard": "80元/件", "basis": _BDC_FEE}],
                        service_object="natural",
                    ),
                ],
            ),
        ],
    ),
]

ZJJ = [
    main(
        "zjj",
        "建筑工程施工许可证核发",
        "licensing",
        [
            handling(
                "建筑工程施工许可证核发",
                "licensing",
                "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）",
                "已办理用地批准手续；依法应当办理建设工程规划许可证的已经取得；施工场地已经基本具备施工条件；"
                "已经确定施工企业；有满足施工需要的技术资料，施工图设计文件已审查合格；有保证工程质量和安全的具体措施。",
                (7, 5),
                ("10", "建筑工程施工许可证", "建筑工程施工许可证"),
                "开工 施工许可证 盖楼开工 工程开工",
                "工程开工前要领施工许可证。规划许可、施工合同、图审都有了就来办，5个工作日发证，部分条件可以先承诺后补。",
                [
                    form("建筑工程施工许可证申请表"),
                    mat(
                        "planning",
                        "建设工程规划许可证",
                        "planning_permit",
                        ["项目名称、建设规模与申请一致"],
                        source="20",
                        licence="建设工程规划许可证",
                    ),
                    mat(
                        "contract",
                        "施工合同及中标通知书（依法必须招标的）",
                        "construction_contract",
                        ["施工企业具有相应资质", "合同双方签章齐全"],
                        originals=0,
                        copies=1,
                    ),
                    mat(
                        "site",
                        "施工场地已经基本具备施工条件的说明",
                        "site_statement",
                        ["说明经建设单位盖章"],
                        commit=True,
                    ),
                    mat(
                        "drawing",
                        "施工图设计文件审查合格书",
                        "design_review",
                        ["审查结论为合格", "项目名称与申请一致"],
                        source="99",
                    ),
                ],
                commitment_allowed=True,
                service_object="legal",
                intermediary_services=[{"name": "施工图设计文件审查", "provider": "施工图审查机构"}],
            ),
        ],
    ),
    main(
        "zjj",
        "建设工程消防验收",
        "licensing",
        [
            handling(
                "建设工程消防验收",
                "licensing",
                "《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》（住房和城乡建设部令第51号）",
                "特殊建设工程已竣工；建设单位已组织竣工验收消防查验合格。",
                (15, 10),
                ("20", "建设工程消防验收意见书"),
                "消防验收 消防检查 开业消防 商场消防 饭店消防",
                "大型商场、饭店、宾馆等特殊建设工程完工后要做消防验收。交材料后到现场评定，10个工作日出意见书。",
                [
                    form("特殊建设工程消防验收申请表"),
                    mat("completion", "工程竣工验收报告", "completion_record", ["五方责任主体签章齐全"]),
                    mat(
                        "drawing",
                        "涉及消防的建设工程竣工图纸",
                        "as_built_drawing",
                        ["图纸与现场一致", "加盖竣工图章"],
                    ),
                    mat(
                        "testing",
                        "消防设施检测报告",
                        "testing_report",
                        ["检测机构具有资质", "检测结论为合格"],
                    ),
                ],
                special_procedures=[{"kind": "inspection", "name": "消防验收现场评定", "days": 5}],
                intermediary_services=[{"name": "建筑消防设施检测", "provider": "消防技术服务机构"}],
                service_object="legal",
            ),
        ],
    ),
    main(
        "zjj",
        "房屋交易合同网签备案",
        "public_service",
        [
            handling(
                "存量房买卖合同网签备案",
                "public_service",
                "《中华人民共和国城市房地产管理法》；《住房和城乡建设部关于进一步规范和加强房屋网签备案工作的指导意见》"
                "（建房〔2018〕128号）",
                "房屋已取得不动产权证书，无查封、无异议；买卖双方已就交易达成一致。",
                (5, 0),
                ("30", "存量房买卖合同网签备案证明"),
                "二手房网签 买房合同 网签 卖房",
                "买卖二手房先网签合同，买卖双方带身份证和房本，当场网签备案，信息自动推送给税务和不动产登记。",
                [
                    id_card("买卖双方", key="parties"),
                    property_certificate(),
                    mat(
                        "contract",
                        "存量房买卖合同",
                        "sale_contract",
                        ["使用示范合同文本", "成交价格、付款方式填写完整", "买卖双方签字"],
                    ),
                ],
            ),
        ],
    ),
    main(
        "zjj",
        "户外广告设置审批",
        "licensing",
        [
            handling(
                "设置大型户外广告审批",
                "licensing",
                "《城市市容和环境卫生管理条例》第十一条",
                "设置位置符合户外广告设置规划；广告设施结构安全；已取得设置场地的使用权。",
                (20, 5),
                ("20", "户外广告设置许可决定书"),
                "户外广告 广告牌 楼顶广告 大牌子",
                "在楼顶、路边立大型广告牌要先审批。5个工作日内出结果，有效期一般不超过3年。",
                [
                    form("户外广告设置申请表"),
                    business_licence(),
                    mat("design", "广告设计效果图及设置位置图", "design_plan", ["标明尺寸、材质和位置"]),
                    mat(
                        "site",
                        "设置场地使用证明",
                        "lease_contract",
                        ["出租方为产权人", "使用期限覆盖设置期限"],
                        originals=0,
                        copies=1,
                    ),
                    mat(
                        "structure",
                        "广告设施结构安全证明",
                        "testing_report",
                        ["由有资质的设计或检测单位出具"],
                    ),
                ],
                intermediary_services=[
                    {"name": "户外广告设施结构安全设计或检测", "provider": "具有资质的设计、检测单位"}
                ],
                service_object="legal",
            ),
        ],
    ),
    main(
        "zjj",
        "店铺招牌设置",
        "other_power",
        [
            handling(
                "店铺招牌设置备案",
                "other_power",
                "《城市市容和环境卫生管理条例》",
                "在本店经营场所外墙设置店名招牌，符合招牌设置技术规范。",
                (5, 0),
                ("30", "店铺招牌设置备案回执"),
                "门头 招牌 挂牌子 店名牌 开超市 开小餐馆",
                "开店挂门头招牌，网上备案一下就行，当场办好，不用跑。承诺按规范设置，事后抽查。",
                [
                    mat(
                        "design",
                        "招牌设计效果图",
                        "design_plan",
                        ["标明尺寸、位置", "字体、亮化符合规范"],
                        media="electronic",
                        originals=0,
                    ),
                    business_licence(),
                    mat(
                        "pledge",
                        "招牌设置安全承诺书",
                        "commitment_letter",
                        ["经营者签字"],
                        media="electronic",
                        originals=0,
                        commit=True,
                    ),
                ],
                online_depth=4,
                visits_required=0,
                commitment_allowed=True,
                process_steps=STEPS_ONLINE,
                service_object="legal",
            ),
        ],
    ),
]


# ——— 税务局 ———
_TAX = "《中华人民共和国税收征收管理法》"

SWJ = [
    main(
        "swj",
        "新办纳税人涉税事项",
        "other_power",
        [
            handling(
                "新办纳税人信息确认（“多证合一”登记信息确认）",
                "other_power",
                f"{_TAX}第十五条",
                "已领取营业执照的新办企业、个体工商户。",
                (1, 0),
                ("30", "税务登记信息确认结果"),
                "税务登记 企业开办 报税 新办企业 税务报到",
                "领了营业执照后，税务登记信息自动共享，网上确认一下就行，不用跑税务局。",
                [business_licence(), id_card("法定代表人（负责人）")],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="legal",
            ),
            handling(
                "发票领用（首次）",
                "other_power",
                "《中华人民共和国发票管理办法》",
                "已完成税务登记信息确认，办税人员已实名认证。",
                (1, 0),
                ("30", "数电发票开票额度"),
                "领发票 开发票 电子发票 企业开办 发票申领",
                "新开的公司要开发票，在电子税务局申请，当场核定开票额度，用数电发票，不用领纸票。",
                [business_licence(), id_card("办税人员")],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="legal",
                tongban_scope="cross_province",
            ),
        ],
    ),
    main(
        "swj",
        "增值税专用发票最高开票限额审批",
        "licensing",
        [
            handling(
                "增值税专用发票（增值税税控系统）最高开票限额审批",
                "licensing",
                "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）",
                "增值税一般纳税人或选择自行开具专用发票的小规模纳税人，因经营需要申请调整最高开票限额。",
                (20, 5),
                ("20", "准予税务行政许可决定书"),
                "专票限额 提额 增值税专用发票 开票额度",
                "要开大额专用发票，申请提高单张最高开票限额。10万元及以下的当场办，以上的5个工作日内办，可能实地核查。",
                [form("税务行政许可申请表", "申请限额与经营规模相适应"), business_licence()],
                online_depth=4,
                service_object="legal",
                special_procedures=[{"kind": "inspection", "name": "实地核查（百万元以上限额）", "days": 5}],
            ),
        ],
    ),
    main(
        "swj",
        "存量房交易税费申报",
        "other_power",
        [
            handling(
                "存量房交易税费申报",
                "other_power",
                "《中华人民共和国契税法》；《中华人民共和国个人所得税法》；《中华人民共和国增值税法》",
                "存量房买卖合同已网签备案；买卖双方身份信息真实。",
                (1, 0),
                ("30", "完税凭证"),
                "二手房交税 买房交契税 过户交税 卖房个税",
                "买卖二手房要交契税等税费，在不动产综合窗口一次算好、一次缴清，家庭唯一住房等可以减免。",
                [
                    id_card("买卖双方", key="parties"),
                    property_certificate(),
                    mat(
                        "contract",
                        "存量房买卖合同（网签备案）",
                        "sale_contract",
                        ["成交价格与申报计税价格一致"],
                        source="20",
                        media="electronic",
                        originals=0,
                    ),
                    marriage_certificate(),
                    mat(
                        "original",
                        "房屋原购置发票或原契税完税凭证（申请差额征税或减免时）",
                        "tax_payment_proof",
                        ["凭证与房屋坐落一致"],
                        necessity="2",
                        originals=0,
                        copies=1,
                    ),
                ],
                handling_place=f"{CENTRE} 二楼 E区 不动产登记综合窗口",
            ),
        ],
    ),
    main(
        "swj",
        "注销税务登记",
        "other_power",
        [
            handling(
                "清税申报（注销税务登记）",
                "other_power",
                f"{_TAX}第十六条；《国家税务总局关于进一步优化办理企业税务注销程序的通知》（税总发〔2018〕149号）",
                "已结清应纳税款、滞纳金、罚款，已缴销发票；纳税信用级别为A级、B级的纳税人可承诺制容缺办理。",
                (20, 0),
                ("30", "清税证明"),
                "税务注销 清税 企业注销 关公司",
                "公司要注销，先在税务清税。没有欠税的当场出清税证明；信用好的企业资料不全也可以先承诺后补。",
                [
                    form("清税申报表"),
                    business_licence(),
                    mat(
                        "invoices",
                        "发票缴销情况说明",
                        "statement",
                        ["发票已全部缴销或作废"],
                        necessity="3",
                        note="纳税信用A级、B级纳税人可容缺办理，在承诺时限内补齐。",
                    ),
                ],
                online_depth=4,
                commitment_allowed=True,
                service_object="legal",
            ),
        ],
    ),
]


# ——— 人社局 ———
_SI = "《中华人民共和国社会保险法》"
_RESIDENT_PENSION = "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）"

RSJ = [
    main(
        "rsj",
        "社会保险登记",
        "public_service",
        [
            handling(
                "单位参保登记",
                "public_service",
                f"{_SI}第五十七条",
                "用人单位自成立之日起三十日内申请办理社会保险登记。",
                (1, 0),
                ("30", "社会保险登记信息"),
                "社保开户 企业开办 单位社保 给员工交社保",
                "新开的公司要给员工交社保，企业开办时一并登记，网上确认，不用跑。",
                [business_licence(), id_card("法定代表人（负责人）")],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="legal",
            ),
            handling(
                "单位社会保险注销登记",
                "public_service",
                f"{_SI}第五十七条",
                "用人单位依法终止，已结清社会保险费，职工社会保险关系已转移或终止。",
                (5, 0),
                ("30", "社会保险注销登记信息"),
                "社保注销 企业注销 关公司",
                "公司注销前，把员工的社保减员、欠费结清，再注销单位社保，当场办结。",
                [
                    form("社会保险注销登记表"),
                    business_licence(),
                    mat(
                        "termination",
                        "单位终止的证明材料",
                        "termination_proof",
                        ["决议或清算文件与单位名称一致"],
                    ),
                ],
                online_depth=4,
                service_object="legal",
            ),
        ],
    ),
    main(
        "rsj",
        "社会保障卡服务",
        "public_service",
        [
            handling(
                "社会保障卡申领",
                "public_service",
                f"{_SI}；社会保障卡管理有关规定",
                "参加社会保险的人员（含新生儿）。",
                (10, 0),
                ("10", "社会保障卡", "社会保障卡"),
                "办社保卡 领社保卡 新生儿社保卡 即时制卡",
                "办社保卡，带身份证到窗口即时制卡，当场拿卡；新生儿凭户口簿办理。在外省也能申请。",
                [
                    id_card(necessity="2"),
                    hukou(necessity="2"),
                    mat(
                        "photo",
                        "近期免冠彩色照片（现场拍摄）",
                        "photo",
                        ["白色背景、免冠正面"],
                        media="electronic",
                        originals=0,
                    ),
                ],
                tongban_scope="cross_province",
                nearby_level="township",
                service_object="natural",
            ),
        ],
    ),
    main(
        "rsj",
        "城乡居民基本养老保险",
        "public_service",
        [
            handling(
                "城乡居民基本养老保险参保登记",
                "public_service",
                _RESIDENT_PENSION,
                "年满16周岁（不含在校学生），非国家机关和事业单位工作人员，不属于职工基本养老保险覆盖范围的本旗户籍居民。",
                (5, 0),
                ("30", "参保登记信息"),
                "农村养老保险 交养老保险 居民养老 新农保",
                "没有单位的农牧民、城镇居民交养老保险，在嘎查村、社区就能登记，当场办好。",
                [id_card(), hukou(necessity="2")],
                nearby_level="village",
                service_object="natural",
            ),
            handling(
                "城乡居民基本养老保险待遇申领",
                "payment",
                _RESIDENT_PENSION,
                "年满60周岁，累计缴费满15年，未领取国家规定的基本养老保障待遇。",
                (20, 10),
                ("30", "待遇核定通知"),
                "领养老金 60岁领钱 居民养老金",
                "交够15年、满60岁，就能按月领养老金。到镇便民服务中心申请，10个工作日内核定发放。",
                [
                    form("城乡居民基本养老保险待遇申领表"),
                    id_card(),
                    mat(
                        "sscard",
                        "社会保障卡",
                        "social_security_card",
                        ["卡片已激活金融功能"],
                        source="20",
                        licence="社会保障卡",
                    ),
                ],
                nearby_level="township",
                service_object="natural",
            ),
        ],
    ),
    main(
        "rsj",
        "职工基本养老保险",
        "payment",
        [
            handling(
                "职工基本养老保险待遇申领（退休）",
                "payment",
                f"{_SI}第十六条",
                "达到法定退休年龄，累计缴费满规定年限。",
                (20, 10),
                ("30", "基本养老金核定表"),
                "退休 办退休 领退休金 养老金",
                "到了退休年龄，单位或本人申请办退休，核定养老金后按月发放，10个工作日内办好。",
                [
                    form("职工基本养老保险待遇申领表"),
                    id_card(),
                    mat(
                        "archive",
                        "本人档案（单位或档案管理机构提供）",
                        "personnel_archive",
                        ["出生日期以档案最早记载为准", "参加工作时间记载清楚"],
                        source="99",
                    ),
                ],
            ),
        ],
    ),
    main(
        "rsj",
        "失业保险",
        "payment",
        [
            handling(
                "失业保险金申领",
                "payment",
                f"{_SI}第四十五条、第五十条；《失业保险条例》",
                "失业前用人单位和本人已经缴纳失业保险费满一年；非因本人意愿中断就业；已经进行失业登记，并有求职要求。",
                (20, 5),
                ("30", "失业保险金核定结果"),
                "失业金 领失业金 下岗 没工作了",
                "非自愿失业、交失业保险满一年的，可以在手机上申领失业金，不用跑，5个工作日内审核发放。",
                [
                    id_card(),
                    mat(
                        "termination",
                        "解除或终止劳动关系的证明",
                        "termination_proof",
                        ["单位已推送或加盖公章", "非本人意愿离职"],
                        source="99",
                        media="electronic",
                        originals=0,
                    ),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                tongban_scope="region",
                service_object="natural",
            ),
        ],
    ),
    main(
        "rsj",
        "就业创业服务",
        "public_service",
        [
            handling(
                "就业失业登记",
                "public_service",
                "《中华人民共和国就业促进法》；《就业服务与就业管理规定》",
                "在法定劳动年龄内、有劳动能力和就业要求、处于无业状态的人员，或已就业需登记的人员。",
                (5, 0),
                ("30", "就业创业证（电子）"),
                "失业登记 找工作 就业登记 就业创业证",
                "没工作想找工作，或者找到了工作，都来做个登记，当场办好，在镇上也能办。",
                [form("就业失业登记表"), id_card()],
                nearby_level="township",
                online_depth=4,
                service_object="natural",
            ),
        ],
    ),
]


# ——— 医保局 ———
_MI = "《中华人民共和国社会保险法》；《医疗保障基金使用监督管理条例》"

YBJ = [
    main(
        "ybj",
        "医疗保障参保登记",
        "public_service",
        [
            handling(
                "单位医疗保险参保登记",
                "public_service",
                f"{_SI}第五十七条",
                "新成立的用人单位。",
                (1, 0),
                ("30", "医保参保登记信息"),
                "医保开户 企业开办 单位医保",
                "新公司给员工上医保，企业开办时一并办好，网上确认，不用跑。",
                [business_licence(), id_card("经办人")],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="legal",
            ),
            handling(
                "城乡居民基本医疗保险参保登记",
                "public_service",
                _MI,
                "未参加职工基本医疗保险的本旗户籍居民及持居住证人员；新生儿凭出生医学证明即可参保。",
                (5, 0),
                ("30", "参保登记信息"),
                "新农合 居民医保 交医保 新生儿医保 小孩医保",
                "没有单位医保的居民（包括刚出生的孩子）交居民医保，在嘎查村、社区就能登记，当场办好。",
                [
                    id_card(necessity="2"),
                    mat(
                        "birthcert",
                        "出生医学证明（新生儿参保时）",
                        "birth_medical_certificate",
                        ["新生儿信息与申请一致"],
                        source="20",
                        necessity="2",
                        licence="出生医学证明",
                    ),
                ],
                nearby_level="village",
                service_object="natural",
            ),
        ],
    ),
    main(
        "ybj",
        "异地就医备案",
        "public_service",
        [
            handling(
                "基本医疗保险跨省异地就医备案",
                "public_service",
                "《国家医疗保障局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》"
                "（医保发〔2022〕22号）",
                "参加本旗基本医疗保险，异地长期居住、常驻工作或临时外出就医的人员。",
                (1, 0),
                ("30", "异地就医备案信息"),
                "外地看病 异地就医 去外地住院 异地报销",
                "去外地看病，手机上用“国家医保服务平台”备案，马上生效，看病时直接结算，不用回来报销。",
                [
                    mat(
                        "apply",
                        "异地就医备案登记表（网上填报）",
                        "application_form",
                        ["备案类别、就医地与申请一致", "长期异地的填写异地居住地址"],
                        media="electronic",
                        originals=0,
                    ),
                    id_card(),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                tongban_scope="cross_province",
                service_object="natural",
            ),
        ],
    ),
    main(
        "ybj",
        "门诊慢特病待遇认定",
        "confirmation",
        [
            handling(
                "门诊慢特病待遇认定",
                "confirmation",
                "《国务院办公厅关于健全职工基本医疗保险门诊共济保障机制的指导意见》（国办发〔2021〕14号）",
                "参保人员患有规定的门诊慢特病病种，且有二级以上医疗机构的诊断证明和相关检查资料。",
                (20, 10),
                ("30", "门诊慢特病待遇认定结果"),
                "慢性病 慢病卡 高血压 糖尿病 门诊报销",
                "得了高血压、糖尿病等慢性病，可以申请门诊慢特病待遇，门诊看病报销更多。专家评审后10个工作日出结果。",
                [
                    form("门诊慢特病待遇认定申请表"),
                    id_card(),
                    mat(
                        "diagnosis",
                        "二级以上医疗机构诊断证明及相关检查资料",
                        "medical_record",
                        ["诊断证明加盖医院公章", "检查资料在6个月内"],
                    ),
                ],
                special_procedures=[{"kind": "expert_review", "name": "专家评审鉴定", "days": 5}],
                nearby_level="township",
                service_object="natural",
            ),
        ],
    ),
    main(
        "ybj",
        "生育保险待遇",
        "payment",
        [
            handling(
                "生育医疗费用报销",
                "payment",
                f"{_SI}第五十四条",
                "参保职工或参保人员的配偶在非联网医疗机构生育或未直接结算的生育医疗费用。",
                (20, 10),
                ("30", "生育医疗费用支付结果"),
                "生孩子报销 生育报销 生育保险",
                "生孩子的费用没在医院直接结算的，带发票和病历来报销，10个工作日内打到社保卡上。",
                [
                    id_card(),
                    mat(
                        "invoice",
                        "医疗费用票据及费用清单",
                        "medical_invoice",
                        ["票据为原件", "金额与清单一致"],
                    ),
                    mat("record", "出院记录或诊断证明", "medical_record", ["加盖医院公章"]),
                    mat(
                        "birthcert",
                        "出生医学证明",
                        "birth_medical_certificate",
                        ["与申请人为母子（女）关系"],
                        source="20",
                        licence="出生医学证明",
                    ),
                ],
                service_object="natural",
            ),
        ],
    ),
]


# ——— 民政局 · 残联 · 公积金 ———
_ASSIST = "《社会救助暂行办法》"

MZJ = [
    main(
        "mzj",
        "婚姻登记",
        "confirmation",
        [
            handling(
                "结婚登记",
                "confirmation",
                "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》",
                "男女双方完全自愿；男女双方均已达到法定婚龄（男22周岁、女20周岁）；双方均无配偶；"
                "双方不是直系血亲或三代以内旁系血亲。内地居民结婚登记实行全国通办。",
                (1, 0),
                ("10", "结婚证", "结婚证"),
                "领证 结婚证 登记结婚 扯证",
                "两个人一起带身份证来，签一个无配偶声明，当场领结婚证，不收费，全国哪里都能办。",
                [
                    id_card("男方", key="groom"),
                    id_card("女方", key="bride"),
                    mat(
                        "statement",
                        "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
                        "statement",
                        ["双方在登记员面前亲自签字"],
                    ),
                    mat(
                        "photo",
                        "双方近期半身免冠合影照片（2张）",
                        "photo",
                        ["红色背景、双人合影"],
                        originals=2,
                    ),
                ],
                tongban_scope="cross_province",
                service_object="natural",
            ),
            handling(
                "离婚登记",
                "confirmation",
                "《中华人民共和国民法典》第一千零七十六条、第一千零七十七条；《婚姻登记条例》",
                "双方自愿离婚，对子女抚养、财产及债务处理等事项协商一致，签订书面离婚协议。",
                (5, 1),
                ("10", "离婚证", "离婚证"),
                "离婚 协议离婚 离婚冷静期",
                "双方一起来申请，30天冷静期过后，再一起来领离婚证。冷静期内任何一方不想离了可以撤回。",
                [
                    id_card("男方", key="husband"),
                    id_card("女方", key="wife"),
                    marriage_certificate(necessity="1"),
                    mat(
                        "agreement",
                        "离婚协议书",
                        "divorce_agreement",
                        ["双方在登记员面前签字", "子女抚养、财产分割约定明确"],
                    ),
                ],
                special_procedures=[{"kind": "other", "name": "离婚冷静期（30日）", "days": 30}],
                service_object="natural",
            ),
        ],
    ),
    main(
        "mzj",
        "最低生活保障",
        "payment",
        [
            handling(
                "最低生活保障申请",
                "payment",
                f"{_ASSIST}；《最低生活保障审核确认办法》（民发〔2021〕57号）",
                "共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定。",
                (30, 20),
                ("30", "最低生活保障审核确认结果"),
                "低保 吃低保 生活困难 救助",
                "家里收入低、生活困难，可以申请低保。在镇便民服务中心交申请，经过入户调查和公示，20个工作日内出结果。",
                [
                    form("最低生活保障申请书"),
                    id_card(),
                    hukou(),
                    mat("authorise", "家庭经济状况核对授权书", "authorisation", ["全体共同生活家庭成员签字"]),
                    mat(
                        "disability",
                        "残疾人证（家庭成员有残疾的）",
                        "disability_certificate",
                        ["残疾等级与申请一致"],
                        source="20",
                        necessity="2",
                        licence="残疾人证",
                    ),
                ],
                nearby_level="township",
                special_procedures=[
                    {"kind": "inspection", "name": "入户调查", "days": 10},
                    {"kind": "public_notice", "name": "审核结果公示", "days": 7},
                ],
                service_object="natural",
            ),
        ],
    ),
    main(
        "mzj",
        "临时救助",
        "payment",
        [
            handling(
                "临时救助申请",
                "payment",
                f"{_ASSIST}；《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）",
                "因火灾、交通事故、突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或个人。",
                (20, 10),
                ("30", "临时救助审批结果"),
                "临时救助 突发困难 看病没钱 急难救助",
                "家里突然遇到火灾、大病等困难，可以申请临时救助。情况紧急的先救助后补手续。",
                [
                    form("临时救助申请书"),
                    id_card(),
                    mat(
                        "evidence",
                        "遭遇困难的相关证明（医疗票据、事故证明等）",
                        "hardship_proof",
                        ["证明与申请事由对应"],
                        necessity="3",
                        note="急难型救助可容缺，救助后补交。",
                    ),
                ],
                nearby_level="village",
                service_object="natural",
            ),
        ],
    ),
    main(
        "mzj",
        "高龄津贴",
        "payment",
        [
            handling(
                "80周岁以上老年人高龄津贴申领",
                "payment",
                "《中华人民共和国老年人权益保障法》；内蒙古自治区高龄津贴制度有关规定",
                "本旗户籍，年满80周岁的老年人。",
                (20, 10),
                ("30", "高龄津贴发放核定"),
                "高龄补贴 老人补贴 80岁补贴 高龄津贴",
                "家里老人满80岁，可以领高龄津贴。在嘎查村、社区就能申请，身份证、户口簿从系统调取，不用交复印件。",
                [
                    form("高龄津贴申请表"),
                    id_card("老年人"),
                    hukou("老年人"),
                    mat(
                        "sscard",
                        "社会保障卡或本人银行账户",
                        "bank_account",
                        ["户名为老年人本人"],
                        source="20",
                        licence="社会保障卡",
                    ),
                ],
                nearby_level="village",
                service_object="natural",
            ),
        ],
    ),
    main(
        "mzj",
        "残疾人两项补贴",
        "payment",
        [
            handling(
                "困难残疾人生活补贴和重度残疾人护理补贴申请",
                "payment",
                "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
                "持有第二代残疾人证；困难残疾人生活补贴为低保家庭中的残疾人，重度残疾人护理补贴为残疾等级一、二级。",
                (20, 10),
                ("30", "补贴审核结果"),
                "残疾补贴 两项补贴 护理补贴 残疾人",
                "低保家庭的残疾人和一二级重度残疾人，可以领生活补贴或护理补贴。在镇便民服务中心申请。",
                [
                    form("残疾人两项补贴申请审批表"),
                    id_card(),
                    mat(
                        "disability",
                        "残疾人证",
                        "disability_certificate",
                        ["残疾人证为第二代", "残疾等级符合条件"],
                        source="20",
                        licence="残疾人证",
                    ),
                ],
                nearby_level="township",
                service_object="natural",
            ),
        ],
    ),
]

CL = [
    main(
        "cl",
        "残疾人证办理",
        "public_service",
        [
            handling(
                "残疾人证核发（新办）",
                "public_service",
                "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》",
                "本旗户籍，符合残疾标准的视力、听力、言语、肢体、智力、精神残疾人。",
                (20, 15),
                ("10", "中华人民共和国残疾人证", "残疾人证"),
                "办残疾证 残疾人证 残疾评定",
                "办残疾人证，先申请，再到指定医院做残疾评定，评上等级后15个工作日内发证，可以在镇上申请。",
                [
                    form("残疾人证申请表"),
                    id_card(),
                    hukou(),
                    mat("photo", "近期免冠彩色照片", "photo", ["白底正面"], originals=2),
                ],
                special_procedures=[{"kind": "appraisal", "name": "残疾评定", "days": 10}],
                intermediary_services=[{"name": "残疾评定", "provider": "残联指定的评定医疗机构"}],
                nearby_level="township",
                service_object="natural",
            ),
        ],
    ),
]

GJJ = [
    main(
        "gjj",
        "住房公积金单位缴存登记",
        "public_service",
        [
            handling(
                "住房公积金单位缴存登记",
                "public_service",
                "《住房公积金管理条例》第十四条",
                "新设立的单位自设立之日起30日内办理住房公积金缴存登记。",
                (5, 0),
                ("30", "住房公积金单位缴存登记信息"),
                "公积金开户 企业开办 单位公积金",
                "新开的公司给员工交公积金，企业开办时一并登记，网上办，不用跑。",
                [business_licence(), id_card("经办人")],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="legal",
            ),
        ],
    ),
]


# ——— 交通运输局 ———
_ROAD = "《中华人民共和国道路运输条例》"

JTJ = [
    main(
        "jtj",
        "道路货物运输经营许可",
        "licensing",
        [
            handling(
                "道路货物运输经营许可（普通货运）",
                "licensing",
                f"{_ROAD}第二十四条；《道路货物运输及站场管理规定》",
                "有与其经营业务相适应并经检测合格的车辆；有符合规定条件的驾驶人员；有健全的安全生产管理制度。"
                "使用总质量4500千克及以下普通货运车辆的无需办理。实行告知承诺。",
                (20, 3),
                ("10", "道路运输经营许可证", "道路运输经营许可证"),
                "跑运输 拉货 货运 运输许可证 大车",
                "开大货车跑运输，要办道路运输经营许可证。实行告知承诺，签承诺书3个工作日发证。",
                [
                    form("道路货物运输经营申请表"),
                    business_licence(),
                    id_card("负责人"),
                    mat(
                        "safety",
                        "安全生产管理制度文本",
                        "safety_rules",
                        ["包含安全生产责任制、驾驶员管理"],
                        commit=True,
                    ),
                    mat(
                        "vehicles",
                        "拟投入车辆承诺书",
                        "commitment_letter",
                        ["车辆数量、类型明确"],
                        commit=True,
                    ),
                ],
                commitment_allowed=True,
                online_depth=4,
            ),
        ],
    ),
    main(
        "jtj",
        "道路运输证配发",
        "other_power",
        [
            handling(
                "道路货物运输车辆《道路运输证》配发",
                "other_power",
                f"{_ROAD}；《道路货物运输及站场管理规定》",
                "已取得道路运输经营许可，车辆经检验检测合格。",
                (5, 0),
                ("10", "道路运输证", "道路运输证"),
                "办运输证 营运证 货车运输证",
                "货车取得运输许可后网上办运输证，当场生成电子证件，不用跑。",
                [
                    mat(
                        "permit",
                        "道路运输经营许可证",
                        "transport_licence",
                        ["在有效期内"],
                        source="20",
                        licence="道路运输经营许可证",
                    ),
                    mat(
                        "vehicle",
                        "机动车行驶证",
                        "vehicle_licence",
                        ["车辆性质为货运"],
                        source="20",
                        media="electronic",
                        originals=0,
                    ),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                delivery_methods=["online"],
            ),
        ],
    ),
    main(
        "jtj",
        "出租汽车",
        "licensing",
        [
            handling(
                "巡游出租汽车车辆运营证核发",
                "licensing",
                "《巡游出租汽车经营服务管理规定》",
                "已取得巡游出租汽车经营权；车辆符合技术条件，安装计价器、顶灯等设施。",
                (20, 10),
                ("10", "巡游出租汽车车辆运营证"),
                "出租车 出租车运营证 开出租",
                "出租车要有运营证才能拉客，车辆设备装好后来申请，10个工作日内核发。",
                [
                    form("巡游出租汽车车辆运营证申请表"),
                    business_licence(),
                    mat("vehicle", "机动车行驶证", "vehicle_licence", ["车辆登记为出租客运"], source="20"),
                ],
                service_object="legal",
            ),
        ],
    ),
    main(
        "jtj",
        "公路超限运输许可",
        "licensing",
        [
            handling(
                "公路超限运输许可",
                "licensing",
                "《中华人民共和国公路法》第五十条；《超限运输车辆行驶公路管理规定》",
                "载运不可解体物品，确需超限运输；车货总体外廓尺寸、总质量符合申请类别要求。",
                (15, 5),
                ("20", "超限运输车辆通行证"),
                "大件运输 超限运输 超宽 超重",
                "运大型设备这种拆不开的货物，超宽超重的要办超限运输许可，网上申请，5个工作日内审批。",
                [
                    form("超限运输车辆通行证申请表"),
                    id_card("经办人"),
                    mat("route", "车货照片及行驶路线", "route_plan", ["标明车货尺寸和行驶路线"]),
                ],
                stationed=False,
                negative_reason="通过全国治超联网管理信息系统全程网上申请，需在治超检测站现场查验车货，不设中心窗口。",
                handling_place="全国治超联网管理信息系统；乌拉特中旗公路超限检测站",
                online_depth=4,
            ),
        ],
    ),
]


# ——— 水电气暖讯视 ———
_POWER = "《电力供应与使用条例》；《供电营业规则》"
_WATER = "《城市供水条例》"
_GAS = "《城镇燃气管理条例》"
_HEAT = "《城镇供热服务》（GB/T 33833）"


def _transfer(dept: str, what: str, basis: str, kw: str) -> dict[str, Any]:
    return handling(
        f"{what}过户",
        "public_service",
        basis,
        "房屋产权已变更或已签订买卖合同，原户已结清费用。",
        (5, 0),
        ("30", f"{what}户名变更结果"),
        f"{kw}过户 二手房过户 改户名 买房",
        f"买了二手房，{what}户名改成新房主。不动产过户时一并提出，当场办好，不用单独跑。",
        [id_card("新户主"), property_certificate()],
        online_depth=4,
        visits_required=0,
        process_steps=STEPS_ONLINE,
    )


UTILITIES = [
    main(
        "power",
        "用电报装",
        "public_service",
        [
            handling(
                "低压居民用户新装",
                "public_service",
                _POWER,
                "在本旗供电营业区内有合法用电地址的居民用户。",
                (5, 3),
                ("30", "供电合同及装表接电"),
                "装电表 通电 新房通电 接电 报装电",
                "新房装电表，在“网上国网”APP申请，不用跑，不收费，3个工作日内装表通电。",
                [id_card(), property_certificate()],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="natural",
            ),
            handling(
                "低压非居民用户新装",
                "public_service",
                f"{_POWER}；《国家发展改革委 国家能源局关于全面提升“获得电力”服务水平 "
                "持续优化用电营商环境的意见》",
                "有合法用电地址的企业、商户，用电容量在160千瓦及以下。",
                (15, 5),
                ("30", "供电合同及装表接电"),
                "商铺通电 饭店用电 超市用电 企业用电 报装电",
                "开店、办厂要用电，160千瓦以下的低压报装“零上门、零审批、零投资”，5个工作日内接电。",
                [business_licence(), premises(commit=False)],
                online_depth=4,
                service_object="legal",
                special_procedures=[{"kind": "inspection", "name": "现场勘查", "days": 1}],
            ),
            _transfer("power", "用电", _POWER, "电表"),
        ],
    ),
    main(
        "water",
        "用水报装",
        "public_service",
        [
            handling(
                "用水报装（新装）",
                "public_service",
                _WATER,
                "用水地址在城市公共供水管网覆盖范围内。",
                (10, 5),
                ("30", "供用水合同及通水"),
                "装水表 通水 接自来水 报装水",
                "新房、新店接自来水，带身份证和房产证明申请，现场勘查后5个工作日内装表通水。",
                [id_card(), property_certificate()],
                online_depth=3,
                special_procedures=[{"kind": "inspection", "name": "现场勘查", "days": 2}],
            ),
            _transfer("water", "用水", _WATER, "水表"),
        ],
    ),
    main(
        "gas",
        "燃气报装",
        "public_service",
        [
            handling(
                "燃气报装（新装）",
                "public_service",
                _GAS,
                "用气地址在燃气管网覆盖范围内，用气场所符合安全用气条件。",
                (10, 5),
                ("30", "供用气合同及通气"),
                "通燃气 装天然气 燃气开户 报装气 饭店燃气",
                "家里或饭店要通天然气，申请后上门做安全检查，合格的5个工作日内通气。",
                [
                    id_card(),
                    property_certificate(),
                    mat("safety", "用气场所安全条件承诺书", "commitment_letter", ["申请人签字"], commit=True),
                ],
                special_procedures=[{"kind": "inspection", "name": "用气安全检查", "days": 2}],
            ),
            _transfer("gas", "燃气", _GAS, "燃气"),
        ],
    ),
    main(
        "heat",
        "供热服务",
        "public_service",
        [
            handling(
                "供热入网",
                "public_service",
                _HEAT,
                "建筑物在集中供热管网覆盖范围内，室内供热设施经验收合格。",
                (20, 10),
                ("30", "供用热合同"),
                "装暖气 接暖气 供暖入网 集中供热",
                "新房、新楼要接集中供暖，在联合报装窗口申请，现场勘查合格后10个工作日内签合同入网。",
                [id_card(), property_certificate()],
                special_procedures=[{"kind": "inspection", "name": "现场勘查", "days": 3}],
            ),
            _transfer("heat", "供热", _HEAT, "暖气"),
        ],
    ),
    main(
        "centre",
        "讯视报装",
        "public_service",
        [
            handling(
                "宽带（通信）报装受理",
                "public_service",
                "《中华人民共和国电信条例》",
                "报装地址在通信运营企业网络覆盖范围内。",
                (5, 0),
                ("30", "报装受理回执"),
                "装宽带 装网线 办宽带 光纤",
                "新房装宽带，在联合报装窗口一次登记，运营商上门安装。",
                [
                    mat(
                        "apply",
                        "水电气暖讯视联合报装申请表（一表填报）",
                        "application_form",
                        ["报装地址与房屋坐落一致", "联系电话真实有效"],
                        media="electronic",
                        originals=0,
                    ),
                    id_card(),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="natural",
            ),
            handling(
                "有线电视（广电网络）报装受理",
                "public_service",
                "《广播电视管理条例》",
                "报装地址在广电网络覆盖范围内。",
                (5, 0),
                ("30", "报装受理回执"),
                "装有线电视 装电视 广电",
                "新房装有线电视，在联合报装窗口一次登记，广电网络公司上门安装。",
                [
                    mat(
                        "apply",
                        "水电气暖讯视联合报装申请表（一表填报）",
                        "application_form",
                        ["报装地址与房屋坐落一致", "联系电话真实有效"],
                        media="electronic",
                        originals=0,
                    ),
                    id_card(),
                ],
                online_depth=4,
                visits_required=0,
                process_steps=STEPS_ONLINE,
                service_object="natural",
            ),
        ],
    ),
]

CATALOG: list[dict[str, Any]] = [
    *SCJG,
    *GAJ,
    *WJW,
    *ZRZY,
    *BDC,
    *ZJJ,
    *SWJ,
    *RSJ,
    *YBJ,
    *MZJ,
    *CL,
    *GJJ,
    *JTJ,
    *UTILITIES,
]
