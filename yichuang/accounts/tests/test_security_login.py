"""Login lockout: per user name and per client address, the same for unknown names, audited, unlockable."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from yichuang.accounts import lockout
from yichuang.accounts.models import LoginThrottle
from yichuang.core.errors import PermissionDeniedError
from yichuang.core.models import AuditEvent

PASSWORD = "pass-word-2026"
LOCKED = "账号已临时锁定"
WRONG = "用户名或密码不正确"
START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(username: str, password: str, *, address: str = "10.1.1.1", client: Client | None = None) -> Any:
    client = client or Client(REMOTE_ADDR=address)
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and SESSION_KEY in response.client.session


def fail(username: str, times: int, *, address: str = "10.1.1.1") -> Any:
    response = None
    for _ in range(times):
        response = sign_in(username, "not-the-password", address=address)
    return response


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_five_failures_lock_the_name_even_against_the_right_password(org: Any, clock: Any) -> None:
    page = fail("clerk", 4).content.decode()
    assert WRONG in page and LOCKED not in page
    page = fail("clerk", 1).content.decode()
    assert "账号已临时锁定，请15分钟后再试或联系管理员" in page

    refused = sign_in("clerk", PASSWORD)
    assert not signed_in(refused) and refused.status_code == 200
    assert "请15分钟后再试" in refused.content.decode()
    # Every password sign-in goes through the lockout, not only the login screen.
    assert not Client().login(username="clerk", password=PASSWORD)

    clock.shift(10 * 60)
    assert "请5分钟后再试" in sign_in("clerk", PASSWORD).content.decode()
    clock.shift(5 * 60 + 1)
    assert signed_in(sign_in("clerk", PASSWORD))
    # Other names were never affected.
    assert signed_in(sign_in("reviewer", PASSWORD, address="10.1.1.2"))


def test_an_unknown_name_is_locked_with_the_same_words(org: Any, clock: Any) -> None:
    def message(response: Any) -> str:
        return " ".join(response.context["form"].non_field_errors())

    assert message(fail("nobody-here", 1)) == message(fail("clerk", 1, address="10.1.1.9"))
    fail("nobody-here", 4)
    fail("clerk", 4, address="10.1.1.9")
    unknown, real = sign_in("nobody-here", "x-1"), sign_in("clerk", PASSWORD, address="10.1.1.9")
    assert LOCKED in message(unknown) and message(unknown) == message(real)
    assert unknown.status_code == real.status_code == 200


def test_failures_count_within_the_window_only(org: Any, clock: Any) -> None:
    fail("clerk", 4)
    clock.shift(15 * 60 + 1)
    assert WRONG in fail("clerk", 1).content.decode()  # a new window: one failure so far
    assert WRONG in fail("clerk", 3).content.decode()
    assert LOCKED in fail("clerk", 1).content.decode()


def test_a_successful_sign_in_clears_the_names_count(org: Any, clock: Any) -> None:
    fail("clerk", 4)
    assert signed_in(sign_in("clerk", PASSWORD))
    assert WRONG in fail("clerk", 4).content.decode()


def test_one_address_trying_many_names_is_locked(org: Any, clock: Any, settings: Any) -> None:
    settings.YICHUANG_LOGIN_ADDRESS_FAILURES = 6
    for name in ("clerk", "reviewer", "issuer"):
        fail(name, 2, address="10.9.9.9")
    assert LOCKED in sign_in("admin", PASSWORD, address="10.9.9.9").content.decode()
    assert not signed_in(sign_in("admin", PASSWORD, address="10.9.9.9"))
    # The names themselves are not locked: from another address they still sign in.
    assert signed_in(sign_in("clerk", PASSWORD, address="10.9.9.10"))


def test_failures_and_locks_are_audited_without_the_password(org: Any, clock: Any) -> None:
    fail("clerk", 5)
    sign_in("clerk", PASSWORD)
    failed = events("auth.login_failed")
    assert len(failed) == 6  # five wrong passwords and the refused right one
    (locked,) = events("auth.login_locked")
    assert locked.data["scope"] == "username" and locked.data["subject"] == "clerk"
    assert locked.data["failures"] == 5
    assert timezone.datetime.fromisoformat(locked.data["locked_until"]) == START + timedelta(minutes=15)
    everything = json.dumps([e.data for e in AuditEvent.objects.all()], ensure_ascii=False)
    assert "not-the-password" not in everything and PASSWORD not in everything


def test_the_admin_unlocks_a_name_and_it_is_audited(org: Any, clock: Any) -> None:
    fail("clerk", 5)
    with pytest.raises(PermissionDeniedError):
        lockout.login_unlock(actor=org.user("clerk"), username="clerk")
    assert lockout.login_unlock(actor=org.user("admin"), username="CLERK") == 1
    (event,) = events("auth.login_unlocked")
    assert event.actor_id == org.user("admin").pk and event.data["subject"] == "clerk"
    assert signed_in(sign_in("clerk", PASSWORD))


def test_the_user_admin_has_an_unlock_action(org: Any, client_for: Any, clock: Any) -> None:
    fail("clerk", 5)
    admin = client_for("admin")
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "unlock_login", "_selected_action": [org.user("clerk").pk]},
        follow=True,
    )
    assert "已解除1个登录锁定" in response.content.decode()
    assert not LoginThrottle.objects.filter(scope="username").exists()
    assert signed_in(sign_in("clerk", PASSWORD))


def test_the_lock_list_in_the_admin_unlocks_an_address(
    org: Any, client_for: Any, clock: Any, settings: Any
) -> None:
    settings.YICHUANG_LOGIN_ADDRESS_FAILURES = 2
    fail("someone", 1, address="10.7.7.7")
    fail("another", 1, address="10.7.7.7")
    admin = client_for("admin")
    listing = admin.get("/admin/accounts/loginthrottle/").content.decode()
    assert "10.7.7.7" in listing and "someone" in listing
    address_row = LoginThrottle.objects.get(scope="address")
    admin.post(
        "/admin/accounts/loginthrottle/",
        {"action": "unlock", "_selected_action": [address_row.pk]},
    )
    assert not LoginThrottle.objects.filter(scope="address").exists()
    assert signed_in(sign_in("clerk", PASSWORD, address="10.7.7.7"))


def test_the_admin_login_says_the_account_is_locked(org: Any, clock: Any) -> None:
    fail("admin", 5)
    response = Client(REMOTE_ADDR="10.1.1.3").post(
        "/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200 and LOCKED in response.content.decode()


def test_the_typed_name_is_not_stored_in_clear(org: Any, clock: Any) -> None:
    fail("110101199003071234", 1)
    row = LoginThrottle.objects.get(scope="username")
    assert "110101199003071234" not in row.key and "110101199003071234" not in row.label


def test_stale_counts_are_pruned(org: Any, clock: Any) -> None:
    fail("stranger-1", 1)
    clock.shift(16 * 60)
    fail("stranger-2", 1)
    assert sorted(LoginThrottle.objects.filter(scope="username").values_list("label", flat=True)) == [
        "stranger-2"
    ]
