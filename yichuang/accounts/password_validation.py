"""Password rules beyond Django's own (等保 2.0 level 3: complex passwords).

Django's validators stay in AUTH_PASSWORD_VALIDATORS (not like the user's name, not a common password, not
all digits); the length check is Django's with a Chinese message (Django's own Chinese catalogue lacks
this one), and one more asks for several kinds of characters. They apply wherever a password
is set through ``validate_password``: the admin's user forms, ``staff_create``, ``createsuperuser``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARACTER_CLASSES = 4


def character_classes(password: str) -> int:
    """How many of upper-case letters, lower-case letters, digits and symbols the password uses."""
    return sum(
        (
            any(c.isascii() and c.isupper() for c in password),
            any(c.isascii() and c.islower() for c in password),
            any(c.isascii() and c.isdigit() for c in password),
            # Anything else counts as a symbol: punctuation, spaces, and letters of other scripts.
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
    )


class CharacterClassValidator:
    """At least ``min_classes`` of the four kinds of characters (upper, lower, digit, symbol)."""

    def __init__(self, min_classes: int = 3) -> None:
        if not 1 <= min_classes <= CHARACTER_CLASSES:
            raise ValueError("min_classes must be between 1 and 4")
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、符号中的%(min_classes)d类。"),
                code="password_too_simple",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须至少包含大写字母、小写字母、数字、符号中的%(min_classes)d类。") % {
            "min_classes": self.min_classes
        }


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length check, saying so in Chinese."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要%(min_length)d个字符。") % {"min_length": self.min_length}
