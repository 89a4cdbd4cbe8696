"""One error type for the whole platform, and the one JSON shape it takes in the API.

Services raise ``ApplicationError`` with a message in Chinese (the text a clerk or applicant reads),
a stable machine ``code`` and optional ``fields`` naming the input that was wrong. The API turns it
into ``{"error": {"code": ..., "message": ..., "fields": {...}}}``; screens show the same message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.fields = fields or {}
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        if self.extra:
            body["extra"] = self.extra
        return {"error": body}

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> ApplicationError:
        """Wrap Django's ValidationError (from ``full_clean``) keeping per-field messages."""
        if hasattr(error, "error_dict"):
            fields = {
                name: [str(message) for message in ValidationError(errors).messages]
                for name, errors in error.error_dict.items()
            }
            first = next(iter(fields.values()), ["输入有误"])[0]
            return cls(first, code="invalid", fields=fields)
        return cls(str(error.messages[0]) if error.messages else "输入有误", code="invalid")


class PermissionDeniedError(ApplicationError):
    status = 403

    def __init__(self, message: str = "您没有执行此操作的权限", **kwargs: Any) -> None:
        kwargs.setdefault("code", "permission_denied")
        super().__init__(message, **kwargs)


class NotFoundError(ApplicationError):
    status = 404

    def __init__(self, message: str = "未找到该记录", **kwargs: Any) -> None:
        kwargs.setdefault("code", "not_found")
        super().__init__(message, **kwargs)


class ConflictError(ApplicationError):
    status = 409

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("code", "conflict")
        super().__init__(message, **kwargs)


def full_clean_or_raise(
    obj: Any, *, exclude: list[str] | None = None, validate_constraints: bool = True
) -> None:
    """Run the model's validation and turn Django's ValidationError into an ApplicationError."""
    try:
        obj.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc) from exc


class TooManyRequestsError(ApplicationError):
    """A public endpoint's rate limit is used up (HTTP 429)."""

    status = 429
