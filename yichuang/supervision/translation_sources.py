"""The supervision big screen's translatable fixed words (its title), shown in Mongolian down its left edge
when the screen is in Mongolian. See ``yichuang.core.i18n.content``."""

from __future__ import annotations

from typing import Any

from yichuang.core.i18n.content import SourceField, SourceObject, register

SCREEN = "supervision"
SCREEN_TEXTS: tuple[tuple[str, str, str], ...] = (("title", "大屏名称", "政务服务效能监察大屏"),)


def _screen() -> SourceObject:
    fields = tuple(SourceField(field, label, text) for field, label, text in SCREEN_TEXTS)
    return SourceObject(kind=ScreenSource.kind, key=SCREEN, title="效能监察大屏固定文字", fields=fields)


class ScreenSource:
    kind = "screen"
    label = "效能监察大屏"
    position = 50

    def objects(self) -> list[SourceObject]:
        return [_screen()]

    def get(self, key: str) -> SourceObject | None:
        return _screen() if key == SCREEN else None

    def describe(self, obj: Any) -> SourceObject:
        return _screen()


register(ScreenSource())
