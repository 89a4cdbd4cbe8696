"""Extension points for the apps built on cases (DESIGN §3: ``cases ← {bundles, licences, ratings}``).

Cases never import those apps; they register here from their ``AppConfig.ready`` and cases calls them
inside its own transaction, so whatever they raise (an ``ApplicationError`` for missing licence data,
say) rolls the whole step back.

- ``on_submitted(case, actor, options)`` — after a new case and its materials are written
  (``options["use_licences"]``: the applicant agreed to 免证办).
- ``on_approved(case, actor, options)`` — after 准予, before the decision notice
  (``options["result"]``: the result's data, e.g. a licence's fields).
- ``on_result_form(case)`` — what the decision form asks for the result: ``{"title", "fields": [{"key",
  "label", "required", "initial"}], "replaces": [(identifier, label)]}``, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Hook = Callable[..., None]

_SUBMITTED: list[Hook] = []
_APPROVED: list[Hook] = []
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
