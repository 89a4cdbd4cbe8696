"""Extension points for the apps built on the hotline (the hotline never imports them).

- ``on_called_back(hook)`` — ``hook(ticket=, result=, actor=, at=)`` after the office's call-back recorded
  a result (满意, 基本满意, 不满意): the ratings app turns it into the caller's rating of the service.

``quiet()`` runs a block without them: imported history (a call-back of years ago is no rating today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Hook = Callable[..., None]
_CALLED_BACK: list[Hook] = []
_QUIET: ContextVar[bool] = ContextVar("hotline_hooks_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def on_called_back(hook: Hook) -> Hook:
    if hook not in _CALLED_BACK:
        _CALLED_BACK.append(hook)
    return hook


def called_back(*, ticket: Any, result: str, actor: Any, at: dt.datetime) -> None:
    if _QUIET.get():
        return
    for hook in _CALLED_BACK:
        hook(ticket=ticket, result=result, actor=actor, at=at)
