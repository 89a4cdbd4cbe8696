"""Formatting of the supervision figures in templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def percent(rate: Any) -> str:
    """0.9351 → "93.5%"; None (no denominator) or nothing → "—"."""
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        return "—"
    return f"{rate * 100:.1f}%"


@register.filter
def rate_span(rate: Any) -> SafeString:
    """A rate with its exact value for the tests and the screen readers' neighbours: "93.5%", or "—"."""
    from yichuang.supervision.table import rate_html

    return mark_safe(rate_html(rate))  # numbers only


@register.filter
def is_rate(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def attr_of(value: Any, name: str) -> Any:
    """``row.indicators|attr_of:key`` — a dict entry or an attribute by a variable name."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)
