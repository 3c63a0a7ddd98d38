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


# The test vector of docs/topics.md "Card tokens".
VECTOR_KEY_HEX = "07" * 32
VECTOR_CARDS = ("A12345678", " a12345678 ")
VECTOR_TOKEN_HEX = "644fd72577a0651e3054cce810467f71"
