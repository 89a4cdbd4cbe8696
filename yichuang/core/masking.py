"""Masking of personal data (ID numbers, credit codes of persons, phone numbers).

Lists, logs and audit payloads show masked values; only a detail screen for someone allowed to see
the person shows the full value.
"""

from __future__ import annotations

import logging
import re

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_id_number(value: str | None) -> str:
    """``150824199001011234`` → ``1508**********1234`` (keeps the first 4 and the last 4)."""
    if not value:
        return ""
    value = str(value).strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; a landline keeps its last 4 digits."""
    if not value:
        return ""
    digits = str(value).strip()
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_email(value: str | None) -> str:
    """``zhangsan@example.com`` → ``z*******@example.com``: the domain stays, the mailbox name goes."""
    if not value:
        return ""
    local, at, domain = str(value).strip().rpartition("@")
    if not at:
        return mask_phone(domain) if domain.isdigit() else mask_name(domain)
    return local[:1] + "*" * max(len(local) - 1, 1) + "@" + domain


def mask_name(value: str | None) -> str:
    """``张晓梅`` → ``张**``: for lists that must not identify a person."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_text(text: str) -> str:
    """Mask every ID number and mobile phone number inside free text (log lines, messages)."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


class PersonalDataLogFilter(logging.Filter):
    """Logging filter: no ID number or phone number reaches a log handler unmasked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
