"""SM2 / SM3 / SM4 through gmssl (GB/T 32918, 32905, 32907): the seals' key pairs, their private keys
encrypted at rest, the canonical encoding of a licence, its SM3 digest and its SM2 signature.

gmssl draws its signing nonces with ``random``, which is not fit for keys; every nonce and private key
here comes from ``secrets`` instead (a predictable nonce would give the private key away).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from gmssl import sm2, sm3, sm4

_CURVE = sm2.default_ecc_table
_ORDER = int(_CURVE["n"], 16)


class SealKeyError(Exception):
    """A seal's private key cannot be recovered (the seal secret changed, or the row was tampered with)."""


def canonical(value: Any) -> bytes:
    """The one byte encoding that is digested and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def sm3_hex(data: bytes) -> str:
    return str(sm3.sm3_hash(list(data)))


def _scalar() -> int:
    return secrets.randbelow(_ORDER - 1) + 1


def _crypt(private_key: str = "", public_key: str = "") -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key=private_key, public_key="")
    # Set after construction: gmssl's constructor ``lstrip("04")``s a key that starts with "04", which
    # mangles the 1 in 256 raw keys whose x coordinate begins with those digits.
    crypt.public_key = public_key
    return crypt


def keypair_new() -> tuple[str, str]:
    """A fresh SM2 key pair as hex: (private key d, public key x ‖ y)."""
    d = _scalar()
    public = _crypt()._kg(d, _CURVE["g"])  # d·G: gmssl's scalar multiplication
    return f"{d:064x}", str(public)


def public_key_of(private_key: str) -> str:
    return str(_crypt()._kg(int(private_key, 16), _CURVE["g"]))


def _seal_key() -> bytes:
    return bytes.fromhex(sm3_hex(str(settings.YICHUANG_SEAL_SECRET).encode()))[:16]


def private_key_encrypt(private_key: str) -> bytes:
    """SM4-CBC under the key derived from ``YICHUANG_SEAL_SECRET``: 16-byte IV ‖ ciphertext."""
    iv = secrets.token_bytes(16)
    cipher = sm4.CryptSM4()
    cipher.set_key(_seal_key(), sm4.SM4_ENCRYPT)
    return iv + bytes(cipher.crypt_cbc(iv, bytes.fromhex(private_key)))


def private_key_decrypt(stored: bytes, public_key: str) -> str:
    """The private key again, checked against the seal's public key (a wrong secret cannot sign)."""
    stored = bytes(stored)
    cipher = sm4.CryptSM4()
    cipher.set_key(_seal_key(), sm4.SM4_DECRYPT)
    try:
        private_key = bytes(cipher.crypt_cbc(stored[:16], stored[16:])).hex()
        matches = len(private_key) == 64 and public_key_of(private_key) == public_key
    except (ValueError, IndexError):
        matches = False
    if not matches:
        raise SealKeyError("电子印章的私钥无法解密：印章密钥（YICHUANG_SEAL_SECRET）与制章时不一致")
    return private_key


def sign(private_key: str, public_key: str, data: bytes) -> str:
    """SM2 signature (r ‖ s, hex) over the SM3 digest of Z ‖ data (GB/T 32918 with the default user ID)."""
    return str(_crypt(private_key, public_key).sign_with_sm3(data, f"{_scalar():064x}"))


def verify(public_key: str, data: bytes, signature: str) -> bool:
    try:
        return bool(_crypt(public_key=public_key).verify_with_sm3(signature, data))
    except (ValueError, IndexError, TypeError):
        return False
