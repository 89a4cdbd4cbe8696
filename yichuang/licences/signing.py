"""SM2 / SM3 / SM4 through Tongsuo (GB/T 32918, 32905, 32907): the seals' key pairs, their private keys
encrypted at rest, the canonical encoding of a licence, its SM3 digest and its SM2 signature.

Tongsuo (``tongsuopy``) is the OpenAtom fork of OpenSSL with the Chinese algorithms in C: an SM2 verify
takes about 0.3 ms, against 13 ms in a pure-Python implementation (docs/decisions.md 14). Signatures are
the standard SM2-with-SM3 of GB/T 32918.2 over Z ‖ message with the default user ID
``1234567812345678``, kept as r ‖ s in hex (GB/T 35276), so any conforming implementation verifies them;
the tests check that against gmssl, an independent pure-Python implementation.
"""

from __future__ import annotations

import functools
import json
import secrets
from typing import Any

from django.conf import settings
from tongsuopy.crypto import hashes
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.asymciphers.utils import encode_dss_signature
from tongsuopy.crypto.ciphers import Cipher, algorithms, modes
from tongsuopy.crypto.exceptions import InvalidSignature

_CURVE = ec.SM2()
_SIGNATURE = ec.ECDSA(hashes.SM3())
_COORDINATE_HEX = 64


class SealKeyError(Exception):
    """A seal's private key cannot be recovered (the seal secret changed, or the row was tampered with)."""


def canonical(value: Any) -> bytes:
    """The one byte encoding that is digested and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _public_hex(key: ec.EllipticCurvePublicKey) -> str:
    numbers = key.public_numbers()
    return f"{numbers.x:064x}{numbers.y:064x}"


def keypair_new() -> tuple[str, str]:
    """A fresh SM2 key pair as hex: (private key d, public key x ‖ y). Tongsuo draws d from its CSPRNG."""
    key = ec.generate_private_key(_CURVE)
    return f"{key.private_numbers().private_value:064x}", _public_hex(key.public_key())


def _private_key(private_key: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int(private_key, 16), _CURVE)


def public_key_of(private_key: str) -> str:
    return _public_hex(_private_key(private_key).public_key())


@functools.lru_cache(maxsize=256)
def _public_key(public_key: str) -> ec.EllipticCurvePublicKey:
    """A published key, parsed once: there are a few seals and many verifications."""
    if len(public_key) != 2 * _COORDINATE_HEX:
        raise ValueError("an SM2 public key is x ‖ y, 128 hex digits")
    x, y = int(public_key[:_COORDINATE_HEX], 16), int(public_key[_COORDINATE_HEX:], 16)
    return ec.EllipticCurvePublicNumbers(x, y, _CURVE).public_key()


def _seal_key() -> bytes:
    return bytes.fromhex(sm3_hex(str(settings.YICHUANG_SEAL_SECRET).encode()))[:16]


def _sm4(iv: bytes) -> Cipher:
    return Cipher(algorithms.SM4(_seal_key()), modes.CBC(iv))


def private_key_encrypt(private_key: str) -> bytes:
    """SM4-CBC under the key derived from ``YICHUANG_SEAL_SECRET``: 16-byte IV ‖ ciphertext (32 bytes)."""
    iv = secrets.token_bytes(16)
    encryptor = _sm4(iv).encryptor()
    return iv + encryptor.update(bytes.fromhex(private_key)) + encryptor.finalize()


def private_key_decrypt(stored: bytes, public_key: str) -> str:
    """The private key again, checked against the seal's public key (a wrong secret cannot sign)."""
    stored = bytes(stored)
    try:
        decryptor = _sm4(stored[:16]).decryptor()
        private_key = (decryptor.update(stored[16:]) + decryptor.finalize()).hex()
        matches = len(private_key) == _COORDINATE_HEX and public_key_of(private_key) == public_key
    except ValueError:
        matches = False
    if not matches:
        raise SealKeyError("电子印章的私钥无法解密：印章密钥（YICHUANG_SEAL_SECRET）与制章时不一致")
    return private_key


def _der_integers(der: bytes) -> tuple[int, int]:
    """r and s from the DER ``SEQUENCE { INTEGER r, INTEGER s }`` that Tongsuo returns (short lengths)."""
    values = []
    at = 2 if der[1] < 0x80 else 3
    for _ in range(2):
        length = der[at + 1]
        values.append(int.from_bytes(der[at + 2 : at + 2 + length], "big"))
        at += 2 + length
    return values[0], values[1]


def sign(private_key: str, data: bytes) -> str:
    """SM2 signature (r ‖ s, hex) over the SM3 digest of Z ‖ data (GB/T 32918 with the default user ID)."""
    r, s = _der_integers(_private_key(private_key).sign(data, _SIGNATURE))
    return f"{r:064x}{s:064x}"


def verify(public_key: str, data: bytes, signature: str) -> bool:
    try:
        if len(signature) != 2 * _COORDINATE_HEX:
            return False
        r, s = int(signature[:_COORDINATE_HEX], 16), int(signature[_COORDINATE_HEX:], 16)
        _public_key(public_key).verify(encode_dss_signature(r, s), data, _SIGNATURE)
    except (ValueError, InvalidSignature):
        return False
    return True
