"""办件编号 = 实施编码 + yyyymmdd + 4-digit daily sequence, unique under concurrency.

The counter row for (code, day) is created or incremented by one upsert that holds its row lock until
commit, so two windows accepting the same item in the same second get consecutive numbers on either
database.
"""

from __future__ import annotations

import datetime as dt

from yichuang.cases.models import CaseSequence
from yichuang.core.errors import ApplicationError
from yichuang.core.sequences import counter_next

MAX_DAILY = 9999


def case_number_next(*, implementation_code: str, day: dt.date) -> str:
    """Reserve the next number. Call inside the transaction that creates the case."""
    if len(implementation_code) != 31:
        raise ApplicationError(
            "该事项缺少有效的实施编码（实施主体的统一社会信用代码未登记），暂不能受理，请联系政数局",
            code="no_implementation_code",
        )
    last = sequence_next(key=implementation_code, day=day)
    if last > MAX_DAILY:
        raise ApplicationError("该事项今日办件编号已用完", code="sequence_exhausted")
    return f"{implementation_code}{day:%Y%m%d}{last:04d}"


def sequence_next(*, key: str, day: dt.date) -> int:
    """The next value of the counter (key, day); call inside the writing transaction."""
    return counter_next(model=CaseSequence, key_field="implementation_code", key=key, day=day)
