"""Extension points for the apps built on cases (DESIGN §3: ``cases ← {bundles, licences, ratings}``).

Cases never import those apps; they register here from their ``AppConfig.ready`` and cases calls them
inside its own transaction, so whatever they raise (an ``ApplicationError`` for missing licence data,
say) rolls the whole step back.

- ``on_submitted(case, actor, options)`` — after a new case and its materials are written
  (``options["use_licences"]``: the applicant agreed to 免证办).
- ``on_approved(case, actor, options)`` — after 准予, before the decision notice
  (``options["result"]``: the result's data, e.g. a licence's fields).
- ``on_transition(case, before, actor)`` — after every move of a case's status (its timeline event is
  written); an application of several cases keeps its own status in step.
- ``on_step(case, action, actor)`` — before a step that may not be taken on its own (``request_correction``
  and ``supply_correction``: a case that is part of a bundle is corrected through the bundle); raise to
  refuse.
- ``on_case_data(case)`` — data the applicant already gave for the case elsewhere (a bundle's one form),
  ``{label: value}``; the decision form starts with it.
- ``on_result_form(case)`` — what the decision form asks for the result: ``{"title", "fields": [{"key",
  "label", "required", "initial"}], "replaces": [(identifier, label)]}``, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Hook = Callable[..., None]

_SUBMITTED: list[Hook] = []
_APPROVED: list[Hook] = []
_TRANSITIONS: list[Hook] = []
_STEPS: list[Hook] = []
_CASE_DATA: list[Callable[[Any], dict[str, str]]] = []
_RESULT_FORMS: list[Callable[[Any], dict[str, Any] | None]] = []


def on_submitted(hook: Hook) -> Hook:
    if hook not in _SUBMITTED:
        _SUBMITTED.append(hook)
    return hook


def on_approved(hook: Hook) -> Hook:
    if hook not in _APPROVED:
        _APPROVED.append(hook)
    return hook


def submitted(*, case: Any, actor: Any, options: dict[str, Any]) -> None:
    for hook in _SUBMITTED:
        hook(case=case, actor=actor, options=options)


def approved(*, case: Any, actor: Any, options: dict[str, Any]) -> None:
    for hook in _APPROVED:
        hook(case=case, actor=actor, options=options)


def on_result_form(hook: Callable[[Any], dict[str, Any] | None]) -> Callable[[Any], dict[str, Any] | None]:
    if hook not in _RESULT_FORMS:
        _RESULT_FORMS.append(hook)
    return hook


def result_form(case: Any) -> dict[str, Any] | None:
    for hook in _RESULT_FORMS:
        if (spec := hook(case)) is not None:
            return spec
    return None


def on_transition(hook: Hook) -> Hook:
    if hook not in _TRANSITIONS:
        _TRANSITIONS.append(hook)
    return hook


def transitioned(*, case: Any, before: str, actor: Any) -> None:
    for hook in _TRANSITIONS:
        hook(case=case, before=before, actor=actor)


def on_step(hook: Hook) -> Hook:
    if hook not in _STEPS:
        _STEPS.append(hook)
    return hook


def step(*, case: Any, action: str, actor: Any) -> None:
    for hook in _STEPS:
        hook(case=case, action=action, actor=actor)


def on_case_data(hook: Callable[[Any], dict[str, str]]) -> Callable[[Any], dict[str, str]]:
    if hook not in _CASE_DATA:
        _CASE_DATA.append(hook)
    return hook


def case_data(case: Any) -> dict[str, str]:
    data: dict[str, str] = {}
    for hook in _CASE_DATA:
        data.update(hook(case))
    return data
