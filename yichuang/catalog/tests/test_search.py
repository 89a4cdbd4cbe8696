"""Catalog search: the index, ranking on a fixed set of queries, paging, filters, bad input, the API
and the portal and workbench screens. Runs alike on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from yichuang.accounts.tests.factories import DepartmentFactory
from yichuang.catalog import search, services
from yichuang.catalog.models import SearchEntry, SearchSynonym, ServiceItem
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

SEARCH_API = "/api/v1/catalog/search"


def _text(name: str, keywords: str, summary: str, result: str = "", **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "keywords": keywords,
        "plain_summary": summary,
        "acceptance_conditions": f"申请人符合{name}的法定条件。",
        "legal_basis": "《国务院关于加快推进政务服务标准化规范化便利化的指导意见》",
        "result_name": result,
        "result_type": "30",
        "result_licence_type_code": "",
        **more,
    }


@dataclass
class Catalog:
    org: Any
    police: Any
    hrss: Any
    water: Any
    medical: Any
    items: dict[str, ServiceItem]

    def __getitem__(self, name: str) -> ServiceItem:
        return self.items[name]


@pytest.fixture
def catalog(org: Any) -> Catalog:
    admin = org.user("admin")
    police = DepartmentFactory(name="公安局", parent=org.gov)
    hrss = DepartmentFactory(name="人力资源和社会保障局", short_name="人社局", parent=org.gov)
    water = DepartmentFactory(name="自来水公司", kind="enterprise", parent=org.gov)
    medical = DepartmentFactory(name="医疗保障局", short_name="医保局", parent=org.gov)
    specs: list[tuple[Any, dict[str, Any]]] = [
        (
            org.scjg,
            _text(
                "食品经营许可（新办）",
                "开饭店 开餐馆 小吃店 餐饮",
                "开饭店、小吃店、超市卖食品，先办这个证。",
                "食品经营许可证",
            ),
        ),
        (
            org.scjg,
            _text("食品经营许可（变更）", "经营项目变更 餐饮", "已有许可证，经营项目或地址变了办这个。"),
        ),
        (
            org.scjg,
            _text("企业设立登记", "开公司 办执照 营业执照", "新开公司领营业执照。", "营业执照"),
        ),
        (
            org.scjg,
            _text("个体工商户设立登记", "个体户 开店", "开个体小店领营业执照。", "营业执照"),
        ),
        (org.scjg, _text("企业注销登记", "注销公司 关公司", "公司不干了，办注销。")),
        (
            org.wjw,
            _text("出生医学证明首次签发", "生孩子 出生证", "孩子出生后领出生医学证明。", "出生医学证明"),
        ),
        (org.wjw, _text("公共场所卫生许可", "开理发店 开宾馆", "理发店、宾馆开业前办理。")),
        (police, _text("出生户口登记", "上户口 新生儿落户", "孩子出生后上户口。")),
        (police, _text("居民身份证换领", "换身份证 身份证到期", "身份证到期了来换。", "居民身份证")),
        (org.bdc, _text("不动产转移登记", "二手房 房屋过户", "房子买卖、赠与、继承后过户。")),
        (org.bdc, _text("不动产抵押登记", "房屋抵押 贷款", "用房子抵押贷款时办理。")),
        (hrss, _text("城镇职工养老保险待遇申领", "退休 领养老金", "到了退休年龄，申请按月领养老金。")),
        (water, _text("供水报装", "装水 接自来水 管网接入", "新房子接自来水。")),
        (medical, _text("医疗保险费用报销", "看病报销 医药费", "看病自己垫付的钱，来这里报销。")),
        (org.zjj, _text("建筑工程施工许可", "盖房子 开工", "盖楼开工前办理施工许可。")),
    ]
    items = {}
    for number, (department, overrides) in enumerate(specs, start=1):
        item = publish_item(actor=admin, department=department, basic_code=f"TEST{number:08d}", **overrides)
        items[item.name] = item
    return Catalog(org=org, police=police, hrss=hrss, water=water, medical=medical, items=items)


def names(query: str, **kwargs: Any) -> list[str]:
    return [item.name for item in search.search_items(query=query, **kwargs).hits]


# ——— segmentation and synonyms ———


def test_domain_words_stay_whole_and_noise_is_dropped() -> None:
    terms = search.search_terms("食品经营许可（新办）的 营业执照，出生医学证明")
    assert {"食品经营", "营业执照", "出生医学证明", "许可"} <= set(terms)
    assert "的" not in terms and "（" not in terms and "，" not in terms


def test_synonym_seed_has_the_common_ways_of_asking() -> None:
    seeded = dict(SearchSynonym.objects.values_list("phrase", "expansions"))
    assert len(seeded) >= 40
    assert "食品经营" in seeded["开饭店"]
    assert "转移登记" in seeded["过户"]
    assert "报装" in seeded["装水"]


# ——— ranking on a fixed set of queries ———


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("不动产转移登记", "不动产转移登记"),
        ("食品经营许可（新办）", "食品经营许可（新办）"),
        ("食品经营许可(新办)", "食品经营许可（新办）"),
        ("食品经营许可（变更）", "食品经营许可（变更）"),
        ("企业设立登记", "企业设立登记"),
        ("开饭店", "食品经营许可（新办）"),
        ("开餐馆", "食品经营许可（新办）"),
        ("买房过户", "不动产转移登记"),
        ("过户", "不动产转移登记"),
        ("开公司", "企业设立登记"),
        ("注销公司", "企业注销登记"),
        ("上户口", "出生户口登记"),
        ("身份证", "居民身份证换领"),
        ("退休", "城镇职工养老保险待遇申领"),
        ("装水", "供水报装"),
        ("看病报销", "医疗保险费用报销"),
        ("盖房子", "建筑工程施工许可"),
        ("抵押", "不动产抵押登记"),
    ],
)
def test_fixed_queries_rank_the_expected_item_first(catalog: Catalog, query: str, first: str) -> None:
    found = names(query)
    assert found, f"{query} found nothing"
    assert found[0] == first, f"{query}: {found}"


def test_exact_name_beats_names_that_contain_it(catalog: Catalog) -> None:
    admin = catalog.org.user("admin")
    publish_item(
        actor=admin,
        department=catalog.org.scjg,
        basic_code="TEST00000099",
        **_text("食品经营许可", "食品经营 许可", "食品经营许可的总称。"),
    )
    found = names("食品经营许可")
    assert found[0] == "食品经营许可"
    # Then the names that contain the whole query, before anything that only shares words with it.
    assert set(found[1:3]) == {"食品经营许可（新办）", "食品经营许可（变更）"}


def test_exact_name_is_found_even_when_its_words_are_not_indexed(catalog: Catalog) -> None:
    item = catalog["供水报装"]
    SearchEntry.objects.filter(item=item).delete()
    assert names("供水报装")[0] == "供水报装"
    assert search.search_items(query="供水报装").total >= 1


def test_implementation_code_finds_the_item(catalog: Catalog) -> None:
    item = ServiceItem.objects.get(pk=catalog["居民身份证换领"].pk)
    assert item.implementation_code
    assert names(item.implementation_code) == ["居民身份证换领"]
    assert names(item.implementation_code.lower()) == ["居民身份证换领"]


def test_birth_finds_both_the_certificate_and_the_household_registration(catalog: Catalog) -> None:
    assert set(names("生孩子")[:2]) == {"出生医学证明首次签发", "出生户口登记"}


def test_people_words_are_reported_as_expansions(catalog: Catalog) -> None:
    results = search.search_items(query="开饭店")
    assert "食品经营" in results.expansions
    assert "饭店" in results.terms


def test_common_words_only_reorder_the_candidates_of_rarer_ones(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 不动产 is in 2 items, 登记 in 7: with room to read 6 postings only 不动产's words are scanned.
    monkeypatch.setattr(search, "SCAN_BUDGET", 6)
    found = names("不动产 登记")
    assert set(found) == {"不动产转移登记", "不动产抵押登记"}


def test_a_broad_query_scores_a_sample_but_counts_everything(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = search.search_items(query="登记")
    monkeypatch.setattr(search, "SCAN_BUDGET", 3)
    monkeypatch.setattr(search, "BROAD_SCAN", 4)
    broad = search.search_items(query="登记")
    assert broad.total == everything.total >= 5
    assert 1 <= len(broad.hits) <= 4
    assert {i.pk for i in broad.hits} <= {i.pk for i in everything.hits}


# ——— filters, paging, index maintenance ———


def test_department_filter(catalog: Catalog) -> None:
    assert set(names("登记", department_id=catalog.org.bdc.pk)) == {"不动产转移登记", "不动产抵押登记"}
    everywhere = names("登记")
    assert "企业设立登记" in everywhere and "出生户口登记" in everywhere
    assert "不动产转移登记" not in names("不动产转移登记", department_id=catalog.org.scjg.pk)


def test_paging_is_stable_and_total_counts_all(catalog: Catalog) -> None:
    full = search.search_items(query="登记", limit=20)
    first = search.search_items(query="登记", limit=2, offset=0)
    second = search.search_items(query="登记", limit=2, offset=2)
    assert first.total == second.total == full.total >= 5
    assert [i.pk for i in first.hits + second.hits] == [i.pk for i in full.hits[:4]]
    assert first.has_next and not first.has_previous and second.has_previous
    beyond = search.search_items(query="登记", limit=5, offset=full.total)
    assert beyond.hits == [] and not beyond.has_next


def test_retired_items_leave_the_index(catalog: Catalog) -> None:
    admin = catalog.org.user("admin")
    item = catalog["不动产抵押登记"]
    assert "不动产抵押登记" in names("抵押")
    request = services.change_request_propose_retire(actor=admin, item=item, reason="职能划转")
    services.change_request_approve(actor=admin, change_request=request)
    assert not SearchEntry.objects.filter(item=item).exists()
    assert "不动产抵押登记" not in names("抵押")
    assert "不动产抵押登记" not in names("不动产抵押登记")


def test_an_edit_of_the_keywords_changes_the_results(catalog: Catalog) -> None:
    admin = catalog.org.user("admin")
    item = catalog["供水报装"]
    assert names("水表") == []
    assert names("管网") == ["供水报装"]
    request = services.change_request_propose_edit(
        actor=admin, item=item, elements={"keywords": "装水 水表开户"}, reason="按群众说法调整"
    )
    services.change_request_approve(actor=admin, change_request=request)
    assert names("水表")[0] == "供水报装"
    assert names("管网") == []


def test_rebuild_all_gives_the_same_postings_as_publication(catalog: Catalog) -> None:
    before = set(SearchEntry.objects.values_list("term", "item_id", "weight"))
    SearchEntry.objects.all().delete()
    items, postings = search.search_rebuild_all(batch_size=4)
    assert items == len(catalog.items)
    assert postings == len(before)
    assert set(SearchEntry.objects.values_list("term", "item_id", "weight")) == before


def test_rebuild_all_drops_postings_of_items_that_are_not_indexable(catalog: Catalog) -> None:
    main = publish_item(
        actor=catalog.org.user("admin"),
        department=catalog.org.scjg,
        basic_code="MAIN00000001",
        kind="main",
        **_text("食品经营许可主项", "主项", "主项不直接办理。"),
    )
    assert not SearchEntry.objects.filter(item=main).exists()
    SearchEntry.objects.create(term="孤儿", item=main, weight=1)
    search.search_rebuild_all()
    assert not SearchEntry.objects.filter(item=main).exists()


def test_parent_names_are_indexed_for_handling_items(org: Any) -> None:
    admin = org.user("admin")
    main = publish_item(
        actor=admin,
        department=org.scjg,
        basic_code="MAIN00000002",
        kind="main",
        **_text("特种设备使用登记", "电梯", "电梯锅炉使用前登记。"),
    )
    child = publish_item(
        actor=admin,
        department=org.scjg,
        basic_code="MAIN00000003",
        parent=main,
        **_text("电梯使用登记（新装）", "新装电梯", "新装电梯投用前办理。"),
    )
    assert SearchEntry.objects.filter(item=child, term="特种设备").exists()
    assert names("特种设备") == ["电梯使用登记（新装）"]


def test_search_reindex_command(catalog: Catalog) -> None:
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("search_reindex", "--batch-size", "5", stdout=out)
    assert "15" in out.getvalue()
    assert names("开饭店")[0] == "食品经营许可（新办）"


# ——— bad input, no hits, query count ———


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "？！，。", "的"])
def test_empty_or_meaningless_query_gives_no_results(catalog: Catalog, query: str) -> None:
    results = search.search_items(query=query)
    assert results.total == 0 and results.hits == []


def test_too_long_query_is_a_clear_error(catalog: Catalog) -> None:
    with pytest.raises(ApplicationError) as raised:
        search.search_items(query="开饭店" * 40)
    assert raised.value.code == "query_too_long"
    assert "100" in raised.value.message


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (-1, 0), (20, -1), (20, 10**6)])
def test_bad_paging_is_a_clear_error(catalog: Catalog, limit: int, offset: int) -> None:
    with pytest.raises(ApplicationError):
        search.search_items(query="登记", limit=limit, offset=offset)


def test_no_hit_offers_suggestions(catalog: Catalog) -> None:
    results = search.search_items(query="火星移民")
    assert results.total == 0 and results.hits == []
    assert results.suggestions
    # Suggestions are ways of asking that do find something.
    assert any(names(suggestion) for suggestion in results.suggestions)


def test_search_runs_in_a_bounded_number_of_queries(
    catalog: Catalog, django_assert_max_num_queries: Any
) -> None:
    search.search_items(query="预热")  # synonyms and catalog size are cached afterwards
    for query in ("开饭店", "买房过户", "不动产转移登记", "登记"):
        with django_assert_max_num_queries(5):
            results = search.search_items(query=query, limit=20)
            for item in results.hits:
                assert item.department.name and item.current_version is not None
                assert item.current_version.promised_days >= 0


# ——— API ———


def test_api_search_is_public_and_ranked(catalog: Catalog) -> None:
    response = Client().get(SEARCH_API, {"q": "开饭店"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["query"] == "开饭店"
    assert body["total"] >= 1
    first = body["items"][0]
    assert first["name"] == "食品经营许可（新办）"
    assert first["department"]["name"] == "市场监管局"
    assert first["item_type"] == "licensing" and first["case_kind"] == "2"
    assert first["promised_days"] == 5
    assert first["implementation_code"].endswith("TEST00000001")
    assert str(first["id"]) in first["guide_url"]


def test_api_department_filter_and_paging(catalog: Catalog) -> None:
    body = Client().get(SEARCH_API, {"q": "登记", "department_id": catalog.org.bdc.pk, "limit": 1}).json()
    assert body["total"] == 2 and len(body["items"]) == 1
    following = (
        Client()
        .get(SEARCH_API, {"q": "登记", "department_id": catalog.org.bdc.pk, "limit": 1, "offset": 1})
        .json()
    )
    assert following["items"][0]["id"] != body["items"][0]["id"]


def test_api_limit_is_capped_at_fifty(catalog: Catalog) -> None:
    body = Client().get(SEARCH_API, {"q": "登记", "limit": 500}).json()
    assert body["limit"] == 50


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": "开饭店" * 40}, 400, "query_too_long"),
        ({"q": "登记", "limit": 0}, 400, "invalid"),
        ({"q": "登记", "offset": -3}, 400, "invalid"),
        ({"q": "登记", "limit": "many"}, 422, "invalid"),
        ({"q": "登记", "department_id": "x"}, 422, "invalid"),
    ],
)
def test_api_bad_input_gives_the_error_shape(
    catalog: Catalog, params: dict[str, Any], status: int, code: str
) -> None:
    response = Client().get(SEARCH_API, params)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_api_empty_query_is_an_empty_result(catalog: Catalog) -> None:
    body = Client().get(SEARCH_API, {"q": "  "}).json()
    assert body["total"] == 0 and body["items"] == []


# ——— screens ———


def test_portal_search_page_for_anonymous_citizens(catalog: Catalog) -> None:
    response = Client().get("/search/", {"q": "开饭店"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "食品经营许可（新办）" in page
    assert "市场监管局" in page and "承诺件" in page and "5 个工作日" in page
    assert f"/guides/{catalog['食品经营许可（新办）'].pk}/" in page
    assert 'role="search"' in page and 'for="search-q"' in page


def test_portal_search_without_results_suggests_other_words(catalog: Catalog) -> None:
    page = Client().get("/search/", {"q": "火星移民"}).content.decode()
    assert "没有找到" in page and "试试" in page


def test_portal_search_shows_errors_not_500(catalog: Catalog) -> None:
    response = Client().get("/search/", {"q": "开饭店" * 40, "page": "abc"})
    assert response.status_code == 200
    assert "不能超过100个字" in response.content.decode()


def test_portal_search_pages(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from yichuang.catalog import views_search

    monkeypatch.setattr(views_search, "PAGE_SIZE", 2)
    page = Client().get("/search/", {"q": "登记", "page": 2}).content.decode()
    assert "上一页" in page and "下一页" in page and "page=3" in page


def test_workbench_search_needs_sign_in_and_catalog_view(catalog: Catalog, client_for: Any) -> None:
    assert Client().get("/catalog/search/").status_code == 302
    assert client_for("applicant").get("/catalog/search/", {"q": "登记"}).status_code == 403


def test_workbench_search_shows_codes_and_filters_by_department(catalog: Catalog, client_for: Any) -> None:
    clerk = client_for("clerk")
    item = ServiceItem.objects.get(pk=catalog["不动产转移登记"].pk)
    page = clerk.get("/catalog/search/", {"q": "登记", "department": catalog.org.bdc.pk}).content.decode()
    assert item.implementation_code in page
    assert "不动产抵押登记" in page and "企业设立登记" not in page
    assert "<select" in page and "不动产中心" in page


def test_workbench_live_results_are_a_fragment(catalog: Catalog, client_for: Any) -> None:
    response = client_for("clerk").get("/catalog/search/", {"q": "开饭店"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "食品经营许可（新办）" in page and "<html" not in page
