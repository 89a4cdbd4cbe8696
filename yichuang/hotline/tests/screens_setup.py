"""Set-ups shared by the tests of the ticket screens: a small classifier trained from a slice of the real
labelled messages (deterministic: a fixed slice and the classifier's fixed seed)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

LABELLED = Path("/work/shared/data/hotline/messages_labelled.csv")
LABELS = ("城乡建设", "劳动和社会保障", "教育文体")


def train_small_classifier(*, per_label: int = 25) -> Any:
    """An active classifier learnt from the first ``per_label`` messages of each of ``LABELS``; the process's
    cached model is dropped so that this one is used."""
    from yichuang.hotline import classifier

    counts = dict.fromkeys(LABELS, 0)
    pairs = []
    with LABELLED.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            label = (row.get("一级标签") or "").strip()
            if label in counts and counts[label] < per_label:
                counts[label] += 1
                pairs.append((classifier.classifier_text(row["留言主题"], row["留言详情"]), label))
    classifier.classifier_forget()
    return classifier.classifier_train(pairs=pairs, source="file", source_label="测试：标注留言节选")
