"""事项抽查 (seed 001 item 44: 每月抽查事项不低于10%，年内全覆盖): the monthly draw and the inspection record.

The draw itself is the pure function ``draw_for``: each month at least ceil(10%) of the stationed handling
items, and enough of those not yet drawn this year that the rest fit in the months left (this one
included), so the December draw takes every item not drawn before it. Items added during the year join the
not-yet-drawn pool; a centre that starts mid-year counts the months left from the month it draws.

``sample_draw`` is idempotent: a second call for a month already drawn returns the existing draw (so the
scheduled command and the inspector's button may both run). A future month is refused; a missed past month
may be drawn. ``inspection_record`` records one inspection per sampled item; a repeat is a ConflictError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone

from yichuang.cases.models import Case
from yichuang.catalog import selectors as catalog_selectors
from yichuang.catalog.models import ServiceItem
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError, full_clean_or_raise
from yichuang.core.permissions import require_capability
from yichuang.supervision.models_sampling import (
    CheckResult,
    Conclusion,
    Inspection,
    SampledItem,
    SampledItemStatus,
    SampleDraw,
)

CAPABILITY = "supervision.sample"
SHARE_PERCENT = 10  # 每月抽查事项不低于10%
FIRST_YEAR = 2000
MAX_CASE_NUMBERS = 50
FINDINGS_MAX = 2000
RECTIFICATION_MAX = 1000
NOTE_MAX = 500
SEED_BITS = 62  # fits a signed 64-bit column on every engine


# ——— the draw (pure) ———


def minimum_sample(population_size: int) -> int:
    """ceil(10%) of the population: the least a month's draw may take."""
    return -(-population_size * SHARE_PERCENT // 100)


def months_left(month: int) -> int:
    """Months left in the year, the given one included."""
    return 13 - month


@dataclass(frozen=True)
class DrawPlan:
    """What a month's draw takes: items not drawn before this year (``first``) and, when those are fewer
    than 10% of the population, items drawn before (``repeat``, a re-inspection)."""

    year: int
    month: int
    population_size: int
    undrawn_before: int
    first: tuple[int, ...]
    repeat: tuple[int, ...]

    @property
    def sample(self) -> tuple[int, ...]:
        return self.first + self.repeat

    @property
    def sample_size(self) -> int:
        return len(self.first) + len(self.repeat)


def draw_for(
    year: int, month: int, population: Iterable[int], drawn_before: Collection[int], rng: random.Random
) -> DrawPlan:
    """The sample of ``month``: n = max(ceil(10% of the population), ceil(not yet drawn ÷ months left));
    min(n, not yet drawn) taken at random from the items not yet drawn this year, filled up at random from
    the items drawn before to ceil(10%). Deterministic for a given ``rng`` state: the pools are sorted
    first, so a stored seed reproduces the draw."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    items = sorted(set(population))
    undrawn = [item for item in items if item not in drawn_before]
    again = [item for item in items if item in drawn_before]
    floor = minimum_sample(len(items))
    wanted = max(floor, -(-len(undrawn) // months_left(month)))
    first = rng.sample(undrawn, min(wanted, len(undrawn)))
    repeat = rng.sample(again, floor - len(first)) if len(first) < floor else []
    return DrawPlan(
        year=year,
        month=month,
        population_size=len(items),
        undrawn_before=len(undrawn),
        first=tuple(sorted(first)),
        repeat=tuple(sorted(repeat)),
    )


# ——— the population ———


def sampling_population() -> QuerySet[ServiceItem]:
    """The stationed handling items in use: 办理项, 在用, whose current version is 进驻政务服务中心."""
    return catalog_selectors.handling_items().filter(current_version__stationed=True)


def drawn_this_year(year: int, *, before_month: int | None = None) -> set[int]:
    """Items drawn in ``year`` by any draw (or only by those of months other than ``before_month``)."""
    rows = SampledItem.objects.filter(draw__year=year)
    if before_month is not None:
        rows = rows.exclude(draw__month=before_month)
    return set(rows.values_list("item_id", flat=True))


def _digest(ids: Iterable[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()


# ——— services ———


def sample_draw(
    *, actor: Any, year: int, month: int, seed: int | None = None, note: str = ""
) -> tuple[SampleDraw, bool]:
    """Draw ``month`` of ``year`` (``actor`` None: the scheduled command). Returns (draw, created): the
    existing draw and False when the month was drawn already."""
    if actor is not None:
        require_capability(actor, CAPABILITY, "只有监察员和管理员可以抽取抽查事项")
    year, month = _clean_month(year, month)
    existing = SampleDraw.objects.filter(year=year, month=month).first()
    if existing is not None:
        return existing, False
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"说明不能超过{NOTE_MAX}字", fields={"note": [f"说明不能超过{NOTE_MAX}字"]})
    try:
        return _draw_write(actor=actor, year=year, month=month, seed=seed, note=note), True
    except IntegrityError:
        existing = SampleDraw.objects.filter(year=year, month=month).first()
        if existing is None:
            raise
        return existing, False


def _clean_month(year: Any, month: Any) -> tuple[int, int]:
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        raise ApplicationError("年度和月份应为数字", fields={"month": ["年度和月份应为数字"]}) from None
    if not 1 <= month <= 12:
        raise ApplicationError("月份应为1至12", fields={"month": ["月份应为1至12"]})
    today = timezone.localdate()
    if year < FIRST_YEAR:
        raise ApplicationError(
            f"年度不能早于{FIRST_YEAR}年", fields={"year": [f"年度不能早于{FIRST_YEAR}年"]}
        )
    if (year, month) > (today.year, today.month):
        message = f"{year}年{month}月尚未到来，不能提前抽取"
        raise ApplicationError(message, code="future_month", fields={"month": [message]})
    return year, month


@audited_atomic
def _draw_write(*, actor: Any, year: int, month: int, seed: int | None, note: str) -> SampleDraw:
    population = dict(sampling_population().values_list("pk", "department_id"))
    before = drawn_this_year(year, before_month=month)
    seed = secrets.randbits(SEED_BITS) if seed is None else int(seed)
    plan = draw_for(year, month, population, before, random.Random(seed))
    if not note:
        note = _default_note(plan)
    draw = SampleDraw.objects.create(
        year=year,
        month=month,
        drawn_at=timezone.now(),
        drawn_by=actor,
        seed=seed,
        population_size=plan.population_size,
        sample_size=plan.sample_size,
        note=note,
    )
    first = set(plan.first)
    SampledItem.objects.bulk_create(
        SampledItem(
            draw=draw, item_id=item_id, department_id=population[item_id], first_this_year=item_id in first
        )
        for item_id in plan.sample
    )
    audit_record(
        actor=actor,
        action="supervision.sample_drawn",
        obj=draw,
        data={
            "year": year,
            "month": month,
            "seed": seed,
            "population_size": plan.population_size,
            "population_digest": _digest(population),
            "drawn_before_digest": _digest(before & set(population)),
            "first": list(plan.first),
            "repeat": list(plan.repeat),
        },
    )
    return draw


def _default_note(plan: DrawPlan) -> str:
    if plan.population_size == 0:
        return "本月没有进驻事项，未抽取"
    if plan.repeat:
        return f"本年度未抽查过的事项不足10%，另复查{len(plan.repeat)}项"
    return ""


_CASE_NUMBER_SPLIT = re.compile(r"[\s,，、;；]+")


def case_numbers_parse(value: str | Sequence[str] | None) -> list[str]:
    """Case numbers from text (one a line, or separated by commas) or a list; blanks and repeats dropped."""
    if value is None:
        return []
    parts = _CASE_NUMBER_SPLIT.split(value) if isinstance(value, str) else [str(v) for v in value]
    seen: dict[str, None] = {}
    for part in parts:
        number = part.strip().upper()
        if number:
            seen.setdefault(number, None)
    return list(seen)


@dataclass(frozen=True)
class InspectionInput:
    conclusion: str
    guide_result: str
    materials_result: str
    time_limits_result: str
    case_numbers: list[str]
    findings: str
    rectification: str
    rectification_due: dt.date | None


def inspection_clean(
    *,
    sampled_item: SampledItem,
    conclusion: Any,
    guide_result: Any = "",
    materials_result: Any = "",
    time_limits_result: Any = "",
    case_numbers: str | Sequence[str] | None = None,
    findings: Any = "",
    rectification: Any = "",
    rectification_due: dt.date | None = None,
    today: dt.date | None = None,
) -> InspectionInput:
    """The inspection's input checked, or an ApplicationError naming every wrong field: something was looked
    at; the case numbers are cases of the item; a conclusion other than 合格 has findings, a rectification
    requirement and a due date after today; 合格 is not given with an aspect found wrong. For 合格 the
    rectification fields are not kept."""
    today = today or timezone.localdate()
    fields: dict[str, list[str]] = {}
    results = {}
    for name, value in (
        ("guide_result", guide_result),
        ("materials_result", materials_result),
        ("time_limits_result", time_limits_result),
    ):
        value = value or ""
        if value not in CheckResult.values:
            fields[name] = ["检查结果不正确"]
        results[name] = value
    numbers = case_numbers_parse(case_numbers)
    if len(numbers) > MAX_CASE_NUMBERS:
        fields["case_numbers"] = [f"一次最多登记{MAX_CASE_NUMBERS}个办件"]
    elif numbers:
        known = set(
            Case.objects.filter(item_id=sampled_item.item_id, number__in=numbers).values_list(
                "number", flat=True
            )
        )
        strangers = [n for n in numbers if n not in known]
        if strangers:
            fields["case_numbers"] = ["以下编号不是本事项的办件：" + "、".join(strangers)]
    if not any(results.values()) and not numbers:
        fields.setdefault("guide_result", []).append(
            "请至少登记一项检查内容（办事指南、材料与审核要点、时限或办件）"
        )
    findings = str(findings or "").strip()
    rectification = str(rectification or "").strip()
    if conclusion not in Conclusion.values:
        fields["conclusion"] = ["请选择检查结论"]
    elif conclusion == Conclusion.PASS:
        if CheckResult.ISSUE in results.values():
            fields["conclusion"] = ["有检查内容存在问题，结论不能为合格"]
        rectification, rectification_due = "", None
    else:
        if not findings:
            fields["findings"] = ["结论不是合格时，须写明发现的问题"]
        if not rectification:
            fields["rectification"] = ["结论不是合格时，须提出整改要求"]
        if rectification_due is None:
            fields["rectification_due"] = ["结论不是合格时，须确定整改期限"]
        elif rectification_due <= today:
            fields["rectification_due"] = ["整改期限应晚于检查当日"]
    if len(findings) > FINDINGS_MAX:
        fields["findings"] = [f"发现的问题不能超过{FINDINGS_MAX}字"]
    if len(rectification) > RECTIFICATION_MAX:
        fields["rectification"] = [f"整改要求不能超过{RECTIFICATION_MAX}字"]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code="invalid", fields=fields)
    return InspectionInput(
        conclusion=str(conclusion),
        case_numbers=numbers,
        findings=findings,
        rectification=rectification,
        rectification_due=rectification_due,
        **results,
    )


@audited_atomic
def inspection_record(
    *,
    actor: Any,
    sampled_item: SampledItem,
    conclusion: Any,
    guide_result: Any = "",
    materials_result: Any = "",
    time_limits_result: Any = "",
    case_numbers: str | Sequence[str] | None = None,
    findings: Any = "",
    rectification: Any = "",
    rectification_due: dt.date | None = None,
) -> Inspection:
    """Record the inspection of ``sampled_item`` (once: a second one is a ConflictError)."""
    require_capability(actor, CAPABILITY, "只有监察员和管理员可以登记抽查结果")
    locked = SampledItem.objects.select_for_update().filter(pk=sampled_item.pk).first()
    if locked is None:
        raise ApplicationError("该抽查事项不存在", code="not_found")
    if Inspection.objects.filter(sampled_item_id=locked.pk).exists():
        raise ConflictError("该事项已登记过检查结果，不能重复登记", code="already_inspected")
    data = inspection_clean(
        sampled_item=locked,
        conclusion=conclusion,
        guide_result=guide_result,
        materials_result=materials_result,
        time_limits_result=time_limits_result,
        case_numbers=case_numbers,
        findings=findings,
        rectification=rectification,
        rectification_due=rectification_due,
    )
    inspection = Inspection(
        sampled_item=locked,
        inspector=actor,
        inspected_at=timezone.now(),
        guide_result=data.guide_result,
        materials_result=data.materials_result,
        time_limits_result=data.time_limits_result,
        case_numbers=data.case_numbers,
        conclusion=data.conclusion,
        findings=data.findings,
        rectification=data.rectification,
        rectification_due=data.rectification_due,
    )
    full_clean_or_raise(inspection, exclude=["sampled_item"])
    inspection.save()
    locked.status = SampledItemStatus.INSPECTED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="supervision.sample_inspected",
        obj=inspection,
        data={
            "sampled_item": locked.pk,
            "item": locked.item_id,
            "draw": locked.draw_id,
            "conclusion": data.conclusion,
            "case_numbers": data.case_numbers,
            "rectification_due": data.rectification_due.isoformat() if data.rectification_due else None,
        },
    )
    sampled_item.status = locked.status
    return inspection
