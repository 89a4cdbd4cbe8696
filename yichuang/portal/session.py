"""What a self-service terminal holds for the person in front of it, kept server-side in the session.

A terminal's browser is shared by everyone who walks up to it, so nothing personal may outlive one
person's visit: the verified case (办件), the one document opened for printing, the tickets taken and the
booking just made are session entries with a short expiry, tied to the terminal's hall, and all of them are
dropped together by :func:`state_clear` — on 结束/退出, on the idle timeout, after printing and whenever the
start screen is shown. The browser never holds more than the page it shows.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

CASE_KEY = "terminal_case"  # {"case": pk, "hall": code, "until": epoch seconds}
PRINT_KEY = "terminal_print"  # {"kind": "notice"|"licence", "pk": pk, "case": pk, "hall": code, "until": …}
TICKETS_KEY = "terminal_tickets"  # {"pks": [ticket pks], "hall": code, "until": …}
BOOKING_KEY = "terminal_booking"  # {"code": booking code, "hall": code, "until": …}
KEYS = (CASE_KEY, PRINT_KEY, TICKETS_KEY, BOOKING_KEY)
TICKETS_KEEP = 5


def access_seconds() -> int:
    return int(settings.YICHUANG_TERMINAL_ACCESS_SECONDS)


def _now() -> float:
    return time.time()


def _put(session: SessionBase, key: str, hall_code: str, **values: Any) -> None:
    session[key] = {**values, "hall": hall_code, "until": _now() + access_seconds()}


def _live(session: SessionBase, key: str, hall_code: str) -> dict[str, Any] | None:
    """The entry while it is this hall's and not expired; an expired one is dropped on the way."""
    entry = session.get(key)
    if not isinstance(entry, dict):
        return None
    if float(entry.get("until", 0)) <= _now():
        session.pop(key, None)
        return None
    if entry.get("hall") != hall_code:
        return None
    return entry


# ——— the verified case ———


def case_grant(session: SessionBase, *, case_id: int, hall_code: str) -> None:
    _put(session, CASE_KEY, hall_code, case=case_id)


def case_held(session: SessionBase, *, hall_code: str) -> int | None:
    entry = _live(session, CASE_KEY, hall_code)
    return int(entry["case"]) if entry else None


def case_drop(session: SessionBase) -> None:
    session.pop(CASE_KEY, None)


# ——— the document opened for printing ———


def print_grant(session: SessionBase, *, kind: str, pk: int, case_id: int, hall_code: str) -> None:
    _put(session, PRINT_KEY, hall_code, kind=kind, pk=pk, case=case_id)


def print_held(session: SessionBase, *, hall_code: str) -> dict[str, Any] | None:
    return _live(session, PRINT_KEY, hall_code)


# ——— tickets taken and the booking made here ———


def ticket_remember(session: SessionBase, *, ticket_id: int, hall_code: str) -> None:
    entry = _live(session, TICKETS_KEY, hall_code) or {"pks": []}
    pks = [pk for pk in entry["pks"] if pk != ticket_id]
    _put(session, TICKETS_KEY, hall_code, pks=[*pks, ticket_id][-TICKETS_KEEP:])


def ticket_held(session: SessionBase, *, ticket_id: int, hall_code: str) -> bool:
    entry = _live(session, TICKETS_KEY, hall_code)
    return bool(entry) and ticket_id in entry["pks"]  # type: ignore[index]


def booking_remember(session: SessionBase, *, code: str, hall_code: str) -> None:
    _put(session, BOOKING_KEY, hall_code, code=code)


def booking_held(session: SessionBase, *, hall_code: str) -> str | None:
    entry = _live(session, BOOKING_KEY, hall_code)
    return str(entry["code"]) if entry else None


# ——— the end of a visit ———


def state_held(session: SessionBase) -> list[str]:
    """Which of the terminal's entries the session holds (expired or not)."""
    return [key for key in KEYS if key in session]


def state_clear(session: SessionBase) -> list[str]:
    """Drop everything the terminal held for the last person; returns what was there."""
    held = state_held(session)
    for key in held:
        session.pop(key, None)
    return held
