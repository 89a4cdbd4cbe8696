"""The hall's translatable content for the bilingual display board (叫号大屏): each hall's name with its
categories' and windows' names (keyed by the hall's code, a category's code and a window's number), and the
board's fixed words. See ``yichuang.core.i18n.content``."""

from __future__ import annotations

from typing import Any

from yichuang.core.i18n.content import SourceField, SourceObject, register
from yichuang.hall.models import Hall, ServiceCategory, Window

BOARD = "call_board"
# (field, what it is, the Chinese) — what the board prints beside its Chinese; "{…}" is filled in.
BOARD_TEXTS: tuple[tuple[str, str, str], ...] = (
    ("title", "屏幕名称", "叫号显示屏"),
    ("calls", "叫号信息标题", "叫号信息"),
    ("window_number", "叫号：窗口", "{number} 号窗口"),
    ("recall", "重呼标记", "重呼"),
    ("no_calls", "暂无叫号", "暂无叫号，请留意屏幕和语音提示"),
    ("waiting", "等候情况标题", "各业务等候情况"),
    ("category", "表头：业务", "业务"),
    ("waiting_count", "表头：等候人数", "等候人数"),
    ("wait_estimate", "表头：预计等候", "预计等候"),
    ("minutes", "预计等候时间", "约 {minutes} 分钟"),
    ("no_wait", "无需等候", "无需等候"),
    ("windows", "服务窗口标题", "服务窗口"),
    ("window_short", "窗口号", "{number} 号"),
    ("paused", "暂停服务", "暂停服务"),
    ("no_windows", "暂无开放窗口", "暂无开放窗口"),
    ("closed", "非服务时间", "当前不在服务时间"),
    ("hours", "今日服务时间", "今日服务时间 {hours}"),
    ("waiting_total", "等候总人数", "共 {count} 人等候"),
)


def _board() -> SourceObject:
    fields = tuple(
        SourceField(field, label, text, has_parameters="{" in text) for field, label, text in BOARD_TEXTS
    )
    return SourceObject(kind=BoardSource.kind, key=BOARD, title="叫号显示屏固定文字", fields=fields)


class BoardSource:
    kind = "board"
    label = "叫号显示屏"
    position = 40

    def objects(self) -> list[SourceObject]:
        return [_board()]

    def get(self, key: str) -> SourceObject | None:
        return _board() if key == BOARD else None

    def describe(self, obj: Any) -> SourceObject:
        return _board()


def hall_object(hall: Hall, categories: list[ServiceCategory], windows: list[Window]) -> SourceObject:
    fields = [SourceField("name", "大厅名称", hall.name)]
    fields += [
        SourceField(
            f"category.{category.code}.name", f"业务类别 {category.prefix}：{category.name}", category.name
        )
        for category in categories
    ]
    fields += [
        SourceField(f"window.{window.number}.name", f"{window.number} 号窗口：{window.name}", window.name)
        for window in windows
        if window.name.strip()
    ]
    return SourceObject(
        kind=HallSource.kind, key=hall.code, title=hall.name, fields=tuple(fields), note=hall.code
    )


def _hall_object(hall: Hall) -> SourceObject:
    categories = list(
        ServiceCategory.objects.filter(hall=hall, is_active=True).order_by("position", "prefix")
    )
    windows = list(Window.objects.filter(hall=hall, is_active=True).order_by("position", "number"))
    return hall_object(hall, categories, windows)


class HallSource:
    kind = "hall"
    label = "大厅、业务类别和窗口"
    position = 45

    def objects(self) -> list[SourceObject]:
        halls = list(Hall.objects.filter(is_active=True).order_by("code"))
        categories: dict[int, list[ServiceCategory]] = {}
        for category in ServiceCategory.objects.filter(is_active=True, hall__in=halls).order_by(
            "position", "prefix"
        ):
            categories.setdefault(category.hall_id, []).append(category)
        windows: dict[int, list[Window]] = {}
        for window in Window.objects.filter(is_active=True, hall__in=halls).order_by("position", "number"):
            windows.setdefault(window.hall_id, []).append(window)
        return [hall_object(hall, categories.get(hall.pk, []), windows.get(hall.pk, [])) for hall in halls]

    def get(self, key: str) -> SourceObject | None:
        hall = Hall.objects.filter(code=key).first()
        return _hall_object(hall) if hall is not None else None

    def describe(self, obj: Any) -> SourceObject:
        """``obj`` is a Hall."""
        return _hall_object(obj)


register(BoardSource())
register(HallSource())
