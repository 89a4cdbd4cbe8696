"""The demo's supervision: the default weights, the cards the sweep issues on the demo cases and tickets, the
year's monthly sampling draws with inspections of the past months, and the roll-up. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from yichuang.accounts.models import User
from yichuang.accounts.roles import Role
from yichuang.supervision.cards import cards_sweep
from yichuang.supervision.models import Conclusion, RankingScheme, SampledItem
from yichuang.supervision.rollup import rollup
from yichuang.supervision.sampling import inspection_record, sample_draw

INSPECTED_PER_MONTH = 12

# One finding in five: what inspectors typically find in a guide or a window's practice.
FINDINGS = (
    "办事指南中的申请材料与窗口实际收取的不一致，多收取了营业执照复印件",
    "办事指南未标注容缺受理的材料，窗口按容缺受理办理",
    "抽查的办件中有一件超过承诺时限办结，未办理延期手续",
)


def load_demo_supervision(*, admin: User, out: Any = None, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    RankingScheme.objects.get_or_create(pk=1)
    inspector = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("pk").first() or admin
    cards = cards_sweep(today=today)
    draws = inspections = 0
    for month in range(1, today.month + 1):
        seed = today.year * 100 + month  # the demo draws the same items every time
        draw, created = sample_draw(actor=inspector, year=today.year, month=month, seed=seed)
        draws += int(created)
        if month == today.month:
            continue  # this month's inspections are still to do
        due = today + dt.timedelta(days=30)
        # A dozen a month keeps the demo quick; the rest stay 待检查.
        pending = SampledItem.objects.filter(draw=draw, inspection__isnull=True).order_by("pk")
        pending = pending[:INSPECTED_PER_MONTH]
        for index, sampled in enumerate(pending):
            failing = index % 5 == 4
            inspection_record(
                actor=inspector,
                sampled_item=sampled,
                conclusion=Conclusion.BASIC if failing else Conclusion.PASS,
                guide_result="issue" if failing else "ok",
                materials_result="ok",
                time_limits_result="ok",
                findings=FINDINGS[index % len(FINDINGS)] if failing else "",
                rectification="修改办事指南并在窗口公示，10个工作日内报送整改情况" if failing else "",
                rectification_due=due if failing else None,
            )
            inspections += 1
    rolled = rollup(today=today)
    if out is not None:
        out.write(
            f"  电子监察 · supervision: 黄牌{cards['yellow']} 红牌{cards['red']}，"
            f"抽查{draws}次、检查{inspections}项，汇总{rolled['rows']}行\n"
        )
    cards_issued = cards["yellow"] + cards["red"]
    return {"cards": cards_issued, "draws": draws, "inspections": inspections, "rows": rolled["rows"]}
