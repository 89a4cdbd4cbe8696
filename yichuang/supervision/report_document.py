"""The monthly report (效能监察月报) as data: what ``report_pdf`` and ``report_xlsx`` render.

The figures code fills a ``ReportDocument``; the renderers know nothing of the models. Rates in tables are
already formatted strings ("93.5%", "—"); counts are numbers. Charts take raw numbers, rates as percentages
(0–100) with ``percent=True``; ``None`` is a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = ["Cell", "ReportChart", "ReportDocument", "ReportSection", "ReportTable"]

Cell = str | int | float | None


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass(frozen=True)
class ReportChart:
    title: str
    kind: Literal["bar", "line"]
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    percent: bool = False


@dataclass(frozen=True)
class ReportSection:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    charts: list[ReportChart] = field(default_factory=list)


@dataclass(frozen=True)
class ReportDocument:
    title: str  # "乌拉特中旗政务服务效能监察月报"
    period_label: str  # "2026年10月"
    generated_at: datetime
    summary: list[tuple[str, str]]  # headline figures: label → formatted value
    sections: list[ReportSection] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        """An ASCII file name stem from the period ("2026年10月" → "supervision-report-2026-10")."""
        digits = "".join(ch if ch.isdigit() else " " for ch in self.period_label).split()
        suffix = "-".join(part.zfill(2) if len(part) < 4 else part for part in digits)
        return f"supervision-report-{suffix}" if suffix else "supervision-report"
