"""The editor opens every demo 一件事 (regression: a demo bundle's edit page was a server error)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yichuang.accounts.demo import load_demo
from yichuang.bundles.demo import load_demo_bundle_definitions
from yichuang.bundles.models import Bundle
from yichuang.catalog.demo import load_demo_catalog
from yichuang.licences.demo import load_demo_licences

pytestmark = pytest.mark.django_db


def test_every_demo_bundle_opens_in_the_editor() -> None:
    admin = load_demo()
    load_demo_licences(admin=admin)
    load_demo_catalog(admin=admin)
    load_demo_bundle_definitions(admin=admin)
    client: Any = Client()
    client.force_login(admin)
    bundles = list(Bundle.objects.order_by("pk"))
    assert bundles
    for bundle in bundles:
        response = client.get(f"/bundles/manage/{bundle.pk}/edit/")
        assert response.status_code == 200, bundle.name
        if bundle.process_steps and isinstance(bundle.process_steps[0], dict):
            step = bundle.process_steps[0]
            assert step["name"] in response.content.decode()  # the demo's steps as lines of the form


def test_steps_saved_by_the_editor_show_on_the_public_guide(org: Any, client_for: Any) -> None:
    from yichuang.bundles import definitions
    from yichuang.bundles.tests.helpers import restaurant_items, restaurant_spec

    spec = restaurant_spec(org, restaurant_items(org))
    spec["process_steps"] = ["一窗受理", "统一出件"]
    bundle = definitions.bundle_define(actor=org.user("admin"), spec=spec)
    definitions.bundle_publish(actor=org.user("admin"), bundle=bundle)
    page = client_for("applicant").get(f"/bundles/{bundle.code}/").content.decode()
    assert "<li>一窗受理</li>" in page and "<li>统一出件</li>" in page
