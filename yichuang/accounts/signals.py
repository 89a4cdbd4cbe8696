"""Sign-ins and sign-outs are part of the audit trail (who was at which screen, when)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from yichuang.core.audit import audit_record
from yichuang.core.masking import mask_text


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", obj=user, data={"role": user.role})
    if request is not None and hasattr(request, "session"):
        # The session timeout's clock starts at the sign-in (saved with the login's own session write).
        from yichuang.accounts.middleware import session_stamp

        session_stamp(request.session, time.time())


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, data={})


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # People sometimes type an ID number or phone as the user name: mask it like any log line.
    username = mask_text(str(credentials.get("username", ""))[:150])
    audit_record(
        actor=None, action="auth.login_failed", object_type="accounts.user", data={"username": username}
    )
