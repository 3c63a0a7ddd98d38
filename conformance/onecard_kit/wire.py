"""Protobuf code generated from protos/ at each run, and the card-token rule.

Only what docs/topics.md and the .proto comments say is used here: the kit plays a third-party
validator vendor who has those two and nothing else.
"""

import atexit
import hashlib
import hmac
import importlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace


def generate(protos_dir: Path) -> SimpleNamespace:
    """Runs protoc (grpcio-tools) over protos/onecard/v1 into a temp folder and imports it."""
    files = sorted(str(p.relative_to(protos_dir)) for p in (protos_dir / "onecard" / "v1").glob("*.proto"))
    if not files:
        raise SystemExit(f"no .proto files under {protos_dir}/onecard/v1")
    out = tempfile.mkdtemp(prefix="onecard-kit-pb-")
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{protos_dir}", f"--python_out={out}", *files],
        check=True,
    )
    sys.path.insert(0, out)
    mods = {name: importlib.import_module(f"onecard.v1.{name}_pb2") for name in ("common", "tap", "ack", "lists")}
    return SimpleNamespace(**mods)


def card_token(key_hex: str, card_number: str) -> bytes:
    """docs/topics.md "Card tokens": first 16 bytes of HMAC-SHA-256(hex-decoded key, normalised number)."""
    key = bytes.fromhex(key_hex)
    normalised = card_number.strip().upper().encode("utf-8")
    return hmac.new(key, normalised, hashlib.sha256).digest()[:16]


# docs/topics.md "Signed batches" and "Signed acks": the signature is the message's last field
# (TapBatch.signature = 14, BatchAck.signature = 15), 64 bytes, over a domain string followed by
# every payload byte before that field. Appending keeps the signed bytes exactly what was sent.
BATCH_DOMAIN = b"onecard.batch.v1\0"
ACK_DOMAIN = b"onecard.ack.v1\0"
BATCH_SIGNATURE_TAG = bytes([(14 << 3) | 2, 64])
ACK_SIGNATURE_TAG = bytes([(15 << 3) | 2, 64])


def sign_batch(unsigned: bytes, private_key) -> bytes:
    """A serialized TapBatch without signature → the bytes to publish (Ed25519 device key)."""
    return unsigned + BATCH_SIGNATURE_TAG + private_key.sign(BATCH_DOMAIN + unsigned)


def ack_signature_problem(payload: bytes, ack, keys: dict) -> str | None:
    """Why a BatchAck's signature does not hold with the list keys by id, or None when it does."""
    from cryptography.exceptions import InvalidSignature

    if len(ack.signature) != 64 or payload[-66:-64] != ACK_SIGNATURE_TAG or payload[-64:] != ack.signature:
        return "the ack's signature is not its last field of 64 bytes"
    key = keys.get(ack.key_id)
    if key is None:
        return f"the ack is signed with key {ack.key_id!r}, not a list key the kit holds"
    try:
        key.verify(ack.signature, ACK_DOMAIN + payload[:-66])
    except InvalidSignature:
        return "the ack's signature does not verify"
    return None


# The test vector of docs/topics.md "Card tokens".
VECTOR_KEY_HEX = "07" * 32
VECTOR_CARDS = ("A12345678", " a12345678 ")
VECTOR_TOKEN_HEX = "644fd72577a0651e3054cce810467f71"

# The test vector of docs/topics.md "Signed batches and acks".
VECTOR_DEVICE_KEY_HEX = "09" * 32
VECTOR_BATCH_HEX = (
    "0a057665632d311205627573636f1a3608011080d0eab6b73318012210644fd72577a0651e3054cce810467f71"
    "2a0635303032323832090a037231321202733338014001480120e8d7eab6b733"
)
VECTOR_BATCH_SIGNATURE_HEX = (
    "88be162cf413c9206ef1e2da1e9a899322b99881380ecd898b2fcbe04f3a3c96"
    "c1d85fe57888073ca13829407c169b996750f63aca28d846661c8ca9da8fc607"
)
