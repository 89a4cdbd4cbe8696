"""The dispatch classifier: what it learns from the real labelled messages, its versions in the database,
the suggestion with the directory's department, and the suggest API."""

from __future__ import annotations

import sys
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import Org
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent
from yichuang.core.shared_data import shared_data_file
from yichuang.hotline import classifier
from yichuang.hotline.directory import directory_entry_create
from yichuang.hotline.models import ClassifierSource, HotlineCategory, TrainedClassifier
from yichuang.hotline.taxonomy import taxonomy_import

URLS = "yichuang.hotline.tests.urls_dispatch"
pytestmark = pytest.mark.urls(URLS)  # the API (and the screens) wherever the project mounts them
LABELLED = shared_data_file("hotline", "messages_labelled.csv")
needs_file = pytest.mark.skipif(
    LABELLED is None, reason="shared data messages_labelled.csv not on this machine"
)

# A small made-up set: three matters with words of their own, eight messages each.
_MATTERS = {
    "城乡建设": [
        "小区物业不给维修电梯",
        "楼盘延期交房开发商不理",
        "老旧小区改造施工扰民",
        "小区停车位被物业乱收费",
    ],
    "环境保护": [
        "工厂夜间偷排污水河道发黑",
        "垃圾焚烧厂排放浓烟异味",
        "养殖场粪污直排污染水源",
        "企业排放废气刺鼻",
    ],
    "教育文体": ["学校违规收取补课费用", "孩子入学学位分配不公", "幼儿园老师体罚学生", "学校食堂饭菜质量差"],
}
_PLACES = ["A市A1区", "A市A3区"]


def _pairs(label_format: str = "{label}") -> list[tuple[str, str]]:
    return [
        (f"{place}{text}，请相关部门尽快处理。", label_format.format(label=label))
        for label, texts in _MATTERS.items()
        for text in texts
        for place in _PLACES
    ]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    classifier.classifier_forget()
    yield
    classifier.classifier_forget()


@pytest.fixture(scope="module")
def real_split() -> tuple[classifier.TextClassifier, list[tuple[str, str]]]:
    """Learn from 300 of the real messages (a fixed stratified sample) and keep 200 others to test on."""
    assert LABELLED is not None
    pairs = classifier.training_pairs_from_file(LABELLED)
    rest, train = classifier.split_stratified(pairs, test_share=300, seed=7)
    _, test = classifier.split_stratified(rest, test_share=200, seed=7)
    model = classifier.TextClassifier.fit([t for t, _ in train], [label for _, label in train], seed=7)
    return model, test


# ——— learning ———


@needs_file
def test_the_real_file_has_883_messages_in_7_level_1_classes() -> None:
    assert LABELLED is not None
    pairs = classifier.training_pairs_from_file(LABELLED)
    assert len(pairs) == 883
    counts = Counter(label for _, label in pairs)
    assert len(counts) == 7
    assert counts["城乡建设"] == 194
    assert all(text.strip() for text, _ in pairs)


@needs_file
def test_a_model_from_a_small_sample_predicts_held_out_messages_sensibly(real_split: Any) -> None:
    model, test = real_split
    result = classifier.evaluate(model, test)
    assert result.size == 200
    assert result.top1 >= 0.75  # measured 0.83; 7 classes, so chance is about 0.2
    assert result.top3 >= 0.93
    assert result.top3 >= result.top1
    # Every class is recognised at least sometimes (none is swallowed by the big ones).
    assert all(row["top3"] > 0 for row in result.per_class.values())


@needs_file
def test_top_3_confidences_are_ordered_and_sum_to_at_most_one(real_split: Any) -> None:
    model, test = real_split
    for text, _label in test[:40]:
        top = model.top(text)
        assert len(top) == 3
        confidences = [p.confidence for p in top]
        assert confidences == sorted(confidences, reverse=True)
        assert all(0.0 <= c <= 1.0 for c in confidences)
        assert sum(confidences) <= 1.0 + 1e-9
        assert len({p.label for p in top}) == 3
    school = model.top("孩子今年上小学，学区划片后学校说没有学位，教育局也不给解决")
    assert school[0].label == "教育文体"
    pension = model.top("退休职工的养老金多年没有调整，社保局说要等通知")
    assert pension[0].label == "劳动和社会保障"


def test_rare_labels_merge_into_their_parent_or_are_dropped() -> None:
    labels = (
        ["城乡建设/住房保障/物业管理"] * 5
        + ["城乡建设/住房保障/拆迁安置"] * 2  # too few: into 城乡建设/住房保障 (then 2 there: too few again)
        + ["城乡建设/城市建设/道路"] * 3  # too few: 城乡建设/城市建设 (3), then 城乡建设 (3 + 2 = 5)
        + ["环境保护/水污染"] * 2  # too few at level 2, and 2 at level 1: dropped
        + ["劳动和社会保障"] * 6
    )
    prepared, dropped = classifier.labels_prepare(labels, min_examples=5)
    assert Counter(prepared) == {
        "城乡建设/住房保障/物业管理": 5,
        "城乡建设": 5,
        "劳动和社会保障": 6,
        None: 2,
    }
    assert dropped == {"环境保护": 2}
    cut, _ = classifier.labels_prepare(["城乡建设/住房保障/物业管理"] * 5, max_level=1)
    assert set(cut) == {"城乡建设"}


def test_fit_keeps_a_holdout_and_reports_its_accuracy() -> None:
    result = classifier.classifier_fit(_pairs(), min_examples=3)
    assert result.training_size == 24
    assert result.holdout_size == 5  # 20 %, rounded up
    assert result.accuracy is not None and result.top3_accuracy == 1.0  # three classes: all in the top 3
    assert result.classes == {"城乡建设": 8, "教育文体": 8, "环境保护": 8}
    assert result.model.top("河道里全是工厂排的污水")[0].label == "环境保护"


def test_too_little_data_is_an_error_in_our_words() -> None:
    with pytest.raises(ApplicationError) as caught:
        classifier.classifier_fit([("小区物业", "城乡建设")] * 6)
    assert caught.value.code == "classifier_data"


# ——— versions in the database ———


@pytest.mark.django_db
def test_a_trained_version_round_trips_through_the_database(org: Org) -> None:
    office = org.user("operator")
    row = classifier.classifier_train(
        pairs=_pairs(), source=ClassifierSource.FILE, source_label="测试", actor=office, min_examples=3
    )
    assert (row.version, row.is_active, row.trained_by) == (1, True, office)
    assert row.model_bytes == len(bytes(row.model)) > 0
    stored = TrainedClassifier.objects.get(pk=row.pk)
    loaded = classifier.TextClassifier.loads(stored.model)
    fitted = classifier.classifier_fit(_pairs(), min_examples=3).model  # same data, same seed
    text = "学校食堂的饭菜太差，孩子吃不饱"
    assert [(p.label, round(p.confidence, 6)) for p in loaded.top(text)] == [
        (p.label, round(p.confidence, 6)) for p in fitted.top(text)
    ]
    event = AuditEvent.objects.get(action="hotline.classifier_trained")
    assert event.data["version"] == 1 and event.data["training_size"] == 24


def test_an_unreadable_model_is_an_error_in_our_words() -> None:
    with pytest.raises(ApplicationError) as caught:
        classifier.TextClassifier.loads(b"not a model")
    assert caught.value.code == "classifier_unreadable"


@pytest.mark.django_db
def test_suggest_follows_the_active_version(org: Org) -> None:
    office = org.user("operator")
    first = classifier.classifier_train(pairs=_pairs(), source="file", actor=office, min_examples=3)
    assert classifier.suggest("小区电梯坏了物业不修").version == 1
    # A newer version, learnt with other labels: the next suggestion uses it without a restart.
    second = classifier.classifier_train(
        pairs=_pairs("{label}/其他"), source="tickets", actor=office, min_examples=3
    )
    first.refresh_from_db()
    assert (first.is_active, second.is_active, second.version) == (False, True, 2)
    suggestion = classifier.suggest("小区电梯坏了物业不修")
    assert suggestion.version == 2
    assert suggestion.categories[0].label == "城乡建设/其他"
    # Going back to the first version.
    classifier.classifier_activate(actor=office, classifier=first)
    assert classifier.suggest("小区电梯坏了物业不修").categories[0].label == "城乡建设"
    with pytest.raises(ConflictError):
        classifier.classifier_activate(actor=office, classifier=first)
    with pytest.raises(PermissionDeniedError):
        classifier.classifier_activate(actor=org.user("handler"), classifier=second)


@pytest.mark.django_db
def test_the_loaded_model_is_kept_between_suggestions(org: Org, django_assert_num_queries: Any) -> None:
    taxonomy_import(rows=[("环境保护", "", "")])
    directory_entry_create(
        actor=org.user("operator"),
        category=HotlineCategory.objects.get(),
        lead=org.zrzy,
        co_handlers=[org.wjw],
    )
    classifier.classifier_train(pairs=_pairs(), source="file", min_examples=3)
    classifier.suggest("垃圾焚烧厂冒黑烟")  # loads it
    # Then one query checks the version, one finds the category nodes, two read the directory (entries,
    # co-handlers).
    with django_assert_num_queries(4):
        classifier.suggest("垃圾焚烧厂冒黑烟")


@pytest.mark.django_db
def test_suggest_names_the_directory_s_department(org: Org) -> None:
    taxonomy_import(rows=[("环境保护", "水污染", "河道污染"), ("城乡建设", "住房保障", "物业管理")])
    directory_entry_create(
        actor=org.user("operator"),
        category=HotlineCategory.objects.get(path="环境保护"),
        lead=org.zrzy,
        co_handlers=[org.wjw],
    )
    classifier.classifier_train(pairs=_pairs(), source="file", min_examples=3)

    suggestion = classifier.suggest("工厂往河里偷排污水，河道又黑又臭", "150824")

    top = suggestion.categories[0]
    assert top.label == "环境保护"
    assert top.category == HotlineCategory.objects.get(path="环境保护")
    assert suggestion.department is not None
    assert suggestion.department.lead == org.zrzy
    assert list(suggestion.department.co_handlers) == [org.wjw]
    # 教育文体 is not in the classification here: no node, no department.
    other = next(item for item in suggestion.categories if item.label == "教育文体")
    assert other.category is None and other.match is None


@pytest.mark.django_db
def test_suggest_refuses_empty_text_and_says_when_there_is_no_model() -> None:
    with pytest.raises(ApplicationError) as empty:
        classifier.suggest("  \n ")
    assert empty.value.code == "empty_text"
    with pytest.raises(ConflictError) as missing:
        classifier.suggest("小区物业不作为")
    assert missing.value.code == "classifier_missing"


@pytest.mark.django_db
def test_only_the_office_trains(org: Org) -> None:
    with pytest.raises(PermissionDeniedError):
        classifier.classifier_train(pairs=_pairs(), source="file", actor=org.user("handler"), min_examples=3)
    assert not TrainedClassifier.objects.exists()


# ——— training sources ———


def test_training_from_tickets_says_so_when_the_tickets_cannot_provide_pairs(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "yichuang.hotline.selectors_tickets", None)  # import fails
    with pytest.raises(ApplicationError) as caught:
        classifier.training_pairs_from_tickets()
    assert caught.value.code == "classifier_source"


@pytest.mark.django_db
def test_the_command_trains_from_the_closed_tickets(monkeypatch: Any) -> None:
    from yichuang.hotline import selectors_tickets

    monkeypatch.setattr(selectors_tickets, "training_pairs", lambda: iter(_pairs("{label}/投诉")))
    out = StringIO()
    call_command("hotline_train_classifier", "--from-tickets", stdout=out)
    row = TrainedClassifier.objects.get()
    # 8 messages per path, at least MIN_EXAMPLES: the level-2 paths are learnt as they are.
    assert set(row.classes) == {"城乡建设/投诉", "环境保护/投诉", "教育文体/投诉"}
    assert (row.source, row.source_label, row.is_active) == ("tickets", "已办结工单", True)
    assert "派单分类模型 v1（已启用）" in out.getvalue()


@pytest.mark.django_db
def test_the_command_trains_from_a_labelled_file(tmp_path: Path) -> None:
    path = tmp_path / "labelled.csv"
    lines = ["留言编号,留言主题,留言详情,一级标签"]
    lines += [f"{n},{text},{text}。,{label}" for n, (text, label) in enumerate(_pairs())]
    path.write_text("\n".join(lines), encoding="utf-8")
    out = StringIO()
    call_command(
        "hotline_train_classifier", "--from-file", str(path), "--level", "1", "--no-activate", stdout=out
    )
    row = TrainedClassifier.objects.get()
    assert (row.source, row.source_label, row.is_active, row.label_level) == (
        "file",
        "labelled.csv",
        False,
        1,
    )
    assert row.training_size == 24 and row.holdout_size == 5
    assert "（未启用）" in out.getvalue()
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("hotline_train_classifier", "--from-file", str(tmp_path / "nope.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("标题,内容\n一,二\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列"):
        call_command("hotline_train_classifier", "--from-file", str(bad))


# ——— the screen ———


@pytest.mark.django_db
def test_the_office_retrains_from_an_upload_and_tries_a_text(org: Org, client_for: Any) -> None:
    client = client_for("operator")
    page = client.get(reverse("hotline:classifier_list"))
    assert page.status_code == 200
    assert 'data-testid="no-model"' in page.content.decode()

    rows = ["留言主题,留言详情,一级标签"] + [f"{text},,{label}" for text, label in _pairs()]
    upload = SimpleUploadedFile("标注.csv", "\n".join(rows).encode("utf-8"), content_type="text/csv")
    response = client.post(
        reverse("hotline:classifier_train"),
        {"source": "file", "file": upload, "max_level": "3", "activate": "on"},
    )
    assert response.status_code == 302
    row = TrainedClassifier.objects.get()
    assert (row.is_active, row.source_label, row.trained_by) == (True, "标注.csv", org.user("operator"))

    listed = client.get(reverse("hotline:classifier_list")).content.decode()
    assert 'data-version="1"' in listed and "在用：v1" in listed

    tried = client.post(reverse("hotline:classifier_try"), {"text": "老师体罚学生，学校不管"})
    assert tried.status_code == 200
    assert "教育文体" in tried.content.decode().split('data-testid="suggestion"')[1][:200]

    missing_file = client.post(reverse("hotline:classifier_train"), {"source": "file", "max_level": "3"})
    assert missing_file.status_code == 400
    assert "请上传标注留言文件" in missing_file.content.decode()


@pytest.mark.django_db
def test_the_classifier_screen_needs_hotline_dispatch(org: Org, client_for: Any) -> None:
    assert client_for("handler").get(reverse("hotline:classifier_list")).status_code == 403
    assert (
        client_for("clerk").post(reverse("hotline:classifier_train"), {"source": "tickets"}).status_code
        == 403
    )


# ——— the suggest API ———


@pytest.mark.django_db
def test_the_suggest_api_answers_the_operator(org: Org, client_for: Any) -> None:
    taxonomy_import(rows=[("教育文体", "教育", "招生入学")])
    directory_entry_create(
        actor=org.user("operator"), category=HotlineCategory.objects.get(path="教育文体"), lead=org.wjw
    )
    classifier.classifier_train(pairs=_pairs(), source="file", min_examples=3)

    response = client_for("operator").post(
        "/api/v1/hotline/suggest",
        {"title": "入学", "content": "孩子入学学位分配不公，学校不给说法", "division_code": "150824"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model_version"] == 1
    labels = [item["label"] for item in body["categories"]]
    assert labels[0] == "教育文体" and len(labels) == 3
    confidences = [item["confidence"] for item in body["categories"]]
    assert confidences == sorted(confidences, reverse=True) and sum(confidences) <= 1
    assert body["categories"][0]["category_id"] == HotlineCategory.objects.get(path="教育文体").pk
    assert body["department"]["lead"]["name"] == "卫健委"
    assert body["categories"][0]["dispatch"] == body["department"]


@pytest.mark.django_db
def test_the_suggest_api_needs_intake_or_dispatch(org: Org, client_for: Any) -> None:
    classifier.classifier_train(pairs=_pairs(), source="file", min_examples=3)
    body = {"content": "小区物业乱收费"}
    for key in ("handler", "clerk", "applicant"):
        refused = client_for(key).post("/api/v1/hotline/suggest", body, content_type="application/json")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "permission_denied"
    assert (
        client_for("admin").post("/api/v1/hotline/suggest", body, content_type="application/json").status_code
        == 200
    )
    anonymous = client_for("operator")
    anonymous.logout()
    assert anonymous.post("/api/v1/hotline/suggest", body, content_type="application/json").status_code == 401


@pytest.mark.django_db
def test_the_suggest_api_gives_structured_errors(org: Org, client_for: Any) -> None:
    client = client_for("operator")
    no_model = client.post(
        "/api/v1/hotline/suggest", {"content": "小区物业乱收费"}, content_type="application/json"
    )
    assert no_model.status_code == 409
    assert no_model.json()["error"]["code"] == "classifier_missing"

    classifier.classifier_train(pairs=_pairs(), source="file", min_examples=3)
    empty = client.post(
        "/api/v1/hotline/suggest", {"title": " ", "content": "  "}, content_type="application/json"
    )
    assert empty.status_code == 400
    assert empty.json() == {
        "error": {
            "code": "empty_text",
            "message": "请填写诉求内容",
            "fields": {"content": ["请填写诉求内容"]},
        }
    }
    missing = client.post("/api/v1/hotline/suggest", {"title": "物业"}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"content": ["必填"]}


@pytest.mark.django_db
def test_the_versions_api(org: Org, client_for: Any) -> None:
    first = classifier.classifier_train(pairs=_pairs(), source="file", min_examples=3)
    classifier.classifier_train(pairs=_pairs(), source="file", min_examples=3)
    client = client_for("operator")
    listed = client.get("/api/v1/hotline/classifiers").json()
    assert [(v["version"], v["is_active"]) for v in listed] == [(2, True), (1, False)]
    assert listed[0]["training_size"] == 24 and listed[0]["holdout_size"] == 5
    switched = client.post(f"/api/v1/hotline/classifiers/{first.pk}/activate")
    assert switched.status_code == 200 and switched.json()["is_active"] is True
    assert client_for("handler").get("/api/v1/hotline/classifiers").status_code == 403
