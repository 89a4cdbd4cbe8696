"""In a real browser: every role logs in through the login page and lands on its own home page."""

from __future__ import annotations

import pytest

from yichuang.accounts.home import ROLE_HOME
from yichuang.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-2026"


def _log_in(page, username: str, password: str) -> None:
    page.goto("/home/")  # not logged in: the platform sends us to the login page
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_every_role_lands_on_its_home_page(org, page) -> None:
    for role in Role.values:
        _log_in(page, role, PASSWORD)
        page.wait_for_url("**/home/")
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text() == str(ROLE_HOME[role]["title"]), role
        assert page.locator(f'section.home[data-role="{role}"]').count() == 1
        assert str(Role(role).label) in page.get_by_test_id("current-user").inner_text()
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/accounts/login/")


def test_wrong_password_is_refused_in_chinese(org, page) -> None:
    _log_in(page, "clerk", "not-the-password")
    assert page.get_by_role("alert").inner_text() == "用户名或密码不正确，请重新输入。"
    assert "/accounts/login/" in page.url


def test_clerk_sees_a_bad_id_number_explained(org, page) -> None:
    _log_in(page, "clerk", PASSWORD)
    page.wait_for_url("**/home/")
    page.goto("/applicants/new/")
    page.get_by_label("姓名或单位名称").fill("苏和")
    page.get_by_label("公民身份号码").fill("150824199003071234")
    page.get_by_role("button", name="保存").click()
    assert "身份证号码校验位不正确" in page.locator('[data-field="id_number"]').inner_text()
    page.get_by_label("公民身份号码").fill("150824199003071233")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/applicants/")
    assert "1508**********1233" in page.locator("#applicant-rows").inner_text()
