"""The licence catalogue (证照目录): the national licence types the platform issues and accepts, with
their codes, holder kinds, validity and data items. Reference data: migration 0003 seeds it, the admin
keeps it up to date, and the catalogue's materials and results must name one of its codes."""

from __future__ import annotations

from typing import Any

from yichuang.catalog.demo_items import LICENCE_TYPES


def _fields(*specs: str) -> list[dict[str, Any]]:
    """ "名称" is required, "经营范围?" optional; the key is the label's position (f1, f2 …)."""
    return [
        {"key": f"f{n}", "label": spec.rstrip("?"), "required": not spec.endswith("?")}
        for n, spec in enumerate(specs, start=1)
    ]


_PERSON = ("姓名", "性别", "民族", "出生日期", "住址")
# name → (holder kind, validity in years (0 = long-term), data items)
LICENCE_SPECS: dict[str, tuple[str, int, list[dict[str, Any]]]] = {
    "居民身份证": ("natural", 20, _fields(*_PERSON, "签发机关")),
    "居民户口簿": ("natural", 0, _fields("户主姓名", "户号", "住址", "户别?")),
    "居住证": ("natural", 1, _fields(*_PERSON, "居住地址")),
    "结婚证": ("natural", 0, _fields("持证人", "登记日期", "配偶姓名", "配偶身份证件号码", "登记机关")),
    "离婚证": ("natural", 0, _fields("持证人", "登记日期", "原配偶姓名", "登记机关")),
    "营业执照": (
        "legal",
        0,
        _fields("名称", "类型", "法定代表人", "注册资本?", "成立日期", "住所", "经营范围"),
    ),
    "食品经营许可证": (
        "legal",
        5,
        _fields("经营者名称", "法定代表人（负责人）", "住所", "经营场所", "主体业态", "经营项目"),
    ),
    "药品经营许可证": ("legal", 5, _fields("企业名称", "法定代表人", "注册地址", "经营范围", "质量负责人")),
    "特种设备使用登记证": ("legal", 0, _fields("使用单位", "设备种类", "设备代码", "使用地点")),
    "出生医学证明": (
        "natural",
        0,
        _fields("新生儿姓名", "性别", "出生时间", "出生地点", "母亲姓名", "父亲姓名?", "接生机构"),
    ),
    "医师执业证书": ("natural", 0, _fields("姓名", "执业类别", "执业范围", "执业地点")),
    "护士执业证书": ("natural", 5, _fields("姓名", "执业地点", "注册日期")),
    "医疗机构执业许可证": ("legal", 5, _fields("机构名称", "地址", "法定代表人", "诊疗科目", "床位?")),
    "公共场所卫生许可证": ("legal", 4, _fields("单位名称", "法定代表人", "地址", "许可项目")),
    "不动产权证书": (
        "natural",
        0,
        _fields("权利人", "共有情况", "坐落", "不动产单元号", "权利类型", "用途", "面积"),
    ),
    "不动产登记证明": ("natural", 0, _fields("证明权利或事项", "权利人", "义务人?", "坐落", "不动产单元号")),
    "建设工程规划许可证": ("legal", 0, _fields("建设单位", "建设项目名称", "建设位置", "建设规模")),
    "乡村建设规划许可证": ("natural", 2, _fields("建设单位（个人）", "建设项目名称", "建设位置", "建设规模")),
    "建筑工程施工许可证": (
        "legal",
        0,
        _fields("建设单位", "工程名称", "建设地址", "合同价格", "施工单位", "合同工期"),
    ),
    "社会保障卡": ("natural", 10, _fields("姓名", "社会保障号码", "发卡日期")),
    "道路运输经营许可证": ("legal", 4, _fields("业户名称", "地址", "经营范围", "经济类型?")),
    "道路运输证": ("legal", 8, _fields("业户名称", "车辆号牌", "车辆类型", "经营范围")),
    "残疾人证": ("natural", 10, _fields("姓名", "性别", "残疾类别", "残疾等级", "住址")),
}


def licence_catalogue_seed(licence_type_model: Any) -> int:
    """Create or update every type of the catalogue; returns how many were new."""
    made = 0
    for name, code in LICENCE_TYPES.items():
        holder_kind, years, schema = LICENCE_SPECS[name]
        _row, created = licence_type_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "holder_kind": holder_kind, "validity_years": years, "schema": schema},
        )
        made += created
    return made
