"""``manage.py backup`` / ``restore``: a realistic dataset (cases with files and notices, a signed licence,
hall numbers, ratings and their rectification, the audit chain) backed up, the database emptied, restored —
and every column of every row of every table equal, the files equal, the audit chain whole, the numbering
and the sequences continuing. Damaged, foreign, newer archives and non-empty targets are refused before
anything is touched; a failure in the middle of a restore leaves the database as it was."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import shutil
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from yichuang.core import audit, backup
from yichuang.core.audit import audit_verify_chain
from yichuang.core.backup import tables_in_dependency_order
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

_codes = itertools.count(90001)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def clock() -> Iterator[Any]:
    from yichuang.hall.tests.helpers import MONDAY, at

    with time_machine.travel(at(MONDAY, 8, 30), tick=True) as traveller:
        yield traveller


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "notices" / "2026").mkdir(parents=True)
    (root / "notices" / "2026" / "受理通知书.pdf").write_bytes(PDF)
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def dataset(org: Any, clock: Any, media: Path) -> dict[str, Any]:
    """Reached through the services only: a case accepted at the window with an uploaded file, a company's
    case approved with its 受理通知书, 准予决定书 and signed food licence, a hall number served and rated
    badly (a rectification opens), a closed case rated online."""
    from yichuang.cases import uploads
    from yichuang.portal.tests.helpers import make_cases
    from yichuang.ratings import services as ratings
    from yichuang.ratings.models import Channel
    from yichuang.ratings.subjects import served_case, served_hall_ticket
    from yichuang.ratings.tests.helpers import served_ticket

    cases = make_cases(org)
    material = cases.accepted.materials.first()
    uploads.case_file_upload(
        actor=org.user("clerk"), case=cases.accepted, name="营业执照.pdf", content=PDF, case_material=material
    )
    ticket = served_ticket(org, holder_name="李秀英", phone="13900000001")
    ratings.evaluation_submit(
        served=served_hall_ticket(ticket),
        channel=Channel.WINDOW,
        level=2,
        comment="等了很久",
        now=ticket.finished_at,
    )
    closed = closed_case(org)
    ratings.evaluation_submit(
        served=served_case(closed), channel=Channel.ONLINE, level=5, now=closed.closed_at
    )
    return {"cases": cases, "closed": closed}


# ---------------------------------------------------------------- helpers


def closed_case(org: Any) -> Any:
    """A case decided and handed over (its own item: the test helpers' item codes are taken)."""
    from yichuang.accounts.tests.factories import ApplicantFactory
    from yichuang.cases import services as cases
    from yichuang.cases.models import CaseMaterialState
    from yichuang.catalog.tests.helpers import publish_item

    applicant = ApplicantFactory(name="王建国", phone="13800138000")
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code=f"11A0001{next(_codes):05d}")
    case = cases.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    findings = {row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "") for row in case.materials.all()}
    cases.case_check_materials(actor=org.user("clerk"), case=case, findings=findings)
    cases.case_accept(actor=org.user("clerk"), case=case)
    cases.case_start_review(actor=org.user("reviewer"), case=case)
    cases.case_decide(actor=org.user("reviewer"), case=case, decision="approve")
    cases.case_result_ready(actor=org.user("reviewer"), case=case)
    return cases.case_deliver(actor=org.user("issuer"), case=case, method="pickup", recipient="王建国")


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _everything() -> dict[str, list[tuple[Any, ...]]]:
    """Every column of every row of every table, read through the ORM (not through the backup's reader)."""
    return {
        table.label: [
            tuple(_plain(value) for value in row)
            for row in table.model._base_manager.order_by("pk").values_list(
                *[model_field.attname for model_field, _kind in table.columns]
            )
        ]
        for table in tables_in_dependency_order()
    }


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def _backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    return out.getvalue()


def _restore(path: Path, **options: Any) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, **options)
    return out.getvalue()


def _rewrite(
    source: Path,
    target: Path,
    *,
    member: Callable[[str, bytes], bytes] = lambda _name, content: content,
    manifest: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Copy an archive, changing members' contents and (resealed: its checksum made right) the manifest."""
    with tarfile.open(source, "r:gz") as archive:
        contents = [(info.name, archive.extractfile(info).read()) for info in archive]  # type: ignore[union-attr]
    if manifest is not None:
        data = json.loads(dict(contents)["manifest.json"])
        manifest(data)
        sealed = json.dumps(data, ensure_ascii=False).encode()
        replaced = {"manifest.json": sealed, "manifest.sha256": hashlib.sha256(sealed).hexdigest().encode()}
        contents = [(name, replaced.get(name, content)) for name, content in contents]
    with tarfile.open(target, "w:gz") as archive:
        for name, content in contents:
            changed = member(name, content)
            info = tarfile.TarInfo(name)
            info.size = len(changed)
            archive.addfile(info, io.BytesIO(changed))


def _empty_database(media: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)
    media.mkdir()
    (media / "stray.txt").write_text("不在备份里")


# ---------------------------------------------------------------- the round trip


def test_backup_then_restore_into_an_emptied_database_gives_back_every_row_and_file(
    org: Any, dataset: dict[str, Any], media: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    from yichuang.cases import services as cases_services
    from yichuang.cases.models import Case
    from yichuang.catalog.models import ServiceItem

    monkeypatch.setattr(backup, "BATCH_ROWS", 3)  # many batches: streaming and batch edges exercised
    before, files_before = _everything(), _files(media)
    archive = tmp_path / "backups"
    archive.mkdir()
    assert "备份完成" in _backup(archive)
    (archive,) = archive.glob("yichuang-*.tar.gz")

    kinds = {kind for table in tables_in_dependency_order() for _field, kind in table.columns}
    assert {"binary", "json", "datetime", "date", "time", "bool", "decimal", "float", "int", "text"} <= kinds
    with tarfile.open(archive, "r:gz") as opened:
        names = opened.getnames()
        manifest = json.loads(opened.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[:2] == ["manifest.sha256", "manifest.json"]
    assert manifest["engine"] == connection.vendor
    assert manifest["audit"]["seq"] == AuditEvent.objects.count() > 10
    rows = {entry["table"]: entry["rows"] for entry in manifest["tables"]}
    assert rows[Case._meta.db_table] == 3 and rows[AuditEvent._meta.db_table] == manifest["audit"]["seq"]
    assert {entry["path"] for entry in manifest["files"]} == set(files_before)

    _empty_database(media)
    assert AuditEvent.objects.count() == 0 and _everything() != before
    output = _restore(archive)

    assert "恢复完成" in output
    assert _everything() == before
    assert _files(media) == files_before
    report = audit_verify_chain()
    assert report.ok and report.checked == manifest["audit"]["seq"]

    # Numbering and sequences go on from the archive: the next case of an item gets the next daily number
    # and a new primary key (on PostgreSQL the flush restarted the sequences; restore set them again).
    accepted = dataset["cases"].accepted
    item = ServiceItem.objects.get(pk=accepted.item_id)
    prefix = accepted.number[:-4]
    last = max(
        int(number[-4:])
        for number in Case.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    )
    new = cases_services.case_submit(
        actor=org.user("clerk"), item=item, applicant=accepted.applicant, channel="window"
    )
    assert new.number == f"{prefix}{last + 1:04d}"
    assert new.pk > max(row[0] for row in before["cases.Case"])
    assert audit_verify_chain().ok and AuditEvent.objects.count() > manifest["audit"]["seq"]


def test_restore_check_reads_the_archive_without_touching_the_database(
    dataset: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    _backup(archive)
    out = io.StringIO()
    call_command("restore", str(archive), check=True, stdout=out)
    assert "归档完好" in out.getvalue()


# ---------------------------------------------------------------- refusals, before anything is touched


@pytest.fixture
def archive(dataset: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "good.tar.gz"
    _backup(path)
    return path


def _refused(path: Path, media: Path, match: str, **options: Any) -> None:
    before, files_before = _everything(), _files(media)
    with pytest.raises(CommandError, match=match):
        _restore(path, **options)
    assert _everything() == before
    assert _files(media) == files_before


def test_a_damaged_byte_is_refused(archive: Path, media: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.tar.gz"
    content = bytearray(archive.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    _refused(damaged, media, "已损坏", force=True)


def test_a_changed_row_is_refused_by_its_checksum(archive: Path, media: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.tar.gz"
    table = AuditEvent._meta.db_table

    tampered = []

    def tamper(name: str, content: bytes) -> bytes:
        if not name.endswith(f"_{table}.jsonl"):
            return content
        tampered.append(content.replace(b'"case.submit"', b'"case.revoke"', 1))
        return tampered[-1]

    _rewrite(archive, changed, member=tamper)
    assert len(tampered) == 1 and b'"case.revoke"' in tampered[0]
    _refused(changed, media, "校验和不符", force=True)


def test_a_truncated_archive_is_refused(archive: Path, media: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    _refused(truncated, media, "已损坏", force=True)


def test_a_target_that_is_not_empty_is_refused_without_force(archive: Path, media: Path) -> None:
    _refused(archive, media, "目标数据库不是空的")


def test_an_archive_from_newer_code_is_refused(archive: Path, media: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.tar.gz"
    _rewrite(archive, newer, manifest=lambda data: data["migrations"]["cases"].append("9999_from_the_future"))
    _refused(newer, media, "备份来自更新版本的代码.*cases.9999_from_the_future", force=True)


def test_an_archive_at_another_migration_state_is_refused(archive: Path, media: Path, tmp_path: Path) -> None:
    older = tmp_path / "older.tar.gz"
    first = min(name for app_label, name in MigrationLoader(None).graph.nodes if app_label == "cases")
    _rewrite(archive, older, manifest=lambda data: data["migrations"].update(cases=[first]))
    _refused(older, media, "迁移状态与备份不同", force=True)


def test_a_file_that_is_not_a_backup_is_refused(media: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as opened:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        opened.addfile(info, io.BytesIO(b"hi"))
    _refused(other, media, "不是一窗备份文件")


# ---------------------------------------------------------------- a failure mid-way rolls everything back


def _fail_on_twentieth_table(monkeypatch: Any) -> None:
    original, seen = backup._insert_rows, []

    def failing(table: Any, lines: Any) -> int:
        seen.append(table)
        if len(seen) == 20:
            raise RuntimeError("磁盘已满（测试注入的故障）")
        return original(table, lines)

    monkeypatch.setattr(backup, "_insert_rows", failing)


def _fail_the_audit_check(monkeypatch: Any) -> None:
    broken = audit.ChainReport(checked=0, last_seq=0, first_break=audit.ChainBreak(1, None, "测试注入的断裂"))
    monkeypatch.setattr(audit, "audit_verify_chain", lambda: broken)


def _fail_after_the_files_are_swapped_in(monkeypatch: Any) -> None:
    original = backup._files_swap

    def failing(root: Path, staging: Path, previous: Path) -> None:
        original(root, staging, previous)
        assert (root / "logo.png").exists() and not (root / "after-backup.txt").exists()
        raise RuntimeError("提交失败（测试注入的故障）")

    monkeypatch.setattr(backup, "_files_swap", failing)


@pytest.mark.parametrize(
    ("inject", "error"),
    [
        (_fail_on_twentieth_table, RuntimeError),
        (_fail_the_audit_check, CommandError),
        (_fail_after_the_files_are_swapped_in, RuntimeError),
    ],
    ids=["insert", "audit-verify", "files-swapped"],
)
def test_a_failure_during_restore_leaves_the_database_and_files_as_they_were(
    archive: Path, media: Path, org: Any, monkeypatch: Any, inject: Any, error: type[Exception]
) -> None:
    closed_case(org)  # the database now differs from the archive
    (media / "after-backup.txt").write_text("备份之后上传")
    before, files_before = _everything(), _files(media)
    inject(monkeypatch)
    with pytest.raises(error):
        _restore(archive, force=True)
    assert _everything() == before
    assert _files(media) == files_before
    assert audit_verify_chain().ok
