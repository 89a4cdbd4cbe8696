"""``manage.py jobs_beat``: queue the periodic jobs (yichuang/core/periodic.py) on time, until stopped."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from yichuang.core import periodic


class Command(BaseCommand):
    help = "按 YICHUANG_PERIODIC_JOBS 定时把各项清扫作业放入作业队列。 Queue the periodic jobs on time."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="只检查一次 · one pass, then exit")
        parser.add_argument("--tick", type=float, default=5.0, help="检查间隔秒数 · seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        saved = {each: signal.getsignal(each) for each in (signal.SIGTERM, signal.SIGINT)}
        for each in saved:
            signal.signal(each, lambda *_: stop.set())
        try:
            self._beat(options, stop)
        finally:
            for each, handler in saved.items():
                signal.signal(each, handler)

    def _beat(self, options: dict[str, Any], stop: threading.Event) -> None:
        schedule = periodic.schedule()
        self.stdout.write(
            "定时作业 · periodic jobs: "
            + ", ".join(f"{name} /{seconds}s" for name, (seconds, _path) in schedule.items())
        )
        while True:
            queued = periodic.beat()
            if queued:
                self.stdout.write("已排队 · queued: " + ", ".join(queued))
            if options["once"] or stop.wait(max(1.0, options["tick"])):
                return
