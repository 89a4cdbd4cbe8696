"""电子证照标识 (GB/T 36904): ``1.2.156.3005.2.<type code>.<issuer credit code>.<serial>.<version>.<check>``,
the check character by ISO/IEC 7064 MOD 37,36 (GB/T 17710) over the characters without the dots."""

from __future__ import annotations

from stdnum.iso7064 import mod_37_36

PREFIX = "1.2.156.3005.2"


def check_character(body: str) -> str:
    return str(mod_37_36.calc_check_digit(body.replace(".", "").upper()))


def licence_identifier(*, type_code: str, issuer_code: str, serial: str, version: int) -> str:
    body = f"{PREFIX}.{type_code}.{issuer_code}.{serial}.{version:03d}".upper()
    return f"{body}.{check_character(body)}"


def identifier_valid(identifier: str) -> bool:
    """Whether ``identifier`` has the form and its check character agrees (a mistyped one does not)."""
    identifier = (identifier or "").strip().upper()
    body, _, check = identifier.rpartition(".")
    if not body.startswith(PREFIX + ".") or len(check) != 1 or len(body.split(".")) != 9:
        return False
    try:
        return check_character(body) == check
    except Exception:  # a character outside the alphabet
        return False
