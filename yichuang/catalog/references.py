"""Reference data other apps keep and the catalog names by code (DESIGN §3: the catalog does not import
them). The licences app registers the licence-type lookup here, so a material's or a result's licence
type code must name a licence type the platform knows (证照目录)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

# codes → {code: name} for the codes that exist
LicenceTypeLookup = Callable[[Iterable[str]], dict[str, str]]

_licence_types: LicenceTypeLookup | None = None


def register_licence_types(lookup: LicenceTypeLookup) -> None:
    global _licence_types
    _licence_types = lookup


def licence_type_names(codes: Iterable[str]) -> dict[str, str] | None:
    """Names of the known codes among ``codes``; None when no app keeps licence types."""
    wanted = {code for code in codes if code}
    if _licence_types is None:
        return None
    return _licence_types(wanted) if wanted else {}
