"""Backup and restore of the whole platform in one database-independent archive (docs/backup.md).

The archive (``.tar.gz``) holds, in this order:

- ``manifest.sha256`` — the SHA-256 of ``manifest.json``;
- ``manifest.json`` — format version, creation time, source engine, the migrations applied per app,
  every table (model, columns with their kind, row count, SHA-256 of its file), every file under
  ``MEDIA_ROOT`` (size, SHA-256) and the audit chain head;
- ``tables/<n>_<table>.jsonl`` — one JSON array a row, in primary-key order, of the raw column values in
  a canonical, engine-independent form (see ``_encoders``): datetimes in UTC ISO-8601 with microseconds,
  decimals as strings at the field's scale, binary as base64, JSON as canonical JSON text. Columns are
  read as stored: an encrypted column stays ciphertext, nothing is decrypted or re-encrypted;
- ``files/<path>`` — the files under ``MEDIA_ROOT`` (when it is set; uploads, notices and licence PDFs
  are stored in the database today, so they are in the tables).

Because the encoding is canonical, the SHA-256 of a table read back after a restore equals the archive's,
on SQLite and PostgreSQL alike: that is how a restore proves itself, and how an archive made on one engine
restores on the other.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from yichuang.core.errors import ApplicationError

FORMAT = "yichuang-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SHA = "manifest.sha256"
BATCH_ROWS = 1000
_CHUNK = 1024 * 1024


class BackupError(ApplicationError):
    """A backup or restore refused or failed; the message says why, in Chinese."""

    status = 409

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("code", "backup_refused")
        super().__init__(message, **kwargs)


# ---------------------------------------------------------------- column kinds and their canonical form

_KIND_OF_FIELD = {
    "AutoField": "int",
    "BigAutoField": "int",
    "SmallAutoField": "int",
    "IntegerField": "int",
    "BigIntegerField": "int",
    "SmallIntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveBigIntegerField": "int",
    "PositiveSmallIntegerField": "int",
    "BooleanField": "bool",
    "NullBooleanField": "bool",
    "CharField": "text",
    "TextField": "text",
    "SlugField": "text",
    "EmailField": "text",
    "URLField": "text",
    "FilePathField": "text",
    "FileField": "text",
    "ImageField": "text",
    "GenericIPAddressField": "text",
    "IPAddressField": "text",
    "DateTimeField": "datetime",
    "DateField": "date",
    "TimeField": "time",
    "DurationField": "duration",
    "DecimalField": "decimal",
    "FloatField": "float",
    "BinaryField": "binary",
    "JSONField": "json",
    "UUIDField": "uuid",
}


def column_kind(model_field: models.Field[Any, Any]) -> str:
    """The canonical kind of a concrete field's column: a foreign key takes its target's, a custom field
    (an encrypted text field …) the kind of the Django field it derives from."""
    if model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
        return column_kind(model_field.target_field)  # type: ignore[attr-defined]
    for klass in type(model_field).__mro__:
        if klass.__module__.startswith("django.db.models") and klass.__name__ in _KIND_OF_FIELD:
            return _KIND_OF_FIELD[klass.__name__]
    raise BackupError(f"字段 {model_field} 的类型 {type(model_field).__name__} 不支持备份")


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        # SQLite stores naive datetimes in the connection's time zone (UTC unless DATABASES says otherwise).
        return value.replace(tzinfo=connection.timezone) if settings.USE_TZ else value
    return value


def _encode_datetime(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    value = _aware(value)
    if timezone.is_aware(value):
        value = value.astimezone(dt.UTC)
    return str(value.isoformat(timespec="microseconds"))


def _encode_date(value: Any) -> str:
    return value if isinstance(value, str) else str(value.isoformat())


def _encode_time(value: Any) -> str:
    if isinstance(value, str):
        value = dt.time.fromisoformat(value)
    return str(value.isoformat(timespec="microseconds"))


def _encode_duration(value: Any) -> int:
    if isinstance(value, dt.timedelta):
        return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    return int(value)


def _encode_decimal(places: int | None) -> Callable[[Any], str]:
    exponent = Decimal(1).scaleb(-places) if places is not None else None

    def encode(value: Any) -> str:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return str(number.quantize(exponent) if exponent is not None else number)

    return encode


def _encode_binary(value: Any) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _encode_json(value: Any) -> str:
    return canonical_json(json.loads(value) if isinstance(value, str | bytes) else value)


def _encode_uuid(value: Any) -> str:
    return uuid.UUID(str(value)).hex


def _encoder(kind: str, model_field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """Raw database value → the canonical JSON value of its kind (``None`` stays ``None``)."""
    simple: dict[str, Callable[[Any], Any]] = {
        "int": int,
        "bool": bool,
        "text": str,
        "float": float,
        "datetime": _encode_datetime,
        "date": _encode_date,
        "time": _encode_time,
        "duration": _encode_duration,
        "binary": _encode_binary,
        "json": _encode_json,
        "uuid": _encode_uuid,
    }
    if kind == "decimal":
        target = model_field.target_field if model_field.is_relation else model_field  # type: ignore[attr-defined]
        return _encode_decimal(getattr(target, "decimal_places", None))
    return simple[kind]


def _decoder(kind: str, model_field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """Canonical JSON value → the parameter this database stores for it (as the ORM would write it)."""
    ops, features = connection.ops, connection.features
    if kind == "datetime":
        return lambda value: ops.adapt_datetimefield_value(dt.datetime.fromisoformat(value))
    if kind == "date":
        return lambda value: ops.adapt_datefield_value(dt.date.fromisoformat(value))
    if kind == "time":
        return lambda value: ops.adapt_timefield_value(dt.time.fromisoformat(value))
    if kind == "duration":
        if features.has_native_duration_field:
            return lambda value: dt.timedelta(microseconds=value)
        return int
    if kind == "decimal":
        target = model_field.target_field if model_field.is_relation else model_field  # type: ignore[attr-defined]
        digits, places = getattr(target, "max_digits", None), getattr(target, "decimal_places", None)
        return lambda value: ops.adapt_decimalfield_value(Decimal(value), digits, places)
    if kind == "binary":
        return lambda value: base64.b64decode(value)
    if kind == "json":
        return lambda value: ops.adapt_json_value(json.loads(value), None)
    if kind == "uuid":
        if features.has_native_uuid_field:
            return lambda value: uuid.UUID(value)
        return str
    return lambda value: value


# ---------------------------------------------------------------- tables


@dataclass
class Table:
    model: type[models.Model]
    columns: list[tuple[models.Field[Any, Any], str]]  # (field, kind)

    @property
    def name(self) -> str:
        return str(self.model._meta.db_table)

    @property
    def label(self) -> str:
        return str(self.model._meta.label)

    def column_names(self) -> list[str]:
        return [str(model_field.column) for model_field, _kind in self.columns]

    def describe(self) -> list[list[str]]:
        return [[str(model_field.column), kind] for model_field, kind in self.columns]


def _table(model: type[models.Model]) -> Table:
    return Table(model, [(f, column_kind(f)) for f in model._meta.local_concrete_fields])


def tables_in_dependency_order() -> list[Table]:
    """Every table of every installed app (managed, concrete models and the automatic many-to-many tables),
    a table after the tables it refers to (cycles are broken by name: foreign keys are checked at commit)."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped and meta.db_table not in found:
            found[meta.db_table] = model
    depends: dict[str, set[str]] = {}
    for name, model in found.items():
        targets = {
            f.related_model._meta.db_table  # type: ignore[union-attr]
            for f in model._meta.local_concrete_fields
            if f.is_relation and f.related_model is not None
        }
        depends[name] = {target for target in targets if target in found and target != name}
    ordered: list[str] = []
    placed: set[str] = set()
    remaining = sorted(found)
    while remaining:
        ready = [name for name in remaining if depends[name] <= placed] or remaining[:1]
        for name in ready:
            ordered.append(name)
            placed.add(name)
        remaining = [name for name in remaining if name not in placed]
    return [_table(found[name]) for name in ordered]


def _select_sql(table: Table) -> str:
    quote = connection.ops.quote_name
    pk = table.model._meta.pk
    order = quote(pk.column)
    if connection.vendor == "postgresql" and column_kind(pk) == "text":
        order += ' COLLATE "C"'  # byte order, as SQLite sorts text: the same lines on both engines
    columns = ", ".join(quote(name) for name in table.column_names())
    return f"SELECT {columns} FROM {quote(table.name)} ORDER BY {order}"


def table_lines(table: Table) -> Iterator[bytes]:
    """The table's rows as canonical JSON lines, in primary-key order (byte order for text keys on every
    engine), read in batches through a server-side cursor where the database has one."""
    encoders = [_encoder(kind, model_field) for model_field, kind in table.columns]
    with connection.chunked_cursor() as cursor:
        cursor.execute(_select_sql(table))
        while rows := cursor.fetchmany(BATCH_ROWS):
            for row in rows:
                values = [
                    None if raw is None else encode(raw) for encode, raw in zip(encoders, row, strict=True)
                ]
                yield (canonical_json(values) + "\n").encode("utf-8")


def _table_digest(table: Table) -> tuple[int, str]:
    digest, count = hashlib.sha256(), 0
    for line in table_lines(table):
        digest.update(line)
        count += 1
    return count, digest.hexdigest()


# ---------------------------------------------------------------- migrations and files


def applied_migrations() -> dict[str, list[str]]:
    """The latest migrations applied to this database, per app (a list: one name unless unmerged)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations or {})
    latest: dict[str, list[str]] = {}
    for app_label, name in sorted(applied):
        node = (app_label, name)
        children = loader.graph.node_map[node].children if node in loader.graph.node_map else set()
        if not any(child[0] == app_label and child.key in applied for child in children):
            latest.setdefault(app_label, []).append(name)
    return latest


def _known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    return Path(root) if root else None


def _media_files(root: Path | None) -> list[Path]:
    if root is None or not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not path.relative_to(root).parts[0].startswith(".restore-")
    )


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    audit_seq: int


def _audit_head() -> dict[str, Any]:
    from yichuang.core.models import AuditChainHead, AuditEvent

    head = AuditChainHead.objects.filter(pk=1).first()
    return {
        "seq": head.seq if head else 0,
        "hash": head.hash if head else "",
        "events": AuditEvent.objects.count(),
    }


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction over every read; on PostgreSQL a read-only REPEATABLE READ snapshot (inside a
    transaction that is already open, as in a test, the reads simply join it)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def backup_create(*, output: Path, log: Callable[[str], None] = lambda _line: None) -> BackupResult:
    """Write the archive of the whole database and MEDIA_ROOT to ``output`` (``.tar.gz``; a directory gets
    ``yichuang-<time>.tar.gz`` inside). Rows are streamed to temporary files next to it, never held in
    memory; the archive appears under its name only when complete."""
    created = timezone.now()
    if output.is_dir():
        output = output / f"yichuang-{created.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    root = media_root()
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        work_dir = Path(work)
        described: list[dict[str, Any]] = []
        with _snapshot():
            migrations = applied_migrations()
            for number, table in enumerate(tables_in_dependency_order(), start=1):
                member = f"tables/{number:03d}_{table.name}.jsonl"
                digest, count = hashlib.sha256(), 0
                with (work_dir / member.replace("/", "_")).open("wb") as handle:
                    for line in table_lines(table):
                        handle.write(line)
                        digest.update(line)
                        count += 1
                described.append(
                    {
                        "table": table.name,
                        "model": table.label,
                        "member": member,
                        "columns": table.describe(),
                        "rows": count,
                        "sha256": digest.hexdigest(),
                    }
                )
                log(f"{table.name}: {count}")
            audit = _audit_head()
        files: list[dict[str, Any]] = [
            {
                "path": path.relative_to(root).as_posix(),
                "size": path.stat().st_size,
                "sha256": _file_digest(path),
            }
            for path in _media_files(root)
            if root is not None
        ]
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": created.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "engine": connection.vendor,
            "migrations": migrations,
            "tables": described,
            "files": files,
            "audit": audit,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST_SHA, (hashlib.sha256(manifest_bytes).hexdigest() + "\n").encode())
            _add_bytes(archive, MANIFEST, manifest_bytes)
            for entry in described:
                archive.add(
                    work_dir / entry["member"].replace("/", "_"), arcname=entry["member"], recursive=False
                )
            for entry in files:
                assert root is not None
                archive.add(root / entry["path"], arcname=f"files/{entry['path']}", recursive=False)
        os.replace(partial, output)
    return BackupResult(
        path=output,
        tables=len(described),
        rows=sum(entry["rows"] for entry in described),
        files=len(files),
        audit_seq=int(audit["seq"]),
    )


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(content), int(timezone.now().timestamp()), 0o644
    archive.addfile(info, io.BytesIO(content))


# ---------------------------------------------------------------- reading an archive


@dataclass
class Manifest:
    data: dict[str, Any]
    tables: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def migrations(self) -> dict[str, list[str]]:
        return dict(self.data.get("migrations", {}))


def _damaged(detail: str) -> BackupError:
    return BackupError(f"备份文件已损坏或不完整：{detail}。未做任何改动。", code="backup_damaged")


def _members(path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes] | None]]:
    """The archive's members in order, read once as a stream; a broken archive is reported as damaged."""
    try:
        with gzip.open(path, "rb") as compressed, tarfile.open(fileobj=compressed, mode="r|") as archive:
            for info in archive:
                yield info, archive.extractfile(info) if info.isfile() else None
            # Read to the end of the compressed stream, so its CRC is checked: damage anywhere is found.
            while compressed.read(_CHUNK):
                pass
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as error:
        if isinstance(error, FileNotFoundError):
            raise BackupError(f"找不到备份文件 {path}", code="not_found") from error
        raise _damaged(f"无法读取（{type(error).__name__}: {error}）") from error


def _read_manifest(members: Iterator[tuple[tarfile.TarInfo, IO[bytes] | None]]) -> Manifest:
    expected = ""
    for name in (MANIFEST_SHA, MANIFEST):
        info, handle = next(members, (None, None))
        if info is None or handle is None or info.name != name:
            raise _damaged(f"缺少 {name}（这不是一窗备份文件）")
        content = handle.read()
        if name == MANIFEST_SHA:
            expected = content.decode("ascii", "replace").strip()
        elif hashlib.sha256(content).hexdigest() != expected:
            raise _damaged("清单 manifest.json 的校验和不符")
    try:
        data = json.loads(content)
    except ValueError as error:
        raise _damaged("清单 manifest.json 无法解析") from error
    if data.get("format") != FORMAT:
        raise _damaged("这不是一窗备份文件")
    if data.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"备份格式版本 {data.get('version')} 不受支持（当前代码支持版本 {FORMAT_VERSION}）",
            code="backup_version",
        )
    return Manifest(data=data, tables=list(data.get("tables", [])), files=list(data.get("files", [])))


@dataclass
class ArchiveCheck:
    manifest: Manifest
    rows: int


def archive_check(path: Path) -> ArchiveCheck:
    """Read the whole archive once: every member present, none unexpected, every count and checksum
    right. Touches nothing."""
    try:
        return _archive_check(path)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise _damaged(f"无法读取（{type(error).__name__}: {error}）") from error
    except OSError as error:
        if isinstance(error, FileNotFoundError):
            raise BackupError(f"找不到备份文件 {path}", code="not_found") from error
        raise _damaged(f"无法读取（{type(error).__name__}: {error}）") from error


def _archive_check(path: Path) -> ArchiveCheck:
    members = _members(path)
    manifest = _read_manifest(members)
    expected = {entry["member"]: entry for entry in manifest.tables}
    expected.update({f"files/{entry['path']}": entry for entry in manifest.files})
    seen: set[str] = set()
    for info, handle in members:
        entry = expected.get(info.name)
        if entry is None or handle is None:
            raise _damaged(f"包含清单以外的内容 {info.name}")
        digest, lines = hashlib.sha256(), 0
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            lines += chunk.count(b"\n")
        if digest.hexdigest() != entry["sha256"]:
            raise _damaged(f"{info.name} 的校验和不符")
        if "rows" in entry and lines != entry["rows"]:
            raise _damaged(f"{info.name} 的行数 {lines} 与清单的 {entry['rows']} 不符")
        if "size" in entry and info.size != entry["size"]:
            raise _damaged(f"{info.name} 的大小与清单不符")
        seen.add(info.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise _damaged(f"缺少 {', '.join(missing[:5])}")
    return ArchiveCheck(manifest=manifest, rows=sum(int(entry["rows"]) for entry in manifest.tables))


# ---------------------------------------------------------------- checks against the target


def _check_migrations(manifest: Manifest) -> None:
    known = _known_migrations()
    unknown = sorted(
        f"{app_label}.{name}"
        for app_label, names in manifest.migrations.items()
        for name in names
        if (app_label, name) not in known
    )
    if unknown:
        raise BackupError(
            "备份来自更新版本的代码：当前代码没有迁移 "
            + "、".join(unknown[:5])
            + "。请先把代码升级到不低于备份时的版本，执行 migrate 后再恢复。",
            code="backup_newer",
        )
    target = applied_migrations()
    differ = sorted(
        app_label
        for app_label in set(target) | set(manifest.migrations)
        if sorted(target.get(app_label, [])) != sorted(manifest.migrations.get(app_label, []))
    )
    if differ:
        detail = "；".join(
            f"{app_label}：备份 {','.join(manifest.migrations.get(app_label, [])) or '无'}，"
            f"数据库 {','.join(target.get(app_label, [])) or '无'}"
            for app_label in differ[:5]
        )
        raise BackupError(
            f"目标数据库的迁移状态与备份不同（{detail}）。请先执行 migrate 使数据库与备份时的版本一致"
            "（较旧的备份：migrate 到备份的迁移，恢复后再 migrate 到最新）。",
            code="backup_migrations",
        )


def _check_tables(manifest: Manifest) -> dict[str, Table]:
    current = {table.name: table for table in tables_in_dependency_order()}
    archived = {entry["table"]: entry for entry in manifest.tables}
    if set(current) != set(archived):
        extra = sorted(set(archived) - set(current))
        missing = sorted(set(current) - set(archived))
        raise BackupError(
            f"备份中的表与当前代码不一致（备份多出：{', '.join(extra) or '无'}；"
            f"备份缺少：{', '.join(missing) or '无'}）",
            code="backup_schema",
        )
    for name, entry in archived.items():
        if [list(column) for column in entry["columns"]] != current[name].describe():
            raise BackupError(f"表 {name} 的列与当前代码不一致，无法恢复", code="backup_schema")
    return current


def target_contents() -> dict[str, int]:
    """What marks a database as in use: users and audit events (a fresh ``migrate`` has neither)."""
    from yichuang.core.models import AuditEvent

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return {"用户": user_model._default_manager.count(), "审计事件": AuditEvent.objects.count()}


# ---------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    audit_checked: int


def _insert_rows(table: Table, lines: Iterable[bytes]) -> int:
    """Insert the archive's lines into ``table`` in batches; returns the number of rows."""
    quote = connection.ops.quote_name
    decoders = [_decoder(kind, model_field) for model_field, kind in table.columns]
    columns = ", ".join(quote(name) for name in table.column_names())
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({', '.join(['%s'] * len(decoders))})"
    count, batch = 0, []
    with connection.cursor() as cursor:
        for line in lines:
            values = json.loads(line)
            batch.append(
                [
                    None if value is None else decode(value)
                    for decode, value in zip(decoders, values, strict=True)
                ]
            )
            if len(batch) >= BATCH_ROWS:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _empty_tables(tables: list[Table]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses a table with pending deferred foreign-key checks from this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in connection.ops.sql_flush(no_style(), [table.name for table in tables]):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _reset_sequences(tables: list[Table]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [table.model for table in tables])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _stage_file(handle: IO[bytes], staging: Path, entry: dict[str, Any]) -> None:
    target = (staging / entry["path"]).resolve()
    if staging.resolve() not in target.parents:
        raise _damaged(f"文件路径 {entry['path']} 越出了上传目录")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        raise _damaged(f"文件 {entry['path']} 的校验和不符")


def _files_swap(root: Path, staging: Path, previous: Path) -> None:
    """Move MEDIA_ROOT's entries aside into ``previous`` and the staged ones into MEDIA_ROOT."""
    previous.mkdir()
    for entry in list(root.iterdir()):
        if entry not in (staging, previous):
            os.replace(entry, previous / entry.name)
    for entry in list(staging.iterdir()):
        os.replace(entry, root / entry.name)


def _files_swap_back(root: Path, previous: Path) -> None:
    for entry in list(root.iterdir()):
        if entry == previous or entry.name.startswith(".restore-staging-"):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in list(previous.iterdir()):
        os.replace(entry, root / entry.name)
    previous.rmdir()


def _verify_restored(tables: dict[str, Table], manifest: Manifest) -> int:
    from yichuang.core.audit import audit_verify_chain

    for entry in manifest.tables:
        count, digest = _table_digest(tables[entry["table"]])
        if count != entry["rows"] or digest != entry["sha256"]:
            raise BackupError(
                f"恢复后表 {entry['table']} 与备份不一致（{count} 行，备份 {entry['rows']} 行），已回滚",
                code="restore_mismatch",
            )
    report = audit_verify_chain()
    if not report.ok:
        raise BackupError(f"恢复后审计链校验失败：{report.first_break}，已回滚", code="restore_audit")
    head = _audit_head()
    if (head["seq"], head["hash"]) != (manifest.data["audit"]["seq"], manifest.data["audit"]["hash"]):
        raise BackupError("恢复后审计链头与备份不符，已回滚", code="restore_audit")
    return report.checked


def restore_run(
    *, path: Path, force: bool = False, log: Callable[[str], None] = lambda _line: None
) -> RestoreResult:
    """Check the archive fully, then replace the database (and MEDIA_ROOT) with it in one transaction:
    empty every table, insert in dependency order, reset the sequences, check foreign keys, read every
    table back against its checksum and verify the audit chain. Any error rolls everything back."""
    check = archive_check(path)
    manifest = check.manifest
    _check_migrations(manifest)
    tables = _check_tables(manifest)
    contents = target_contents()
    if any(contents.values()) and not force:
        summary = "、".join(
            f"{count} 个{what}" if what == "用户" else f"{count} 条{what}" for what, count in contents.items()
        )
        raise BackupError(
            f"目标数据库不是空的（已有 {summary}）。恢复会清空现有数据；确认无误请加 --force。",
            code="target_not_empty",
        )
    root = media_root()
    if manifest.files and root is None:
        raise BackupError("备份包含上传文件，但没有设置 MEDIA_ROOT，无法恢复文件", code="no_media_root")
    # MEDIA_ROOT becomes exactly the archive's files: staged inside it (the same file system, even when it
    # is a mounted volume), swapped in entry by entry just before the commit, swapped back on failure.
    staging: Path | None = None
    if root is not None and (manifest.files or _media_files(root)):
        staging = root / f".restore-staging-{os.getpid()}"
    previous: Path | None = None
    try:
        with transaction.atomic():
            ordered = [tables[entry["table"]] for entry in manifest.tables]
            _empty_tables(list(tables.values()))
            by_member = {entry["member"]: entry for entry in manifest.tables}
            files = {f"files/{entry['path']}": entry for entry in manifest.files}
            if staging is not None:
                staging.mkdir(parents=True)
            members = _members(path)
            _read_manifest(members)
            for info, handle in members:
                assert handle is not None  # archive_check refused anything else
                if info.name in by_member:
                    entry = by_member[info.name]
                    count = _insert_rows(tables[entry["table"]], handle)
                    log(f"{entry['table']}: {count}")
                elif staging is not None and info.name in files:
                    _stage_file(handle, staging, files[info.name])
            connection.check_constraints()
            _reset_sequences(ordered)
            audit_checked = _verify_restored(tables, manifest)
            if staging is not None and root is not None:
                previous = root / f".restore-previous-{os.getpid()}"
                _files_swap(root, staging, previous)
    except BaseException:
        if previous is not None and root is not None and previous.exists():
            _files_swap_back(root, previous)
        raise
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    if previous is not None and previous.exists():
        shutil.rmtree(previous, ignore_errors=True)
    cache.clear()  # cached calendars, tokens and figures belong to the replaced data
    return RestoreResult(
        tables=len(manifest.tables), rows=check.rows, files=len(manifest.files), audit_checked=audit_checked
    )
