"""Seed the item-type exchange codes and the ten lists of DESIGN §2. Re-runnable."""

from django.db import migrations

TYPE_CODES = [
    ("licensing", "01"),
    ("payment", "05"),
    ("confirmation", "07"),
    ("reward", "08"),
    ("adjudication", "09"),
    # Province-specific: the admin may change these two (Sichuan-style defaults).
    ("other_power", "10"),
    ("public_service", "20"),
]

LISTS = [
    ("licensing", "行政许可事项清单", "本级实施的全部行政许可事项。", "rule"),
    ("immediate", "即办件清单", "材料齐全、符合法定形式的，当场办结的事项。", "rule"),
    ("deficiency", "容缺受理事项清单", "基本条件具备、主要材料齐全，次要材料可容缺后补的事项。", "rule"),
    ("commitment", "告知承诺制事项清单", "申请人书面承诺符合条件即可办理，或部分证明材料可以承诺替代的事项。", "rule"),
    ("no_visit", "不见面审批事项清单", "全程网上办理、无需到现场的事项。", "rule"),
    ("nearby", "就近办事项清单", "可在苏木乡镇（街道）、嘎查村（社区）便民服务站办理的事项。", "rule"),
    ("tongban", "全市通办事项清单", "在全盟（市）、全区或跨省范围内通办的事项。", "rule"),
    ("certificate_free", "免证办事项清单", "申请材料可由电子证照或共享数据替代、申请人免于提交的事项。", "rule"),
    ("negative", "进驻负面清单", "因场地、涉密、安全等原因不进驻政务服务中心的事项及理由。", "rule"),
    ("intermediary", "中介服务事项清单", "行政审批过程中需要申请人委托的中介服务及其依据。", "rule"),
]


def seed(apps, schema_editor):
    ItemTypeCode = apps.get_model("catalog", "ItemTypeCode")
    ItemList = apps.get_model("catalog", "ItemList")
    for item_type, code in TYPE_CODES:
        ItemTypeCode.objects.get_or_create(item_type=item_type, defaults={"code": code})
    for position, (kind, name, description, membership) in enumerate(LISTS, start=1):
        ItemList.objects.get_or_create(
            kind=kind,
            defaults={"name": name, "description": description, "membership": membership, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_service_catalog")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
