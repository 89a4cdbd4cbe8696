"""Reads of bundles and applications: published bundles, an application's members, merged material
states and combined timeline, always within ``policies.application_scope``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from yichuang.bundles import policies
from yichuang.bundles.models import (
    Bundle,
    BundleApplication,
    BundleCase,
    BundleEvent,
    BundleStatus,
    MemberState,
)
from yichuang.bundles.selection import MergedMaterial, material_key_map, merge
from yichuang.cases.models import CaseEvent, CaseMaterial, CaseMaterialState
from yichuang.cases.schemas import ACTION_LABELS
from yichuang.cases.services import SATISFIED
from yichuang.catalog.models import MaterialNecessity
from yichuang.core.errors import NotFoundError

BUNDLE_ACTIONS = {
    "apply": "一表申请（一次提交）",
    "request_correction": "一次性告知补正（全部事项）",
    "supply_correction": "提交补正材料",
    "accept": "综合窗口统一受理",
    "release": "前置事项办结，推送后续事项",
    "members_cancelled": "后续事项未启动",
    "results_ready": "全部事项出结果",
    "deliver": "统一出件",
    "withdraw": "撤回申请",
}
_STATE_TEXT: dict[str, str] = {
    CaseMaterialState.MISSING: "未提交",
    CaseMaterialState.DEFICIENT: "不符合要求",
    CaseMaterialState.DEFERRED: "容缺后补",
}


def bundles_published() -> QuerySet[Bundle]:
    return Bundle.objects.filter(status=BundleStatus.PUBLISHED).select_related("lead_department")


def bundle_published_get(code: str) -> Bundle:
    bundle = bundles_published().filter(code=code).first()
    if bundle is None:
        raise NotFoundError("未找到该一件事")
    return bundle


def application_list(
    *, actor: Any, statuses: list[str] | None = None, query: str = ""
) -> QuerySet[BundleApplication]:
    applications = policies.application_scope(actor).select_related("bundle", "applicant")
    if statuses:
        applications = applications.filter(status__in=statuses)
    if query.strip():
        applications = applications.filter(number__startswith=query.strip())
    return applications.order_by("-submitted_at", "-pk")


def application_get(*, actor: Any, pk: int) -> BundleApplication:
    application = (
        policies.application_scope(actor)
        .select_related("bundle__lead_department", "applicant", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise NotFoundError("未找到该一件事申请")
    return application


def application_by_number(number: str) -> BundleApplication | None:
    return (
        BundleApplication.objects.select_related("bundle", "applicant").filter(number=number.strip()).first()
    )


def application_members(application: BundleApplication) -> list[BundleCase]:
    return list(
        BundleCase.objects.filter(application=application)
        .select_related(
            "case__item_version",
            "case__department",
            "member__item__department",
            "member__item__current_version",
        )
        .prefetch_related("member__requires")
        .order_by("position", "pk")
    )


@dataclass
class MaterialState:
    merged: MergedMaterial
    state: str
    note: str = ""
    licence_identifier: str = ""
    rows: list[CaseMaterial] = field(default_factory=list)

    @property
    def satisfied(self) -> bool:
        return self.state in SATISFIED

    @property
    def outstanding(self) -> bool:
        return not self.satisfied and self.merged.necessity != MaterialNecessity.OPTIONAL

    @property
    def state_label(self) -> str:
        return str(CaseMaterialState(self.state).label)

    @property
    def line(self) -> str:
        text = f"{self.merged.name}（{_STATE_TEXT.get(self.state, self.state_label)}）"
        if self.note:
            text += f"：{self.note}"
        return f"{text}——用于：{self.merged.used_by}"


_WORST: list[str] = [
    CaseMaterialState.DEFICIENT,
    CaseMaterialState.MISSING,
    CaseMaterialState.DEFERRED,
    CaseMaterialState.RECEIVED,
    CaseMaterialState.ORIGINAL_CHECKED,
    CaseMaterialState.COMMITTED,
    CaseMaterialState.EXEMPT,
]


def merged_material_states(
    application: BundleApplication, links: list[BundleCase] | None = None
) -> list[MaterialState]:
    """Each merged material once, in the worst state any member case holds it (the window's findings for
    the members still waiting)."""
    links = links if links is not None else application_members(application)
    selection = merge(application.bundle, [link.member for link in links], application.answers)
    rows = list(
        CaseMaterial.objects.filter(
            case_id__in=[link.case_id for link in links if link.case_id]
        ).select_related("material")
    )
    per_case: dict[int, list[CaseMaterial]] = defaultdict(list)
    for row in rows:
        per_case[row.case_id].append(row)
    by_key: dict[str, list[CaseMaterial]] = defaultdict(list)
    for case_rows in per_case.values():
        keys = material_key_map([row.material for row in case_rows])
        for row in case_rows:
            by_key[keys[row.material_id]].append(row)
    findings = application.material_findings or {}
    waiting_members = {
        link.member_id for link in links if link.case_id is None and link.state == MemberState.WAITING
    }
    states = []
    for merged in selection.materials:
        found = by_key.get(merged.key, [])
        candidates = [row.state for row in found]
        if any(member.pk in waiting_members for member, _ in merged.rows):
            if merged.by_form:
                candidates.append(CaseMaterialState.RECEIVED)
            else:
                candidates.append(findings.get(merged.key, {}).get("state", CaseMaterialState.MISSING))
        worst = min(candidates, key=_WORST.index) if candidates else CaseMaterialState.MISSING
        note = next((row.note for row in found if row.state == worst and row.note), "") or findings.get(
            merged.key, {}
        ).get("note", "")
        licence = next((row.licence_identifier for row in found if row.licence_identifier), "")
        states.append(MaterialState(merged, worst, note, licence, found))
    return states


def application_timeline(
    application: BundleApplication, links: list[BundleCase] | None = None
) -> list[dict[str, Any]]:
    """The application's own steps and every member case's, in time order."""
    links = links if links is not None else application_members(application)
    names = {link.case_id: str(link.member) for link in links if link.case_id}
    entries: list[dict[str, Any]] = [
        {
            "at": event.at,
            "source": "一件事",
            "label": BUNDLE_ACTIONS.get(event.action, event.action),
            "note": event.note,
            "actor": str(event.actor) if event.actor else "",
        }
        for event in BundleEvent.objects.filter(application=application).select_related("actor")
    ]
    for event in CaseEvent.objects.filter(case_id__in=list(names)).select_related("actor"):
        entries.append(
            {
                "at": event.at,
                "source": names[event.case_id],
                "label": ACTION_LABELS.get(event.action, event.action),
                "note": event.note,
                "actor": str(event.actor) if event.actor else "",
            }
        )
    return sorted(entries, key=lambda entry: entry["at"])


def form_rows(
    application: BundleApplication, actor: Any, links: list[BundleCase]
) -> list[tuple[str, str, str]]:
    """(label, value, used by) of the one form; a department sees only its own items' fields."""
    from yichuang.accounts.policies import department_in_scope
    from yichuang.bundles.fields import FIELDS

    whole = policies.sees_whole_form(actor, application)
    used: dict[str, list[str]] = defaultdict(list)
    for link in links:
        mine = whole or (link.case is not None and department_in_scope(actor, link.case.department))
        for key in link.member.fields:
            if mine:
                used[key].append(str(link.member))
    return [
        (spec.label, application.form.get(spec.key, ""), "、".join(used[spec.key]))
        for spec in FIELDS
        if spec.key in used and spec.key in application.form
    ]
