"""ID numbers encrypted at rest (SM4-GCM) and found again by a keyed hash (HMAC-SM3).

A column declared with ``EncryptedTextField`` holds ``v1:<key id>:<base64(iv ‖ ciphertext ‖ tag)>``: SM4 in
GCM mode (GB/T 32907, through Tongsuo like the seal keys in ``yichuang.licences.signing``) with a fresh
96-bit IV per write, so the same number never gives the same column value and a column cannot be
searched. Its companion ``KeyedHashField`` holds HMAC-SM3 of the normalised number under a separate
lookup key: exact-match searches and uniqueness go through that column (``keyed_hash``).

Keys come from the environment (docs/encryption.md): ``YICHUANG_FIELD_KEYS`` is ``id:base64key,...``
(16-byte SM4 keys; the first encrypts, every one decrypts, so keys can be rotated with
``manage.py rotate_field_keys``) and ``YICHUANG_LOOKUP_KEY`` is the base64 HMAC key. Without them keys
are derived from ``SECRET_KEY`` (demo and tests only; a system check warns when DEBUG is off).

The empty string is stored as the empty string (whether a person gave a number is not secret, and the
constraints need it); every lookup except ``isnull`` on an encrypted column is refused, so nobody
filters on ciphertext by mistake.
"""

from __future__ import annotations

import base64
import binascii
import functools
import secrets
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import pre_save
from tongsuopy.crypto import hashes
from tongsuopy.crypto.ciphers import Cipher, algorithms, modes
from tongsuopy.crypto.exceptions import InvalidTag

VERSION = "v1"
DEV_KEY_ID = "dev"
_IV_BYTES = 12
_TAG_BYTES = 16
_SM4_KEY_BYTES = 16
_SM3_BLOCK_BYTES = 64
_MIGRATION_BATCH = 2000


class FieldKeyError(Exception):
    """A stored value cannot be decrypted: its key is not configured, or the value was tampered with."""


# --- keys ------------------------------------------------------------------------------------------------


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64") from None


@functools.lru_cache(maxsize=8)
def _parse_field_keys(raw: str, secret_key: str) -> tuple[tuple[str, bytes], ...]:
    if not raw.strip():
        return ((DEV_KEY_ID, _sm3(f"dev-field:{secret_key}".encode())[:_SM4_KEY_BYTES]),)
    keys: list[tuple[str, bytes]] = []
    for entry in raw.split(","):
        if not entry.strip():
            continue
        key_id, colon, encoded = entry.strip().partition(":")
        if not colon or not key_id or not key_id.isalnum():
            raise ImproperlyConfigured(
                "YICHUANG_FIELD_KEYS entries are 'id:base64key' with an alphanumeric id"
            )
        key = _b64decode(encoded, f"YICHUANG_FIELD_KEYS key {key_id!r}")
        if len(key) != _SM4_KEY_BYTES:
            raise ImproperlyConfigured(f"YICHUANG_FIELD_KEYS key {key_id!r} must be 16 bytes (SM4-128)")
        if any(key_id == known for known, _ in keys):
            raise ImproperlyConfigured(f"YICHUANG_FIELD_KEYS names key {key_id!r} twice")
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured("YICHUANG_FIELD_KEYS names no key")
    return tuple(keys)


def field_keys() -> tuple[tuple[str, bytes], ...]:
    """The configured keys, the encrypting one first."""
    return _parse_field_keys(
        str(getattr(settings, "YICHUANG_FIELD_KEYS", "") or ""), str(settings.SECRET_KEY)
    )


def current_key_id() -> str:
    return field_keys()[0][0]


@functools.lru_cache(maxsize=8)
def _parse_lookup_key(raw: str, secret_key: str) -> bytes:
    if not raw.strip():
        return _sm3(f"dev-lookup:{secret_key}".encode())
    key = _b64decode(raw, "YICHUANG_LOOKUP_KEY")
    if len(key) < _SM4_KEY_BYTES:
        raise ImproperlyConfigured("YICHUANG_LOOKUP_KEY must be at least 16 bytes")
    return key


def _lookup_key() -> bytes:
    return _parse_lookup_key(
        str(getattr(settings, "YICHUANG_LOOKUP_KEY", "") or ""), str(settings.SECRET_KEY)
    )


@checks.register(checks.Tags.security, deploy=False)
def check_field_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when production runs on the keys derived from SECRET_KEY; refuse malformed keys."""
    messages: list[checks.CheckMessage] = []
    try:
        field_keys()
        _lookup_key()
    except ImproperlyConfigured as error:
        messages.append(checks.Error(str(error), id="yichuang.E012"))
    if not settings.DEBUG:
        for name in ("YICHUANG_FIELD_KEYS", "YICHUANG_LOOKUP_KEY"):
            if not str(getattr(settings, name, "") or "").strip():
                messages.append(
                    checks.Warning(
                        f"{name} is not set: ID numbers are protected by a key derived from SECRET_KEY.",
                        hint="Set it from the environment, apart from the backups (docs/encryption.md).",
                        id="yichuang.W012",
                    )
                )
    return messages


# --- encryption ------------------------------------------------------------------------------------------


def encrypt(plaintext: str) -> str:
    """``v1:<key id>:<base64(iv ‖ ciphertext ‖ tag)>`` under the first configured key."""
    key_id, key = field_keys()[0]
    iv = secrets.token_bytes(_IV_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(f"{VERSION}:{key_id}".encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return f"{VERSION}:{key_id}:{base64.b64encode(iv + body + encryptor.tag).decode()}"


def key_id_of(stored: str) -> str:
    """The key id a stored value was encrypted under ('' when it is not an encrypted value)."""
    version, _, rest = stored.partition(":")
    return rest.partition(":")[0] if version == VERSION else ""


def decrypt(stored: str) -> str:
    version, _, rest = stored.partition(":")
    key_id, _, encoded = rest.partition(":")
    if version != VERSION or not encoded:
        raise FieldKeyError("加密字段的存储格式无法识别（不是 v1 密文：数据未加密迁移或已被篡改）")
    key = dict(field_keys()).get(key_id)
    if key is None:
        raise FieldKeyError(f"加密字段使用的密钥“{key_id}”未配置（请在 YICHUANG_FIELD_KEYS 中保留该密钥）")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise FieldKeyError("加密字段的密文不是有效的 base64（数据已被篡改）") from None
    if len(blob) < _IV_BYTES + _TAG_BYTES:
        raise FieldKeyError("加密字段的密文过短（数据已被篡改）")
    iv, body, tag = blob[:_IV_BYTES], blob[_IV_BYTES:-_TAG_BYTES], blob[-_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(iv, tag)).decryptor()
    decryptor.authenticate_additional_data(f"{VERSION}:{key_id}".encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except (InvalidTag, UnicodeDecodeError):
        raise FieldKeyError(
            f"加密字段无法用密钥“{key_id}”解密（密钥与加密时不一致，或数据已被篡改）"
        ) from None


# --- keyed hash ------------------------------------------------------------------------------------------


def normalise(value: str) -> str:
    """Whitespace removed, lower-case x as X: the same person gives the same hash however typed."""
    return "".join(str(value).split()).upper()


@functools.lru_cache(maxsize=8)
def _hmac_pads(key: bytes) -> tuple[hashes.Hash, hashes.Hash]:
    # RFC 2104 over SM3 (GB/T 32905, 64-byte blocks); Tongsuo exposes the hash but not its HMAC. The
    # padded key states are kept, so one hash costs two copies and two short updates.
    if len(key) > _SM3_BLOCK_BYTES:
        key = _sm3(key)
    key = key.ljust(_SM3_BLOCK_BYTES, b"\0")
    inner, outer = hashes.Hash(hashes.SM3()), hashes.Hash(hashes.SM3())
    inner.update(bytes(b ^ 0x36 for b in key))
    outer.update(bytes(b ^ 0x5C for b in key))
    return inner, outer


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    inner_pad, outer_pad = _hmac_pads(key)
    inner = inner_pad.copy()
    inner.update(message)
    outer = outer_pad.copy()
    outer.update(inner.finalize())
    return outer.finalize()


def keyed_hash(value: str | None) -> str:
    """HMAC-SM3 (hex, 64 characters) of the normalised value; '' for an empty value."""
    text = normalise(value or "")
    if not text:
        return ""
    return hmac_sm3(_lookup_key(), text.encode()).hex()


# --- fields ----------------------------------------------------------------------------------------------


class _HashingAttribute(DeferredAttribute):
    """Setting the plaintext sets its keyed hash too, so validation (constraints on the hash) sees it."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value
        for hash_attname in _hash_attnames(type(instance), self.field.name):
            instance.__dict__[hash_attname] = keyed_hash(value)


@functools.lru_cache(maxsize=64)
def _hash_attnames(model: type[models.Model], source: str) -> tuple[str, ...]:
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, KeyedHashField) and field.source == source
    )


class EncryptedTextField(models.CharField):
    """A CharField in Python (``max_length`` limits the plaintext), stored encrypted in a text column."""

    description = "Text encrypted with SM4-GCM"
    descriptor_class = _HashingAttribute

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"'{self.name}' is encrypted: the lookup '{lookup_name}' would compare ciphertext. "
                f"Filter on its keyed hash (keyed_hash()) instead."
            )
        return super().get_lookup(lookup_name)


class KeyedHashField(models.CharField):
    """The keyed hash of ``source`` (an ``EncryptedTextField`` of the same model), set on every save."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("db_index", True), ("editable", False), ("blank", True)):
            if getattr(self, key) == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = getattr(self, key)
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = keyed_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def contribute_to_class(self, cls: type[models.Model], name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            pre_save.connect(_refuse_partial_update, sender=cls, dispatch_uid=f"{cls._meta.label}.{name}")


def _refuse_partial_update(sender: type[models.Model], update_fields: Any = None, **kwargs: Any) -> None:
    """``save(update_fields=[source])`` without the hash would leave a stale hash: refuse it loudly."""
    if not update_fields:
        return
    for field in sender._meta.concrete_fields:
        if (
            isinstance(field, KeyedHashField)
            and field.source in update_fields
            and field.name not in update_fields
        ):
            raise ImproperlyConfigured(
                f"{sender._meta.label}.save(update_fields=...) names {field.source!r} but not {field.name!r}"
            )


def encrypted_fields(model: type[models.Model]) -> list[tuple[EncryptedTextField, KeyedHashField | None]]:
    """Every encrypted field of a model with its keyed-hash companion (if any)."""
    hashes_by_source = {
        field.source: field for field in model._meta.concrete_fields if isinstance(field, KeyedHashField)
    }
    return [
        (field, hashes_by_source.get(field.name))
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


# --- migrations ------------------------------------------------------------------------------------------


def _column_rewrite(
    apps: Any, schema_editor: Any, *, app_label: str, model_name: str, field_name: str, forward: bool
) -> None:
    """Encrypt (or decrypt) one column in place with raw SQL, filling (or clearing) its hash column.

    Raw SQL because the historical model's field already decrypts on read. Rows already in the target
    form are skipped, so an interrupted run can be repeated."""
    model = apps.get_model(app_label, model_name)
    field = model._meta.get_field(field_name)
    hash_field = model._meta.get_field(f"{field_name}_hash")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table, pk, column = quote(model._meta.db_table), quote(model._meta.pk.column), quote(field.column)
    select = f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} <> '' ORDER BY {pk}"
    update = f"UPDATE {table} SET {column} = %s, {quote(hash_field.column)} = %s WHERE {pk} = %s"
    last: Any = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(f"{select} LIMIT {_MIGRATION_BATCH}", [last])
            rows = cursor.fetchall()
            if not rows:
                return
            updates = []
            for row_pk, stored in rows:
                encrypted = key_id_of(stored) != ""
                if forward and not encrypted:
                    updates.append((encrypt(stored), keyed_hash(stored), row_pk))
                elif not forward and encrypted:
                    updates.append((decrypt(stored), "", row_pk))
            if updates:
                cursor.executemany(update, updates)
            last = rows[-1][0]


def encrypt_column(app_label: str, model_name: str, field_name: str) -> Any:
    """A reversible ``RunPython`` that encrypts an existing plaintext column and fills ``<field>_hash``."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        _column_rewrite(
            apps,
            schema_editor,
            app_label=app_label,
            model_name=model_name,
            field_name=field_name,
            forward=True,
        )

    def backward(apps: Any, schema_editor: Any) -> None:
        _column_rewrite(
            apps,
            schema_editor,
            app_label=app_label,
            model_name=model_name,
            field_name=field_name,
            forward=False,
        )

    return migrations.RunPython(forward, backward, elidable=False)
