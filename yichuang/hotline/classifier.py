"""The text classifier that suggests a ticket's category (and, through the dispatch directory, the
department) from what the caller said.

Model: TF-IDF over jieba words plus TF-IDF over single characters and character pairs (sublinear term
frequencies; pairs seen in at least two messages), fed to a linear SVM (``LinearSVC``, C=0.5) whose scores
are turned into probabilities by sigmoid calibration (``CalibratedClassifierCV``, 5 stratified folds). The
choice was measured by 5-fold cross-validation on the 883 labelled messages (``messages_labelled.csv``):

    words 1-gram + chars 1-2, LinearSVC + sigmoid   top-1 0.887   top-3 0.988   ← chosen
    words 1-2 + chars 1-3,    LinearSVC + sigmoid   top-1 0.877   top-3 0.986
    words 1-2 only,           LinearSVC + sigmoid   top-1 0.852   top-3 0.982
    words 1-2 + chars 1-3,    LinearSVC + isotonic  top-1 0.864 (one split)
    words 1-2 + chars 1-3,    LogisticRegression    top-1 0.849–0.867, 5–10× slower to train
    words 1-2 + chars 1-3,    ComplementNB          top-1 0.831

Characters matter because jieba splits the anonymised place names and officials' jargon inconsistently;
the calibrated probabilities are what the operator sees as the confidence.

Labels are category paths ("一级/二级/三级") or level-1 names: the labelled file has level-1 names, the
platform's closed tickets full paths. A label with fewer than ``MIN_EXAMPLES`` examples is merged into its
parent (a level-3 label into its level-2 one, and so on), and a level-1 label that still has too few is left
out of the training (reported as ``dropped``), so every class has enough examples to be learnt and
calibrated.

A training run keeps a stratified hold-out (20 %) to measure the accuracy it reports, then learns the same
recipe from all the examples; the result is a ``TrainedClassifier`` row (a new version, active at once
unless asked otherwise). ``suggest`` loads the active version once per process and reloads it when another
version becomes active (one indexed query per suggestion checks it).

The model is unpickled from the database: only rows written by ``classifier_train`` are ever loaded, and
uploaded training files are read as CSV text, never unpickled.
"""

from __future__ import annotations

import csv
import importlib
import io
import math
import re
import threading
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jieba
import joblib
import numpy as np
import sklearn
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError
from yichuang.core.permissions import require_capability
from yichuang.hotline.directory import DirectoryMatch, directory_lookup_many
from yichuang.hotline.models_classifier import ClassifierSource, TrainedClassifier
from yichuang.hotline.models_taxonomy import HotlineCategory

jieba.setLogLevel(60)

__all__ = [
    "ALGORITHM",
    "LABELLED_COLUMNS",
    "MIN_EXAMPLES",
    "Evaluation",
    "Prediction",
    "SuggestedCategory",
    "Suggestion",
    "TextClassifier",
    "TrainingResult",
    "classifier_activate",
    "classifier_fit",
    "classifier_forget",
    "classifier_text",
    "classifier_train",
    "evaluate",
    "labels_prepare",
    "normalise",
    "segment",
    "split_stratified",
    "suggest",
    "training_pairs_from_file",
    "training_pairs_from_tickets",
    "training_pairs_read",
]

ALGORITHM = "TF-IDF（jieba分词 + 单字/双字）· 线性SVM（C=0.5）· Sigmoid概率校准（5折）"
SEPARATOR = "/"
MIN_EXAMPLES = 5  # per class: fewer cannot be calibrated over 5 folds
CALIBRATION_FOLDS = 5
HOLDOUT_SHARE = 0.2
SEED = 12345
TEXT_LIMIT = 4000  # characters of a message the model reads (the first ones carry the matter)
TOP_K = 3
LABELLED_COLUMNS = ("留言主题", "留言详情", "一级标签")
SERIAL_FORMAT = 1
CAPABILITY = "hotline.dispatch"


# ——— text ———

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()
_PUNCTUATION = re.compile(r"^[\W_]+$")


def _jieba() -> Any:
    """The process's tokenizer: the dictionary loads once, under a lock, on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def normalise(text: str) -> str:
    """Full-width → half-width, lower case, at most ``TEXT_LIMIT`` characters."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()[:TEXT_LIMIT]


def segment(text: str) -> list[str]:
    """jieba words of ``text`` without whitespace and punctuation (the word features' tokenizer)."""
    return [word for word in _jieba().lcut(text) if word.strip() and not _PUNCTUATION.match(word)]


def classifier_text(title: str = "", content: str = "") -> str:
    """What the model reads of a message: its subject, then its body."""
    return "\n".join(part.strip() for part in (title or "", content or "") if part and part.strip())


# ——— the model ———


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


def _features() -> FeatureUnion:
    words = TfidfVectorizer(
        preprocessor=normalise, tokenizer=segment, token_pattern=None, lowercase=False, sublinear_tf=True
    )
    chars = TfidfVectorizer(
        preprocessor=normalise, analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True
    )
    return FeatureUnion([("words", words), ("chars", chars)])


class TextClassifier:
    """A fitted pipeline (features → calibrated linear SVM) and the top-k view the hotline needs."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.classes: list[str] = [str(label) for label in pipeline.classes_]

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], *, seed: int = SEED) -> TextClassifier:
        counts = Counter(labels)
        if len(counts) < 2:
            raise ApplicationError("训练数据至少需要两个类别", code="classifier_data")
        folds = min(CALIBRATION_FOLDS, min(counts.values()))
        if folds < 2:
            raise ApplicationError("每个类别至少需要两条训练样本", code="classifier_data")
        model = CalibratedClassifierCV(
            LinearSVC(C=0.5, random_state=seed),
            method="sigmoid",
            cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        )
        pipeline = Pipeline([("features", _features()), ("model", model)])
        pipeline.fit(list(texts), list(labels))
        for _name, vectorizer in pipeline.named_steps["features"].transformer_list:
            if hasattr(vectorizer, "stop_words_"):  # only for introspection; large when pickled
                del vectorizer.stop_words_
        return cls(pipeline)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(list(texts)))

    def top_many(self, texts: Sequence[str], k: int = TOP_K) -> list[list[Prediction]]:
        rows = self.probabilities(texts)
        result = []
        for row in rows:
            order = np.argsort(-row, kind="stable")[:k]
            result.append([Prediction(self.classes[i], float(row[i])) for i in order])
        return result

    def top(self, text: str, k: int = TOP_K) -> list[Prediction]:
        return self.top_many([text], k)[0]

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        payload = {"format": SERIAL_FORMAT, "sklearn": sklearn.__version__, "pipeline": self.pipeline}
        joblib.dump(payload, buffer, compress=3)
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes | memoryview) -> TextClassifier:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a version mismatch is checked below, in our words
                payload = joblib.load(io.BytesIO(bytes(data)))
            if payload.get("format") != SERIAL_FORMAT:
                raise ValueError(f"format {payload.get('format')}")
            pipeline = payload["pipeline"]
        except Exception as exc:
            raise ApplicationError(
                "分类模型无法加载，请重新训练", code="classifier_unreadable", extra={"reason": str(exc)[:200]}
            ) from exc
        trained_with = payload.get("sklearn")
        if trained_with != sklearn.__version__:
            raise ApplicationError(
                f"分类模型由 scikit-learn {trained_with} 训练，当前为 {sklearn.__version__}，请重新训练",
                code="classifier_unreadable",
            )
        return cls(pipeline)


# ——— data ———


def _truncate(label: str, max_level: int) -> str:
    parts = [part.strip() for part in label.split(SEPARATOR) if part.strip()]
    return SEPARATOR.join(parts[:max_level])


def labels_prepare(
    labels: Sequence[str], *, max_level: int = 3, min_examples: int = MIN_EXAMPLES
) -> tuple[list[str | None], dict[str, int]]:
    """Each label cut to ``max_level`` levels and merged into its parent while it has fewer than
    ``min_examples`` examples; None for the examples of level-1 labels that still have too few. Returns the
    new labels (same order) and the dropped labels with their counts."""
    current: list[str] = [_truncate(label, max_level) for label in labels]
    for depth in (3, 2):
        counts = Counter(current)
        current = [
            label.rsplit(SEPARATOR, 1)[0]
            if label.count(SEPARATOR) + 1 == depth and counts[label] < min_examples
            else label
            for label in current
        ]
    counts = Counter(current)
    dropped = {label: count for label, count in counts.items() if count < min_examples or not label}
    return [None if label in dropped else label for label in current], dropped


def split_stratified(
    pairs: Sequence[tuple[str, str]], *, test_share: float | int = HOLDOUT_SHARE, seed: int = SEED
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A fixed (seeded) split keeping each label's share in both parts; ``test_share`` a fraction or a
    number of examples."""
    labels = [label for _text, label in pairs]
    train, test = train_test_split(list(pairs), test_size=test_share, stratify=labels, random_state=seed)
    return list(train), list(test)


@dataclass
class Evaluation:
    size: int
    top1: float
    top3: float
    per_class: dict[str, dict[str, int]]  # label → {"support", "top1", "top3"}


def evaluate(model: TextClassifier, pairs: Sequence[tuple[str, str]]) -> Evaluation:
    per_class: dict[str, dict[str, int]] = {}
    predictions = model.top_many([text for text, _label in pairs], k=3)
    hits1 = hits3 = 0
    for (_text, label), top in zip(pairs, predictions, strict=True):
        row = per_class.setdefault(label, {"support": 0, "top1": 0, "top3": 0})
        row["support"] += 1
        if top and top[0].label == label:
            hits1 += 1
            row["top1"] += 1
        if any(p.label == label for p in top):
            hits3 += 1
            row["top3"] += 1
    size = len(pairs)
    return Evaluation(size, hits1 / size if size else 0.0, hits3 / size if size else 0.0, per_class)


@dataclass
class TrainingResult:
    model: TextClassifier
    classes: dict[str, int]
    dropped: dict[str, int]
    training_size: int
    holdout_size: int
    accuracy: float | None
    top3_accuracy: float | None
    seconds: float
    max_level: int
    holdout: Evaluation | None = field(default=None, repr=False)


def classifier_fit(
    pairs: Iterable[tuple[str, str]],
    *,
    max_level: int = 3,
    min_examples: int = MIN_EXAMPLES,
    holdout_share: float = HOLDOUT_SHARE,
    seed: int = SEED,
) -> TrainingResult:
    """Learn from ``(text, label)`` pairs (label: a category path or a level-1 name). Measures the accuracy
    on a stratified hold-out, then fits the final model on every example. No database."""
    started = time.perf_counter()
    texts, raw = [], []
    for text, label in pairs:
        if (text or "").strip() and (label or "").strip():
            texts.append(text)
            raw.append(label)
    prepared, dropped = labels_prepare(raw, max_level=max_level, min_examples=min_examples)
    kept = [(text, label) for text, label in zip(texts, prepared, strict=True) if label is not None]
    classes = Counter(label for _text, label in kept)
    if len(classes) < 2:
        raise ApplicationError(
            f"可用于训练的样本不足：至少需要两个类别、每类至少 {min_examples} 条（现有 {len(kept)} 条，"
            f"{len(classes)} 个类别）",
            code="classifier_data",
            extra={"dropped": dropped},
        )
    holdout_size = math.ceil(len(kept) * holdout_share) if holdout_share > 0 else 0
    holdout: Evaluation | None = None
    if holdout_size >= len(classes) and len(kept) - holdout_size >= 2 * len(classes):
        train, test = split_stratified(kept, test_share=holdout_size, seed=seed)
        trial = TextClassifier.fit([t for t, _ in train], [label for _, label in train], seed=seed)
        holdout = evaluate(trial, test)
    else:
        holdout_size = 0
    model = TextClassifier.fit([t for t, _ in kept], [label for _, label in kept], seed=seed)
    return TrainingResult(
        model=model,
        classes=dict(sorted(classes.items(), key=lambda item: (-item[1], item[0]))),
        dropped=dropped,
        training_size=len(kept),
        holdout_size=holdout_size,
        accuracy=holdout.top1 if holdout else None,
        top3_accuracy=holdout.top3 if holdout else None,
        seconds=time.perf_counter() - started,
        max_level=max_level,
        holdout=holdout,
    )


def training_pairs_read(handle: Iterable[str]) -> list[tuple[str, str]]:
    """(subject + body, 一级标签) of a labelled-messages CSV (columns 留言主题, 留言详情, 一级标签)."""
    reader = csv.DictReader(handle)
    missing = [column for column in LABELLED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ApplicationError(
            f"标注文件缺少列：{'、'.join(missing)}（应含 {','.join(LABELLED_COLUMNS)}）",
            code="classifier_file",
        )
    return [
        (
            classifier_text(row.get("留言主题") or "", row.get("留言详情") or ""),
            (row.get("一级标签") or "").strip(),
        )
        for row in reader
    ]


def training_pairs_from_file(path: Path | str) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return training_pairs_read(handle)


def training_pairs_from_tickets() -> Iterable[tuple[str, str]]:
    """(text, category path) of the platform's closed tickets, from the tickets' selectors."""
    try:
        selectors_tickets = importlib.import_module("yichuang.hotline.selectors_tickets")
    except ImportError as exc:
        raise ApplicationError(
            "工单模块尚未提供已办结工单的训练数据（yichuang.hotline.selectors_tickets）",
            code="classifier_source",
        ) from exc
    pairs = getattr(selectors_tickets, "training_pairs", None)
    if pairs is None:
        raise ApplicationError(
            "工单模块尚未提供已办结工单的训练数据（selectors_tickets.training_pairs）",
            code="classifier_source",
        )
    found: Iterable[tuple[str, str]] = pairs()
    return found


# ——— writes ———


@audited_atomic
def _classifier_save(
    *, result: TrainingResult, blob: bytes, source: str, source_label: str, actor: Any, activate: bool
) -> TrainedClassifier:
    current = list(TrainedClassifier.objects.select_for_update().filter(is_active=True).only("pk", "version"))
    version = (TrainedClassifier.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    if activate and current:
        TrainedClassifier.objects.filter(pk__in=[row.pk for row in current]).update(is_active=False)
    row = TrainedClassifier(
        version=version,
        trained_at=timezone.now(),
        trained_by=actor if getattr(actor, "pk", None) else None,
        source=source,
        source_label=source_label[:200],
        algorithm=ALGORITHM,
        label_level=result.max_level,
        training_size=result.training_size,
        holdout_size=result.holdout_size,
        accuracy=result.accuracy,
        top3_accuracy=result.top3_accuracy,
        training_seconds=round(result.seconds, 2),
        classes=result.classes,
        dropped=result.dropped,
        model=blob,
        model_bytes=len(blob),
        is_active=activate,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as exc:
        raise ConflictError("另一次训练刚刚完成，请刷新后重试", code="classifier_conflict") from exc
    audit_record(
        actor=actor,
        action="hotline.classifier_trained",
        obj=row,
        data={
            "version": version,
            "source": source,
            "source_label": row.source_label,
            "training_size": row.training_size,
            "holdout_size": row.holdout_size,
            "accuracy": row.accuracy,
            "top3_accuracy": row.top3_accuracy,
            "classes": len(result.classes),
            "dropped": result.dropped,
            "activated": activate,
            "replaced": [r.version for r in current] if activate else [],
        },
    )
    return row


def classifier_train(
    *,
    pairs: Iterable[tuple[str, str]],
    source: str,
    source_label: str = "",
    actor: Any = None,
    activate: bool = True,
    max_level: int = 3,
    min_examples: int = MIN_EXAMPLES,
    holdout_share: float = HOLDOUT_SHARE,
) -> TrainedClassifier:
    """Train a new version from ``(text, category path or level-1 name)`` pairs and keep it (active unless
    ``activate`` is False). ``actor`` None is the system (a management command). The training itself runs
    outside any transaction; only the new row and its audit event are written in one."""
    if actor is not None:
        require_capability(actor, CAPABILITY, "只有12345热线办公室可以训练派单分类模型")
    if source not in ClassifierSource.values:
        raise ApplicationError("未知的训练数据来源", code="invalid", fields={"source": ["未知来源"]})
    if max_level not in (1, 2, 3):
        raise ApplicationError("分类层级应为1至3", code="invalid", fields={"max_level": ["应为1至3"]})
    result = classifier_fit(
        pairs, max_level=max_level, min_examples=min_examples, holdout_share=holdout_share
    )
    blob = result.model.dumps()  # about a second: before the transaction, which then only writes
    return _classifier_save(
        result=result, blob=blob, source=source, source_label=source_label, actor=actor, activate=activate
    )


@audited_atomic
def classifier_activate(*, actor: Any, classifier: TrainedClassifier) -> TrainedClassifier:
    """Make ``classifier`` the version ``suggest`` uses (to go back to an earlier one, say)."""
    require_capability(actor, CAPABILITY, "只有12345热线办公室可以切换派单分类模型")
    row = TrainedClassifier.objects.select_for_update().filter(pk=classifier.pk).defer("model").first()
    if row is None:
        raise ApplicationError("未找到该模型版本", code="not_found")
    if row.is_active:
        raise ConflictError(f"v{row.version} 已在使用", code="classifier_active")
    TrainedClassifier.objects.select_for_update().filter(is_active=True).update(is_active=False)
    row.is_active = True
    row.save(update_fields=["is_active"])
    audit_record(actor=actor, action="hotline.classifier_activated", obj=row, data={"version": row.version})
    return row


# ——— suggestions ———


@dataclass(frozen=True)
class _Loaded:
    pk: int
    version: int
    model: TextClassifier


_loaded: _Loaded | None = None
_load_lock = threading.Lock()


def _active_model() -> _Loaded | None:
    """The active version, loaded at most once per process and version."""
    global _loaded
    active = TrainedClassifier.objects.filter(is_active=True).values_list("pk", "version").first()
    if active is None:
        return None
    cached = _loaded
    if cached is not None and cached.pk == active[0]:
        return cached
    with _load_lock:
        cached = _loaded
        if cached is not None and cached.pk == active[0]:
            return cached
        blob = TrainedClassifier.objects.filter(pk=active[0]).values_list("model", flat=True).first()
        if blob is None:  # replaced between the two reads: the next suggestion loads the new one
            return cached
        _loaded = _Loaded(pk=active[0], version=active[1], model=TextClassifier.loads(blob))
        return _loaded


def classifier_forget() -> None:
    """Drop the process's loaded model (tests; the next suggestion loads the active one again)."""
    global _loaded
    _loaded = None


@dataclass(frozen=True)
class SuggestedCategory:
    label: str  # the model's class: a category path or a level-1 name
    confidence: float
    category: HotlineCategory | None  # the node of that path, when the classification has it
    match: DirectoryMatch | None  # who the directory sends such a matter to


@dataclass(frozen=True)
class Suggestion:
    version: int
    categories: list[SuggestedCategory]

    @property
    def department(self) -> DirectoryMatch | None:
        """The department for the most likely category."""
        return self.categories[0].match if self.categories else None


def suggest(text: str, division_code: str = "", *, k: int = TOP_K) -> Suggestion:
    """The ``k`` most likely categories of ``text`` with their confidence (calibrated probabilities,
    highest first, summing to at most 1) and, for each, the department the directory names for it in
    ``division_code``."""
    if not normalise(text):
        raise ApplicationError("请填写诉求内容", code="empty_text", fields={"content": ["请填写诉求内容"]})
    loaded = _active_model()
    if loaded is None:
        raise ConflictError("尚未训练派单分类模型，请先在“派单分类模型”中训练", code="classifier_missing")
    predictions = loaded.model.top(text, k=k)
    labels = [p.label for p in predictions]
    nodes = {c.path: c for c in HotlineCategory.objects.filter(path__in=labels)}
    matches = directory_lookup_many(labels, division_code)
    return Suggestion(
        version=loaded.version,
        categories=[
            # rounded down, so the shown confidences never add up to more than 1
            SuggestedCategory(
                p.label, math.floor(p.confidence * 1e4) / 1e4, nodes.get(p.label), matches.get(p.label)
            )
            for p in predictions
        ],
    )
