"""Draft access rules from an observed matrix: ``python -m tests.security.draft /tmp/obs.json``.

Run the matrix with ``YICHUANG_MATRIX_OBSERVE=/tmp/obs.json`` first (it records every answer in
``/tmp/obs.json.jsonl``). For every endpoint this prints the line for ``access.py``: the simplest rule of
``rules.py`` whose allowed set is exactly the observed one (public, any authenticated user, any staff, a
capability, own department), else an explicit ``roles(...)`` to review. Lines that differ from the current
``access.py`` are marked ``# CHANGED (was …)``: read the view before accepting one.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _candidates() -> list[tuple[str, Any]]:
    from tests.security.rules import AUTHENTICATED, OWN, PUBLIC, STAFF, Rule, cap
    from yichuang.accounts.roles import CAPABILITY_LABELS

    found: list[tuple[str, Any]] = [
        ("PUBLIC", PUBLIC),
        ("AUTHENTICATED", AUTHENTICATED),
        ("STAFF", STAFF),
        ("Rule('staff', scoped=True)", Rule("staff", scoped=True)),
        ("OWN", OWN),
    ]
    for name in sorted(CAPABILITY_LABELS):
        found += [(f'cap("{name}")', cap(name)), (f'cap("{name}", scoped=True)', cap(name, scoped=True))]
    return found


def _app_word(text: str) -> str:
    if not text.startswith("cap("):
        return ""
    return text.split('"')[1].split(".")[0]


def _roles(allowed: frozenset[str]) -> str:
    """``roles(...)``: the other reviewer is implied by ``reviewer`` unless ``scoped``."""
    from tests.security.rules import ANONYMOUS, OTHER_STAFF

    names = sorted(allowed - {ANONYMOUS, OTHER_STAFF})
    scoped = "reviewer" in allowed and OTHER_STAFF not in allowed
    if OTHER_STAFF in allowed and "reviewer" not in allowed:
        names.append(OTHER_STAFF)
    return "roles(" + ", ".join(repr(n) for n in names) + (", scoped=True" if scoped else "") + ")"


def main(path: str) -> None:
    from tests.security.access import ACCESS
    from tests.security.endpoints import all_endpoints
    from tests.security.rules import ANONYMOUS, PRINCIPALS

    observed: dict[str, dict[str, str]] = {}
    with open(path + ".jsonl", encoding="utf-8") as log:
        for line in log:
            key, row = json.loads(line)
            observed[key] = row
    candidates = _candidates()
    for endpoint in all_endpoints():
        row = observed.get(endpoint.key)
        current = ACCESS.get(endpoint.key)
        if not row:
            print(f"    {endpoint.key!r}: ...,  # not observed")
            continue
        errors = sorted(p for p, o in row.items() if o.startswith("error"))
        allowed = frozenset(p for p, o in row.items() if o.startswith("ok"))
        matching = [t for t, r in candidates if frozenset(p for p in PRINCIPALS if r.allows(p)) == allowed]
        # Of equivalent capabilities, prefer the one named after the URL's app (ratings.view for /ratings/).
        text = next((t for t in matching if _app_word(t) and _app_word(t) in endpoint.key), None)
        text = text or (matching[0] if matching else None)
        if text is None:
            text = _roles(allowed) + "  # REVIEW" + (" (anonymous allowed)" if ANONYMOUS in allowed else "")
        comment = f"  # server error as {errors}" if errors else ""
        if current is not None and current.kind != "pending":
            was = frozenset(p for p in PRINCIPALS if current.allows(p))
            if was != allowed:
                comment += f"  # CHANGED (was {current.describe()})"
        print(f"    {endpoint.key!r}: {text},{comment}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    main(sys.argv[1])
