"""Dispatch classifier accuracy and latency: ``python -m bench.dispatch [--test-share 0.25] [--seed 12345]``.

Accuracy (no database): the 883 labelled messages of ``messages_labelled.csv`` (/work/shared/data/hotline,
or ``--data``) are split once, stratified by label and seeded, into a training part and a test part. The
classifier of ``yichuang.hotline.classifier`` (the same recipe the platform trains) learns from the training
part; the bench prints top-1 and top-3 accuracy on the test part, each class's counts and hits, the training
time, and the latency of one suggestion (``TextClassifier.top``, one message at a time, after one unmeasured
warm-up) over every test message: p50/p95/max.

End to end (unless ``--skip-database``): a throwaway SQLite file is migrated, the classification imported
(``taxonomy.csv``), a directory entry made for each level-1 class, the model stored as the active version
through ``classifier_train`` (trained again on the same part), and ``classifier.suggest`` timed over the test
messages — the version check, the model, the category nodes and the directory lookup, as the API calls it.

Targets: top-1 ≥ 0.85 and p95 < 50 ms (both latencies). Exit status 0 when met, 1 when a target is missed or
a step failed, 2 when the labelled file is not on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.server import code_commit

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET_TOP1 = 0.85
TARGET_P95_MS = 50.0
DEFAULT_SEED = 12345


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="labelled messages CSV (default: the shared data file)")
    parser.add_argument("--test-share", type=float, default=0.25, help="share of messages tested on (0.25)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"split and model seed ({DEFAULT_SEED})"
    )
    parser.add_argument("--skip-database", action="store_true", help="only the in-process part (no SQLite)")
    args = parser.parse_args(argv)
    if not 0.05 <= args.test_share <= 0.5:
        parser.error("--test-share must be between 0.05 and 0.5")
    return args


def _percentile(values: list[float], share: float) -> float:
    """Nearest rank, as the other benches."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _timings(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_percentile(values, 0.50), 2),
        "p95_ms": round(_percentile(values, 0.95), 2),
        "max_ms": round(max(values, default=0.0), 2),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(PROJECT_DIR))
    workdir = tempfile.mkdtemp(prefix="bench_dispatch_")
    # Never the developer's database: the end-to-end part migrates this throwaway file.
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench_dispatch.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from yichuang.core.shared_data import shared_data_file
    from yichuang.hotline import classifier

    data = Path(args.data) if args.data else shared_data_file("hotline", "messages_labelled.csv")
    if data is None or not data.is_file():
        print("dispatch: messages_labelled.csv not found (shared data missing; pass --data)", file=sys.stderr)
        return 2
    pairs = classifier.training_pairs_from_file(data)
    train, test = classifier.split_stratified(pairs, test_share=args.test_share, seed=args.seed)
    print(
        f"dispatch · commit {code_commit()} · Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"{len(pairs)} messages: {len(train)} train / {len(test)} test (stratified, seed {args.seed})",
        flush=True,
    )
    print(f"model: {classifier.ALGORITHM}", flush=True)

    classifier.segment("预热分词词典")  # the jieba dictionary loads once per process: not training time
    started = time.perf_counter()
    model = classifier.TextClassifier.fit(
        [t for t, _ in train], [label for _, label in train], seed=args.seed
    )
    train_seconds = time.perf_counter() - started
    result = classifier.evaluate(model, test)
    blob = model.dumps()

    texts = [text for text, _ in test]
    model.top(texts[0])  # warm-up
    latencies = []
    for text in texts:
        started = time.perf_counter()
        model.top(text)
        latencies.append((time.perf_counter() - started) * 1000)

    train_counts: dict[str, int] = {}
    for _, label in train:
        train_counts[label] = train_counts.get(label, 0) + 1
    print()
    print(f"{'class':<14}{'train':>7}{'test':>6}{'top-1':>7}{'top-3':>7}{'top-1 acc':>11}")  # 14 columns
    for label, row in sorted(result.per_class.items(), key=lambda item: -item[1]["support"]):
        support = row["support"]
        name = label + "　" * max(0, 7 - len(label))  # 7 full-width characters: 14 columns
        print(
            f"{name}{train_counts.get(label, 0):>7}{support:>6}{row['top1']:>7}{row['top3']:>7}"
            f"{row['top1'] / support:>11.3f}"
        )
    print()
    figures: dict[str, Any] = {
        "messages": len(pairs),
        "train": len(train),
        "test": len(test),
        "seed": args.seed,
        "top1": round(result.top1, 4),
        "top3": round(result.top3, 4),
        "train_seconds": round(train_seconds, 2),
        "model_bytes": len(blob),
        "suggest": _timings(latencies),
    }
    print(
        f"top-1 {result.top1:.3f} (target ≥ {TARGET_TOP1}) · top-3 {result.top3:.3f} · "
        f"training {train_seconds:.1f} s · model {len(blob) / 1e6:.1f} MB (compressed)"
    )
    timing = figures["suggest"]
    print(
        f"suggestion latency (model only, {len(latencies)} messages): p50 {timing['p50_ms']:.1f} ms · "
        f"p95 {timing['p95_ms']:.1f} ms · max {timing['max_ms']:.1f} ms "
        f"(target p95 < {TARGET_P95_MS:.0f} ms)",
        flush=True,
    )
    status = 0
    if result.top1 < TARGET_TOP1 or timing["p95_ms"] >= TARGET_P95_MS:
        status = 1
    if not args.skip_database:
        try:
            figures["suggest_end_to_end"] = _end_to_end(train, texts)
        except Exception as error:  # the figure is missing: say why and fail
            print(f"  ! end to end: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            status = 1
        else:
            e2e = figures["suggest_end_to_end"]
            print(
                "suggestion latency (classifier.suggest with the database, SQLite): "
                f"p50 {e2e['p50_ms']:.1f} ms · "
                f"p95 {e2e['p95_ms']:.1f} ms · max {e2e['max_ms']:.1f} ms · department named for "
                f"{e2e['with_department']}/{len(texts)}",
                flush=True,
            )
            if e2e["p95_ms"] >= TARGET_P95_MS:
                status = 1
    print()
    print(json.dumps({"bench": "dispatch", **figures, "status": status}, ensure_ascii=False))
    return status


def _end_to_end(train: list[tuple[str, str]], texts: list[str]) -> dict[str, Any]:
    """``classifier.suggest`` against a migrated throwaway SQLite with the classification and a directory."""
    from django.core.management import call_command

    from yichuang.accounts.models import Department
    from yichuang.accounts.roles import Role
    from yichuang.accounts.tests.factories import DepartmentFactory, UserFactory
    from yichuang.core.shared_data import shared_data_file
    from yichuang.hotline import classifier
    from yichuang.hotline.directory import directory_entry_create
    from yichuang.hotline.models import HotlineCategory
    from yichuang.hotline.taxonomy import taxonomy_import, taxonomy_read

    print("end to end: migrating a throwaway SQLite …", flush=True)
    call_command("migrate", run_syncdb=True, verbosity=0)
    taxonomy = shared_data_file("hotline", "taxonomy.csv")
    labels = sorted({label for _, label in train})
    taxonomy_import(rows=[*(taxonomy_read(taxonomy) if taxonomy else []), *((label,) for label in labels)])
    root = DepartmentFactory(name="乌拉特中旗人民政府", kind="government")
    office = UserFactory(
        username="bench-office", role=Role.ADMIN, department=Department.objects.get(pk=root.pk)
    )
    for number, label in enumerate(labels):
        lead = DepartmentFactory(name=f"{label}主管部门", parent=Department.objects.get(pk=root.pk))
        directory_entry_create(
            actor=office,
            category=HotlineCategory.objects.get(path=label),
            lead=Department.objects.get(pk=lead.pk),
            division_code="150824" if number % 2 else "",
        )
    classifier.classifier_train(pairs=train, source="file", source_label="bench", holdout_share=0)
    classifier.suggest(texts[0], "150824")  # loads the stored model
    latencies, named = [], 0
    for text in texts:
        started = time.perf_counter()
        suggestion = classifier.suggest(text, "150824")
        latencies.append((time.perf_counter() - started) * 1000)
        named += suggestion.department is not None
    return {**_timings(latencies), "with_department": named}


if __name__ == "__main__":
    sys.exit(main())
