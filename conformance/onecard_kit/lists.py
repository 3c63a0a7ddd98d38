"""Signed lists over HTTP: the framed stream and the SignedList signature (docs/topics.md
"Lists", protos/onecard/v1/lists.proto SignedList)."""

import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

DOMAIN = b"onecard.list.v1\0"
MAX_FRAME = 4 * 1024 * 1024


def parse_keys(spec: str) -> dict[str, Ed25519PublicKey]:
    """"keyId:<64 hex>[,keyId:<64 hex>…]", the format devices hold (ONECARD_EDGE_LIST_KEYS)."""
    keys = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key_id, _, hex_key = part.partition(":")
        raw = bytes.fromhex(hex_key)
        if not key_id or len(raw) != 32:
            raise ValueError(f"{part!r} is not keyId:<64 hex chars>")
        keys[key_id] = Ed25519PublicKey.from_public_bytes(raw)
    if not keys:
        raise ValueError("no list public key given")
    return keys


def read_stream(data: bytes) -> tuple[bytes, bytes]:
    """Splits frame* | u32 0 | trailer into (all record bytes in order, trailer bytes)."""
    records, o = bytearray(), 0
    while True:
        if o + 4 > len(data):
            raise ValueError("stream ends inside a frame length")
        (n,) = struct.unpack_from(">I", data, o)
        o += 4
        if n == 0:
            break
        if n > MAX_FRAME or o + n > len(data):
            raise ValueError(f"frame of {n} bytes does not fit")
        records += data[o : o + n]
        o += n
    (n,) = struct.unpack_from(">I", data, o)
    trailer = data[o + 4 : o + 4 + n]
    if len(trailer) != n or o + 4 + n != len(data):
        raise ValueError("trailer length does not match the stream")
    return bytes(records), trailer


def signed_bytes(env, body_sha256: bytes) -> bytes:
    """The canonical bytes of lists.proto SignedList (big-endian); the store generation last,
    only when there is one."""
    scope, key_id = env.scope.encode(), env.key_id.encode()
    generation = env.store_generation.encode()
    return (
        DOMAIN
        + struct.pack(">BBH", env.kind, env.type, len(scope))
        + scope
        + struct.pack(">QQqH", env.version, env.previous_version, env.issued_at_ms, len(key_id))
        + key_id
        + body_sha256
        + (struct.pack(">H", len(generation)) + generation if generation else b"")
    )


def verify(env, keys: dict[str, Ed25519PublicKey], records: bytes) -> str | None:
    """Why the envelope does not hold for these records, or None when it does."""
    digest = hashlib.sha256(records).digest()
    if env.body and hashlib.sha256(env.body).digest() != digest:
        return "body does not match the streamed records"
    claimed = env.body_sha256 or hashlib.sha256(env.body).digest()
    if claimed != digest:
        return "body_sha256 is not the SHA-256 of the streamed records"
    key = keys.get(env.key_id)
    if key is None:
        return f"unknown key id {env.key_id!r}"
    if len(env.signature) != 64:
        return "signature is not 64 bytes"
    try:
        key.verify(env.signature, signed_bytes(env, claimed))
    except InvalidSignature:
        return "signature does not verify"
    return None


def records_of(body: bytes, size: int) -> list[bytes]:
    if len(body) % size:
        raise ValueError(f"{len(body)} bytes are not whole {size}-byte records")
    return [body[i : i + size] for i in range(0, len(body), size)]
