"""Forms of the 一件事 window desk. They only shape input; the services check it and their Chinese messages
are put back next to the right question, field or material (``ServiceErrorFormMixin`` and the row helpers
below). Posted values are always rendered again, so nothing typed is lost on an error.

Names in a posted intake: ``a-<question key>`` for the answers (one value or several), ``f-<field key>`` for
the one form's fields; in the material check ``state-<material key>`` / ``note-<material key>``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.accounts.models import Applicant
from yichuang.bundles.models import BundleQuestion
from yichuang.bundles.selection import MergedField, Selection
from yichuang.bundles.selectors import MaterialState
from yichuang.cases.forms import WINDOW_CHANNELS
from yichuang.cases.models import CaseChannel, CaseMaterialState
from yichuang.catalog.models import MaterialNecessity

# What the window may record for a merged material (免提交 comes from a licence, 容缺/承诺 from acceptance).
CHECK_STATES = (
    CaseMaterialState.RECEIVED,
    CaseMaterialState.ORIGINAL_CHECKED,
    CaseMaterialState.MISSING,
    CaseMaterialState.DEFICIENT,
)
READ_ONLY_STATES = frozenset(
    {CaseMaterialState.EXEMPT, CaseMaterialState.COMMITTED, CaseMaterialState.DEFERRED}
)
NOTE_MAX = 1000


class IntakeForm(ServiceErrorFormMixin, forms.Form):
    """The intake's own inputs besides the answers and the one form."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    channel = forms.ChoiceField(
        label=_("接件渠道"),
        choices=[(c.value, c.label) for c in WINDOW_CHANNELS],
        initial=CaseChannel.WINDOW,
    )
    use_licences = forms.BooleanField(
        label=_("申请人同意免证办：调取其持有的电子证照替代相应材料（系统记录用证授权）"), required=False
    )


class CorrectionForm(ServiceErrorFormMixin, forms.Form):
    note = forms.CharField(
        label=_("补正说明（选填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("告知书一次性列出全部缺少和不符合要求的材料，每项材料注明用于哪些事项。"),
    )


class AcceptForm(ServiceErrorFormMixin, forms.Form):
    deficiency_commitment = forms.BooleanField(
        label=_("申请人已签署容缺受理承诺书，容缺后补的材料在承诺期限内补交"), required=False
    )
    note = forms.CharField(label=_("受理说明（选填）"), max_length=2000, required=False)


class SupplyForm(ServiceErrorFormMixin, forms.Form):
    note = forms.CharField(label=_("补正情况（选填）"), max_length=2000, required=False)


# ——— the questionnaire ———


def answers_posted(data: Any, questions: list[BundleQuestion]) -> dict[str, list[str]]:
    """``{question key: [values]}`` as posted (checked by ``selection.answers_clean``)."""
    answers: dict[str, list[str]] = {}
    for question in questions:
        values = [v.strip() for v in data.getlist(f"a-{question.key}") if v.strip()][:20]
        if values:
            answers[question.key] = values
    return answers


def question_rows(
    questions: list[BundleQuestion], answers: dict[str, list[str]], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    return [
        {
            "question": question,
            "name": f"a-{question.key}",
            "input_type": "checkbox" if question.multiple else "radio",
            "choices": [
                (choice["value"], choice.get("label") or choice["value"]) for choice in question.choices
            ],
            "chosen": answers.get(question.key, []),
            "errors": errors.get(f"answers.{question.key}", []),
        }
        for question in questions
    ]


# ——— the one form (一表制) ———


def form_posted(data: Any, selection: Selection) -> dict[str, str]:
    return {
        merged.field.key: data.get(f"f-{merged.field.key}", "").strip()[:2000] for merged in selection.fields
    }


def prefilled(selection: Selection, applicant: Applicant) -> dict[str, str]:
    """The one form as it starts: each field with a ``prefill`` from the applicant's record."""
    values: dict[str, str] = {}
    for merged in selection.fields:
        spec = merged.field
        if spec.prefill:
            values[spec.key] = str(getattr(applicant, spec.prefill, "") or "")
    return values


def _field_row(merged: MergedField, value: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    spec = merged.field
    return {
        "key": spec.key,
        "name": f"f-{spec.key}",
        "label": spec.label,
        "kind": spec.kind,
        "required": spec.required,
        "choices": spec.choices,
        "help_text": spec.help_text,
        "used_by": merged.used_by,
        "value": value,
        "errors": errors.get(f"form.{spec.key}", []),
    }


def form_groups(
    selection: Selection, values: dict[str, str], errors: dict[str, list[str]]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The form's fields by group, each once, with what it is used for, its value and its errors."""
    return [
        (group, [_field_row(merged, values.get(merged.field.key, ""), errors) for merged in fields])
        for group, fields in selection.field_groups
    ]


# ——— the merged material check ———


def material_findings(
    data: Any, states: list[MaterialState]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Read ``state-<key>`` / ``note-<key>``: the findings that changed (for the service) and the errors
    per material key. A material not shown as editable is never sent."""
    findings: dict[str, tuple[str, str]] = {}
    errors: dict[str, str] = {}
    for state in states:
        if not editable(state):
            continue
        key = state.merged.key
        chosen = (data.get(f"state-{key}") or "").strip()
        note = (data.get(f"note-{key}") or "").strip()[:NOTE_MAX]
        if not chosen:
            continue
        if chosen not in CHECK_STATES:
            errors[key] = gettext("材料状态无效，请重新选择")
            continue
        if chosen == CaseMaterialState.DEFICIENT and not note:
            errors[key] = gettext("不符合要求的，请写明问题")
            continue
        if chosen != state.state or note != state.note:
            findings[key] = (chosen, note)
    return findings, errors


def editable(state: MaterialState) -> bool:
    """The one form stands for the items' application forms; a licence-backed or committed material and
    a deferred one are settled elsewhere."""
    return not state.merged.by_form and state.state not in READ_ONLY_STATES


def material_rows(
    states: list[MaterialState], data: Any = None, errors: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    choices = [(value, label) for value, label in CaseMaterialState.choices if value in CHECK_STATES]
    rows = []
    for state in states:
        key = state.merged.key
        chosen, note = state.state, state.note
        if data is not None:
            chosen = data.get(f"state-{key}") or chosen
            note = data.get(f"note-{key}", note)
        rows.append(
            {
                "state": state,
                "key": key,
                "merged": state.merged,
                "necessity": _necessity_label(state),
                "chosen": chosen,
                "note": note,
                "editable": editable(state),
                "choices": choices,
                "error": (errors or {}).get(key, ""),
            }
        )
    return rows


def _necessity_label(state: MaterialState) -> str:
    return str(MaterialNecessity(state.merged.necessity).label)
