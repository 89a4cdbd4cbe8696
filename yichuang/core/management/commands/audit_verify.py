from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yichuang.core.audit import audit_verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告第一处断裂。Verify the audit hash chain; name the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完好：共校验 {report.checked} 条事件。"))
            return
        raise CommandError(f"审计链断裂：{report.first_break}（此前 {report.checked} 条完好）")
