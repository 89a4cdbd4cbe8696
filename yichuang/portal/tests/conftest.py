"""Fixtures of the terminal's server tests: Monday 23 November 2026, 08:30, a hall open all day, two cases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from yichuang.hall.tests.helpers import MONDAY, HallSetup, at
from yichuang.portal.tests.helpers import Cases, make_cases, terminal_hall


@pytest.fixture
def clock() -> Iterator[Any]:
    """Frozen at Monday 08:30; ``clock.shift(seconds)`` moves it on."""
    with time_machine.travel(at(MONDAY, 8, 30), tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(org: Any, clock: Any) -> HallSetup:
    return terminal_hall(org)


@pytest.fixture
def cases(org: Any, clock: Any) -> Cases:
    return make_cases(org)
