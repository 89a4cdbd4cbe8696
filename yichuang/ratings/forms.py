"""The rating form: five levels with no level preselected (the screen never suggests one), the indicator
sub-scores of the service mode, an optional comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yichuang.ratings.models import INDICATORS, Level
from yichuang.ratings.services import MAX_COMMENT

LEVEL_CHOICES = [(value, label) for value, label in Level.choices]


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("总体评价"),
        choices=LEVEL_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级")},
    )
    comment = forms.CharField(
        label=_("意见和建议（选填）"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, mode: str, indicators: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.with_indicators = indicators
        for key, label in INDICATORS[mode] if indicators else ():
            self.fields[f"score_{key}"] = forms.TypedChoiceField(
                label=_(label),
                choices=LEVEL_CHOICES,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )

    def _indicators(self) -> tuple[tuple[str, str], ...]:
        return INDICATORS[self.mode] if self.with_indicators else ()

    def indicator_fields(self) -> list[Any]:
        return [self[f"score_{key}"] for key, _label in self._indicators()]

    def scores(self) -> dict[str, int]:
        return {
            key: self.cleaned_data[f"score_{key}"]
            for key, _label in self._indicators()
            if self.cleaned_data.get(f"score_{key}") not in (None, "")
        }
