"""Password policy: at least 10 characters of at least 3 kinds, plus Django's own checks, wherever set."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from yichuang.accounts import services
from yichuang.accounts.demo import DEMO_PASSWORD
from yichuang.accounts.models import User
from yichuang.accounts.password_validation import CharacterClassValidator, character_classes
from yichuang.core.errors import ApplicationError

TOO_SIMPLE = "密码须至少包含大写字母、小写字母、数字、符号中的3类"


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefghij", 1),
        ("abcdeFGHIJ", 2),
        ("abcde12345", 2),
        ("abcdE12345", 3),
        ("ab-dE12345", 4),
        ("草原牧歌abc123", 3),
    ],
)
def test_character_classes_are_counted(password: str, classes: int) -> None:
    assert character_classes(password) == classes


@pytest.mark.parametrize("password", ["Kq7mwzpt2x", "kq7-mwzpt2x", "KQ7-MWZPT2X", "Kq-mwzpt-xy"])
def test_passwords_of_three_kinds_and_ten_characters_pass(password: str) -> None:
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("kq7mwzpt2x", TOO_SIMPLE),  # two kinds
        ("kqmwzpt-xy", TOO_SIMPLE),
        ("Kq7-mwz", "密码太短，至少需要10个字符"),  # four kinds, seven characters
        ("Password123", "这个密码太常见了"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(password: str, expected: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert any(expected in message for message in caught.value.messages), caught.value.messages


def test_a_password_like_the_user_name_is_refused(db: Any) -> None:
    user = User(username="zhangsan2026", full_name="张三")
    with pytest.raises(ValidationError):
        validate_password("Zhangsan2026", user)


def test_the_validator_explains_itself() -> None:
    assert CharacterClassValidator(min_classes=3).get_help_text() == TOO_SIMPLE + "。"
    with pytest.raises(ValueError, match="min_classes"):
        CharacterClassValidator(min_classes=5)


def test_staff_create_refuses_a_simple_password(org: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.staff_create(
            actor=org.user("admin"),
            username="newclerk",
            password="abcdefghijk",
            full_name="新窗口",
            role="clerk",
            department=org.centre,
        )
    assert TOO_SIMPLE in " ".join(caught.value.fields["password"])
    assert not User.objects.filter(username="newclerk").exists()


def test_the_admin_user_form_applies_the_policy(org: Any, client_for: Any) -> None:
    admin = client_for("admin")
    form = {
        "username": "newclerk",
        "password1": "abcdefghijk",
        "password2": "abcdefghijk",
        "full_name": "新窗口",
        "role": "clerk",
        "department": org.centre.pk,
        "usable_password": "true",
    }
    refused = admin.post("/admin/accounts/user/add/", form)
    assert refused.status_code == 200 and TOO_SIMPLE in refused.content.decode()
    accepted = admin.post(
        "/admin/accounts/user/add/", {**form, "password1": "Kq7-mwzpt2x", "password2": "Kq7-mwzpt2x"}
    )
    assert accepted.status_code == 302
    assert User.objects.get(username="newclerk").check_password("Kq7-mwzpt2x")


def test_the_admin_password_change_form_applies_the_policy(org: Any, client_for: Any) -> None:
    clerk = org.user("clerk")
    url = f"/admin/accounts/user/{clerk.pk}/password/"
    refused = client_for("admin").post(url, {"password1": "kq7mwzpt2x", "password2": "kq7mwzpt2x"})
    assert refused.status_code == 200 and TOO_SIMPLE in refused.content.decode()
    clerk.refresh_from_db()
    assert not clerk.check_password("kq7mwzpt2x")


def test_the_demo_and_test_passwords_meet_the_policy() -> None:
    validate_password(DEMO_PASSWORD)
    validate_password("pass-word-2026")
