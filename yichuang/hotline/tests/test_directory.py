"""The dispatch directory: the most-specific rule, the office's edits (audited, permission-checked), its
screens and its API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Org
from yichuang.accounts.models import Department
from yichuang.accounts.tests.factories import DepartmentFactory
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent
from yichuang.hotline import directory
from yichuang.hotline.models import DirectoryEntry, HotlineCategory
from yichuang.hotline.taxonomy import taxonomy_import

URLS = "yichuang.hotline.tests.urls_dispatch"
pytestmark = pytest.mark.urls(URLS)  # the API (and the screens) wherever the project mounts them
TOWNSHIP = "150824100"  # 乌拉特中旗 · a 苏木


@dataclass
class Setup:
    org: Org
    township: Department
    top: HotlineCategory
    housing: HotlineCategory
    property: HotlineCategory
    city: HotlineCategory

    @property
    def office(self) -> Any:
        return self.org.user("operator")  # the hotline's agents hold hotline.dispatch


@pytest.fixture
def setup(org: Org) -> Setup:
    taxonomy_import(
        rows=[
            ("城乡建设", "住房保障", "物业管理"),
            ("城乡建设", "城市建设", "道路"),
            ("环境保护", "水污染", "河道污染"),
        ]
    )
    township = DepartmentFactory(name="海流图镇", division_code=TOWNSHIP, parent=org.gov)
    nodes = {c.path: c for c in HotlineCategory.objects.all()}
    return Setup(
        org=org,
        township=Department.objects.get(pk=township.pk),
        top=nodes["城乡建设"],
        housing=nodes["城乡建设/住房保障"],
        property=nodes["城乡建设/住房保障/物业管理"],
        city=nodes["城乡建设/城市建设"],
    )


def _entry(
    s: Setup, category: HotlineCategory, lead: Department, division: str = "", **more: Any
) -> DirectoryEntry:
    return directory.directory_entry_create(
        actor=s.office, category=category, lead=lead, division_code=division, **more
    )


@pytest.fixture
def entries(setup: Setup) -> dict[str, DirectoryEntry]:
    s, org = setup, setup.org
    return {
        "top": _entry(s, s.top, org.zjj),
        "top_township": _entry(s, s.top, org.scjg, TOWNSHIP),
        "housing": _entry(s, s.housing, org.bdc, co_handlers=[org.zrzy, org.zjj]),
        "housing_county": _entry(s, s.housing, org.zrzy, "150824"),
        "housing_township": _entry(s, s.housing, s.township, TOWNSHIP),
    }


def _lead(path: str, division: str = "") -> str | None:
    match = directory.directory_lookup(path, division)
    return match.lead.name if match else None


# ——— the most specific entry wins ———


@pytest.mark.django_db
def test_the_deepest_category_then_the_longest_division_prefix_wins(
    setup: Setup, entries: dict[str, DirectoryEntry]
) -> None:
    leaf = "城乡建设/住房保障/物业管理"
    # No level-3 entry: the level-2 entries apply; among them the longest prefix of the place.
    assert _lead(leaf, TOWNSHIP + "001") == "海流图镇"
    assert _lead(leaf, TOWNSHIP) == "海流图镇"
    assert _lead(leaf, "150824200") == "自然资源局"  # another township of the county
    assert _lead(leaf, "150825") == "不动产中心"  # another county: the entry valid anywhere
    assert _lead(leaf, "") == "不动产中心"  # the place unknown
    # A level-1 entry for the township does not beat a level-2 entry valid anywhere: category first.
    assert _lead("城乡建设/住房保障", "150825") == "不动产中心"
    # Only level-1 entries for 城市建设: the township's one in the township, the general one elsewhere.
    assert _lead("城乡建设/城市建设/道路", TOWNSHIP + "001") == "市场监管局"
    assert _lead("城乡建设/城市建设", "150824200") == "住建局"
    # A category no entry covers.
    assert directory.directory_lookup("环境保护/水污染/河道污染", TOWNSHIP) is None
    assert directory.directory_lookup("", TOWNSHIP) is None


@pytest.mark.django_db
def test_a_level_3_entry_beats_everything_above_it(setup: Setup, entries: dict[str, DirectoryEntry]) -> None:
    _entry(setup, setup.property, setup.org.wjw)
    assert _lead("城乡建设/住房保障/物业管理", TOWNSHIP) == "卫健委"
    assert _lead("城乡建设/住房保障", TOWNSHIP) == "海流图镇"  # a parent is not covered by a child's entry


@pytest.mark.django_db
def test_lookup_takes_a_node_or_a_path_and_returns_the_co_handlers(
    setup: Setup, entries: dict[str, DirectoryEntry]
) -> None:
    match = directory.directory_lookup(setup.property, "150825")
    assert match is not None
    assert match.entry == entries["housing"]
    assert match.category_path == "城乡建设/住房保障"
    assert match.division_code == ""
    assert [d.name for d in match.co_handlers] == sorted(
        ["自然资源局", "住建局"], key=lambda name: Department.objects.get(name=name).path
    )


@pytest.mark.django_db
def test_stopped_entries_and_closed_lead_departments_are_passed_over(
    setup: Setup, entries: dict[str, DirectoryEntry]
) -> None:
    directory.directory_entry_deactivate(actor=setup.office, entry=entries["housing_township"])
    assert _lead("城乡建设/住房保障", TOWNSHIP) == "自然资源局"

    Department.objects.filter(pk=setup.org.zrzy.pk).update(is_active=False)
    assert _lead("城乡建设/住房保障", TOWNSHIP) == "不动产中心"
    match = directory.directory_lookup("城乡建设/住房保障", TOWNSHIP)
    assert match is not None
    assert [d.name for d in match.co_handlers] == ["住建局"]  # the closed co-handler is left out


@pytest.mark.django_db
def test_many_lookups_take_two_queries(
    setup: Setup, entries: dict[str, DirectoryEntry], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        found = directory.directory_lookup_many(
            ["城乡建设/住房保障/物业管理", "城乡建设/城市建设", "环境保护"], TOWNSHIP
        )
    assert {path: m.lead.name if m else None for path, m in found.items()} == {
        "城乡建设/住房保障/物业管理": "海流图镇",
        "城乡建设/城市建设": "市场监管局",
        "环境保护": None,
    }


# ——— the office's edits ———


@pytest.mark.django_db
def test_create_is_audited_and_refuses_a_second_entry_for_the_same_place(setup: Setup) -> None:
    entry = _entry(
        setup, setup.housing, setup.org.bdc, "150824", basis="不动产登记职责清单", co_handlers=[setup.org.zjj]
    )
    event = AuditEvent.objects.get(action="hotline.directory_created")
    assert event.object_id == str(entry.pk)
    assert event.data["category"] == "城乡建设/住房保障"
    assert event.data["division_code"] == "150824"
    assert event.data["co_handlers"] == [setup.org.zjj.pk]

    with pytest.raises(ConflictError) as caught:
        _entry(setup, setup.housing, setup.org.zjj, "150824")
    assert caught.value.code == "directory_duplicate"
    assert caught.value.extra == {"entry_id": entry.pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("division", "field"),
    [("1508", None), ("15082", "division_code"), ("990824", "division_code"), ("15082410a", "division_code")],
)
def test_division_codes_are_empty_or_gb_t_2260_prefixes(
    setup: Setup, division: str, field: str | None
) -> None:
    if field is None:
        assert _entry(setup, setup.top, setup.org.zjj, division).division_code == division
        return
    with pytest.raises(ApplicationError) as caught:
        _entry(setup, setup.top, setup.org.zjj, division)
    assert field in caught.value.fields


@pytest.mark.django_db
def test_the_lead_is_not_also_a_co_handler_and_only_the_office_edits(setup: Setup) -> None:
    org = setup.org
    with pytest.raises(ApplicationError) as caught:
        _entry(setup, setup.top, org.zjj, co_handlers=[org.zjj])
    assert "co_handlers" in caught.value.fields
    with pytest.raises(PermissionDeniedError):
        directory.directory_entry_create(actor=org.user("handler"), category=setup.top, lead=org.zjj)
    with pytest.raises(PermissionDeniedError):
        directory.directory_entry_create(actor=org.user("reviewer"), category=setup.top, lead=org.zjj)
    assert not DirectoryEntry.objects.exists()
    # The admin holds every capability.
    assert directory.directory_entry_create(actor=org.user("admin"), category=setup.top, lead=org.zjj).pk


@pytest.mark.django_db
def test_update_records_what_changed_and_deactivate_activate_round_trip(setup: Setup) -> None:
    org = setup.org
    entry = _entry(setup, setup.housing, org.bdc, co_handlers=[org.zrzy])

    directory.directory_entry_update(
        actor=setup.office,
        entry=entry,
        category=setup.housing,
        lead=org.zjj,
        co_handlers=[org.bdc],
        basis="调整",
    )
    entry.refresh_from_db()
    assert entry.lead == org.zjj
    assert list(entry.co_handlers.all()) == [org.bdc]
    event = AuditEvent.objects.get(action="hotline.directory_updated")
    assert event.data["before"] == {
        "lead": "不动产中心",
        "lead_id": org.bdc.pk,
        "co_handlers": [org.zrzy.pk],
        "basis": "",
    }
    assert event.data["after"]["lead"] == "住建局"

    directory.directory_entry_deactivate(actor=setup.office, entry=entry, reason="职责划转")
    with pytest.raises(ConflictError):
        directory.directory_entry_deactivate(actor=setup.office, entry=entry)
    assert directory.directory_lookup(setup.housing) is None
    directory.directory_entry_activate(actor=setup.office, entry=entry)
    assert _lead("城乡建设/住房保障") == "住建局"
    assert AuditEvent.objects.get(action="hotline.directory_deactivated").data["reason"] == "职责划转"


@pytest.mark.django_db
def test_moving_an_entry_onto_another_one_is_a_conflict(setup: Setup) -> None:
    _entry(setup, setup.housing, setup.org.bdc)
    other = _entry(setup, setup.city, setup.org.zjj)
    with pytest.raises(ConflictError):
        directory.directory_entry_update(
            actor=setup.office, entry=other, category=setup.housing, lead=setup.org.zjj
        )


@pytest.mark.django_db
def test_the_list_filters_by_category_subtree_division_and_state(
    setup: Setup, entries: dict[str, DirectoryEntry]
) -> None:
    directory.directory_entry_deactivate(actor=setup.office, entry=entries["top_township"])
    housing = directory.directory_entries(category=setup.housing)
    assert {e.pk for e in housing} == {
        entries[k].pk for k in ("housing", "housing_county", "housing_township")
    }
    assert [e.pk for e in directory.directory_entries(division_code="*")] == [
        entries["top"].pk,
        entries["housing"].pk,
    ]
    assert [e.pk for e in directory.directory_entries(division_code=TOWNSHIP)] == [
        entries["housing_township"].pk
    ]
    everything = directory.directory_entries(division_code=TOWNSHIP, include_inactive=True)
    assert {e.pk for e in everything} == {entries["top_township"].pk, entries["housing_township"].pk}


# ——— screens ———


@pytest.mark.django_db
def test_the_office_lists_adds_and_stops_entries_on_screen(
    setup: Setup, entries: dict[str, DirectoryEntry], client_for: Any
) -> None:
    client: Client = client_for("operator")
    page = client.get(reverse("hotline:directory_list"), {"category": setup.housing.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<tr data-entry=") == 3
    assert "海流图镇" in html and "全域" in html

    looked_up = client.get(
        reverse("hotline:directory_list"),
        {"lookup-path": "城乡建设/住房保障/物业管理", "lookup-place": TOWNSHIP},
    )
    assert "派给 <strong>海流图镇</strong>" in looked_up.content.decode()

    response = client.post(
        reverse("hotline:directory_new"),
        {
            "category": setup.property.pk,
            "division_code": "",
            "lead": setup.org.wjw.pk,
            "co_handlers": [setup.org.zjj.pk],
        },
    )
    assert response.status_code == 302
    created = DirectoryEntry.objects.get(category=setup.property)
    assert (created.lead, list(created.co_handlers.all())) == (setup.org.wjw, [setup.org.zjj])

    again = client.post(
        reverse("hotline:directory_new"), {"category": setup.property.pk, "lead": setup.org.zjj.pk}
    )
    assert again.status_code == 409
    assert "已有派单目录条目" in again.content.decode()

    stop = client.post(
        reverse("hotline:directory_deactivate", args=[created.pk]), {"next": "https://evil.example/"}
    )
    assert stop.status_code == 302
    assert stop["Location"] == reverse("hotline:directory_list")
    created.refresh_from_db()
    assert created.is_active is False

    edit = client.get(reverse("hotline:directory_edit", args=[created.pk]))
    assert edit.status_code == 200
    assert "该条目已停用" in edit.content.decode()


@pytest.mark.django_db
def test_screens_need_hotline_dispatch(
    setup: Setup, entries: dict[str, DirectoryEntry], client_for: Any
) -> None:
    for key in ("handler", "clerk"):
        client = client_for(key)
        assert client.get(reverse("hotline:directory_list")).status_code == 403
        response = client.post(reverse("hotline:directory_deactivate", args=[entries["top"].pk]))
        assert response.status_code == 403
    entries["top"].refresh_from_db()
    assert entries["top"].is_active


# ——— API ———


@pytest.mark.django_db
def test_api_lists_creates_and_looks_up(
    setup: Setup, entries: dict[str, DirectoryEntry], client_for: Any
) -> None:
    client = client_for("operator")
    listed = client.get("/api/v1/hotline/directory", {"category": setup.housing.pk})
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 3
    assert {e["lead"]["name"] for e in body["entries"]} == {"不动产中心", "自然资源局", "海流图镇"}

    created = client.post(
        "/api/v1/hotline/directory",
        {
            "category_path": "城乡建设/住房保障/物业管理",
            "lead": setup.org.wjw.pk,
            "co_handlers": [setup.org.zjj.pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["category_path"] == "城乡建设/住房保障/物业管理"
    assert created.json()["co_handlers"][0]["name"] == "住建局"

    found = client.get(
        "/api/v1/hotline/directory/lookup",
        {"category_path": "城乡建设/住房保障/物业管理", "division_code": TOWNSHIP},
    )
    assert found.status_code == 200
    assert found.json()["lead"]["name"] == "卫健委"
    missing = client.get("/api/v1/hotline/directory/lookup", {"category_path": "环境保护"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "no_entry"

    entry_id = created.json()["id"]
    stopped = client.post(
        f"/api/v1/hotline/directory/{entry_id}/deactivate",
        {"reason": "测试"},
        content_type="application/json",
    )
    assert stopped.status_code == 200
    assert stopped.json()["is_active"] is False


@pytest.mark.django_db
def test_api_errors_take_the_platform_shape(
    setup: Setup, entries: dict[str, DirectoryEntry], client_for: Any
) -> None:
    office = client_for("operator")
    duplicate = office.post(
        "/api/v1/hotline/directory",
        {"category": setup.top.pk, "lead": setup.org.wjw.pk},
        content_type="application/json",
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "directory_duplicate"
    bad = office.post(
        "/api/v1/hotline/directory",
        {"category": setup.city.pk, "lead": setup.org.wjw.pk, "division_code": "123"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "division_code" in bad.json()["error"]["fields"]

    handler = client_for("handler")  # reads (hotline.view) but may not edit
    assert handler.get("/api/v1/hotline/directory").status_code == 200
    refused = handler.post(
        "/api/v1/hotline/directory",
        {"category": setup.city.pk, "lead": setup.org.wjw.pk},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert client_for("clerk").get("/api/v1/hotline/directory").status_code == 403
