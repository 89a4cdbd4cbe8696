"""Where the workplace's real data files (``../shared/data``) are, for import commands, demo data,
tests and benchmarks. The product never needs them at run time; callers skip what is absent."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

# Next to the checkout (../shared/data), or the workplace's fixed location for checkouts made elsewhere.
_CANDIDATES = ("{base}/../shared/data", "/work/shared/data")


def shared_data_dir() -> Path | None:
    configured = os.environ.get("YICHUANG_SHARED_DATA")
    candidates = [configured] if configured else [c.format(base=settings.BASE_DIR) for c in _CANDIDATES]
    for candidate in candidates:
        path = Path(candidate).resolve()
        if path.is_dir():
            return path
    return None


def shared_data_file(*parts: str) -> Path | None:
    """The file under the shared data folder, or None when it is not on this machine."""
    base = shared_data_dir()
    if base is None:
        return None
    path = base.joinpath(*parts)
    return path if path.is_file() else None


REAL_CATALOGUE = ("catalog", "guangan_district_items_by_dept.csv")
