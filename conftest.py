"""Shared test fixtures: an organisation with a user of every role, API clients, the browser."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from yichuang.accounts.models import Department, User
from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import DepartmentFactory, UserFactory

PASSWORD = "pass-word-2026"


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings: Any) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A test's client is one address making many calls: the per-address budgets of the public endpoints are
    # tested on their own (yichuang/core/tests/test_rate_limits.py turns them on).
    settings.YICHUANG_RATE_LIMITS_ENABLED = False
    cache.clear()
    yield
    cache.clear()


_REFERENCE_DATA_MIGRATIONS = (
    "yichuang.catalog.migrations.0002_item_type_codes_and_lists",
    "yichuang.catalog.migrations.0003_search_synonyms",
    "yichuang.licences.migrations.0003_licence_catalogue",
)


@pytest.fixture(autouse=True)
def _reference_data(request: Any) -> None:
    """Rows that data migrations seed (item-type codes, the ten lists, synonyms, licence types) are wiped by the
    flush after every transactional test; put them back for the tests that use the database."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from yichuang.catalog.models import ItemTypeCode

    if ItemTypeCode.objects.exists():
        return
    for module in _REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)


@dataclass
class Org:
    """旗政府 → 政数局 → 政务服务中心 / 12345; 市场监管局; 卫健委; 自然资源局 → 不动产中心; 住建局."""

    gov: Department
    zsj: Department
    centre: Department
    hotline: Department
    scjg: Department
    wjw: Department
    zrzy: Department
    bdc: Department
    zjj: Department
    users: dict[str, User]

    def user(self, key: str) -> User:
        return self.users[key]


@pytest.fixture
def org(db: Any) -> Org:
    gov = DepartmentFactory(name="乌拉特中旗人民政府", kind="government")
    zsj = DepartmentFactory(name="旗政数局", parent=gov)
    centre = DepartmentFactory(name="政务服务中心", kind="centre", parent=zsj)
    hotline = DepartmentFactory(name="12345热线中心", kind="centre", parent=zsj)
    scjg = DepartmentFactory(name="市场监管局", parent=gov)
    wjw = DepartmentFactory(name="卫健委", parent=gov)
    zrzy = DepartmentFactory(name="自然资源局", parent=gov)
    bdc = DepartmentFactory(name="不动产中心", kind="institution", parent=zrzy)
    zjj = DepartmentFactory(name="住建局", parent=gov)
    placement = {
        Role.ADMIN: zsj,
        Role.INSPECTOR: zsj,
        Role.CLERK: centre,
        Role.ISSUER: centre,
        Role.HELPER: centre,
        Role.REVIEWER: scjg,
        Role.CHIEF_REP: scjg,
        Role.OPERATOR: hotline,
        Role.HANDLER: zjj,
    }
    users = {
        str(role): UserFactory(username=str(role), role=role, department=dept)
        for role, dept in placement.items()
    }
    users["applicant"] = UserFactory(username="applicant", role=Role.APPLICANT, department=None)
    users["reviewer_wjw"] = UserFactory(username="reviewer_wjw", role=Role.REVIEWER, department=wjw)
    users["reviewer_zrzy"] = UserFactory(username="reviewer_zrzy", role=Role.REVIEWER, department=zrzy)
    users["reviewer_bdc"] = UserFactory(username="reviewer_bdc", role=Role.REVIEWER, department=bdc)
    # Trees were changed after the factories returned their nodes: reload paths and counts.
    nodes = {n.pk: n for n in Department.objects.all()}
    return Org(
        gov=nodes[gov.pk], zsj=nodes[zsj.pk], centre=nodes[centre.pk], hotline=nodes[hotline.pk],
        scjg=nodes[scjg.pk], wjw=nodes[wjw.pk], zrzy=nodes[zrzy.pk], bdc=nodes[bdc.pk],
        zjj=nodes[zjj.pk], users=users,
    )  # fmt: skip


@pytest.fixture
def client_for(org: Org) -> Any:
    """``client_for("clerk")`` → a Django test client logged in as that user (session auth)."""

    def make(key: str) -> Client:
        client = Client()
        client.force_login(org.user(key))
        return client

    return make


# ---------------------------------------------------------------- browser tests (Playwright)

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium")
_browser_skip_reason: list[str] = []


def chromium_path() -> str | None:
    configured = os.environ.get("YICHUANG_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright; never a downloaded browser."""
    path = chromium_path()
    if path is None:
        message = "未找到 Chromium（Debian 软件包 chromium），浏览器测试无法运行 · no Chromium found"
        if _in_ci():
            pytest.fail(message + "；CI=true 时这是失败而不是跳过", pytrace=False)
        _browser_skip_reason.append(message)
        pytest.skip(message)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _browser_skip_reason:
        terminalreporter.write_sep("!", "浏览器测试已跳过 · BROWSER TESTS SKIPPED", yellow=True)
        terminalreporter.write_line(_browser_skip_reason[0])
        terminalreporter.write_line(
            "安装 Chromium：apt-get install chromium，或设置 YICHUANG_CHROMIUM=/path/to/chromium"
        )
