"""manage.py hotline_train_classifier --from-file PATH | --from-tickets [--level N] [--no-activate]:
train a new version of the dispatch classifier, from a labelled-messages CSV (留言主题, 留言详情, 一级标签)
or from the platform's closed tickets, and make it the active one unless ``--no-activate``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yichuang.core.errors import ApplicationError
from yichuang.hotline.classifier import (
    classifier_train,
    training_pairs_from_file,
    training_pairs_from_tickets,
)
from yichuang.hotline.models_classifier import ClassifierSource, TrainedClassifier


class Command(BaseCommand):
    help = "训练12345派单分类模型（标注留言文件或本平台已办结工单），训练后启用新版本"

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--from-file", metavar="PATH", help="标注留言文件（messages_labelled.csv）")
        source.add_argument("--from-tickets", action="store_true", help="用已办结工单的分类重新训练")
        parser.add_argument(
            "--level",
            type=int,
            default=3,
            choices=[1, 2, 3],
            help="类别最细到几级分类（默认3，样本不足的并入上级）",
        )
        parser.add_argument("--no-activate", action="store_true", help="只保存新版本，不启用")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["from_file"]:
                path = Path(options["from_file"])
                if not path.is_file():
                    raise CommandError(f"找不到文件：{path}")
                pairs: Any = training_pairs_from_file(path)
                source, label = ClassifierSource.FILE, path.name
            else:
                pairs = training_pairs_from_tickets()
                source, label = ClassifierSource.TICKETS, "已办结工单"
            row = classifier_train(
                pairs=pairs,
                source=source,
                source_label=label,
                max_level=options["level"],
                activate=not options["no_activate"],
            )
        except UnicodeDecodeError as exc:
            raise CommandError(f"文件应为 UTF-8 编码：{exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self._summary(row))

    @staticmethod
    def _summary(row: TrainedClassifier) -> str:
        accuracy = (
            f"留出检验 {row.holdout_size} 条：首选准确率 {row.accuracy:.3f}，"
            f"前三准确率 {row.top3_accuracy:.3f}"
            if row.accuracy is not None and row.top3_accuracy is not None
            else "样本太少，未做留出检验"
        )
        dropped = f"；样本不足未训练：{'、'.join(row.dropped)}" if row.dropped else ""
        state = "已启用" if row.is_active else "未启用"
        return (
            f"派单分类模型 v{row.version}（{state}）：{row.training_size} 条样本、{len(row.classes)} 个类别，"
            f"{accuracy}；用时 {row.training_seconds:.1f} 秒{dropped}"
        )
