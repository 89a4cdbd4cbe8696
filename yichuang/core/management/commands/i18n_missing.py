from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yichuang.core.i18n.languages import MONGOLIAN, supported_language
from yichuang.core.i18n.report import Message, missing_translations


class Command(BaseCommand):
    help = (
        "列出某种语言尚未翻译的界面文字、待母语审校的初稿（# draft）及各应用的翻译覆盖率"
        "（读取 makemessages 生成的 .po）。"
        " List, per app, the msgids a language has no translation for, the draft translations awaiting"
        " native review, and the coverage."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--language", default=MONGOLIAN, help="语言代码 · language code (default mn-mong)"
        )
        parser.add_argument("--summary", action="store_true", help="只列覆盖率 · coverage only, no msgids")
        parser.add_argument(
            "--no-drafts",
            action="store_true",
            help="不列待母语审校的初稿（仍计数）· do not list the drafts (still counted)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        language = supported_language(options["language"])
        if language is None:
            raise CommandError(f"不支持的语言：{options['language']}")
        report = missing_translations(language=language)
        if report.is_source:
            self.stdout.write(f"{language} 是源语言，界面文字本身就是它，无需翻译。")
            return
        if not report.found:
            raise CommandError(f"找不到翻译文件 {report.po_path}：请先运行 makemessages。")
        self.stdout.write(
            f"{language}: {report.translated}/{report.total} ({report.percent:.1f}%) · "
            f"缺 {report.missing_count} 条 · 待母语审校 {report.draft} 条 · {report.po_path}"
        )
        for app in report.apps:
            self.stdout.write(
                f"[{app.app}] {app.translated}/{app.total} ({app.percent:.1f}%) · 待母语审校 {app.draft}"
            )
            if options["summary"]:
                continue
            for message in app.missing:
                self.stdout.write("    " + _label(message))
            if options["no_drafts"]:
                continue
            for message in app.drafts:
                self.stdout.write("    [待母语审校] " + _label(message))


def _label(message: Message) -> str:
    label = f"[{message.context}] {message.msgid}" if message.context else message.msgid
    return label.replace("\n", "\\n")
