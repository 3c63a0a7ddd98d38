"""Checks before any tap: the token rule's test vector, health, login, enrolment, the card."""

import json
import time

from .wire import (
    VECTOR_BATCH_HEX,
    VECTOR_BATCH_SIGNATURE_HEX,
    VECTOR_CARDS,
    VECTOR_DEVICE_KEY_HEX,
    VECTOR_KEY_HEX,
    VECTOR_TOKEN_HEX,
    card_token,
    sign_batch,
)


def token_vector(_k):
    got = {card_token(VECTOR_KEY_HEX, c).hex() for c in VECTOR_CARDS}
    if got != {VECTOR_TOKEN_HEX}:
        raise AssertionError(f"derived {sorted(got)}, docs say {VECTOR_TOKEN_HEX}")
    return VECTOR_TOKEN_HEX


def signing_vector(k):
    """The documented batch, serialized by this kit's protobuf library and signed here."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    c, t = k.pb.common, k.pb.tap
    batch = t.TapBatch(
        device_id="vec-1",
        operator_id="busco",
        sent_at_ms=1767225601000,
        taps=[
            t.Tap(
                seq=1,
                device_time_ms=1767225600000,
                credential=c.CREDENTIAL_KIND_CARD,
                card_token=bytes.fromhex(VECTOR_TOKEN_HEX),
                issuing_region="500228",
                location=t.Location(route_id="r12", stop_id="s3"),
                direction=c.DIRECTION_BOARD,
                decision=c.DECISION_ALLOW,
                reason=c.REASON_OK,
            )
        ],
    ).SerializeToString()
    if batch.hex() != VECTOR_BATCH_HEX:
        raise AssertionError(f"serialized {batch.hex()}, docs say {VECTOR_BATCH_HEX}")
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR_DEVICE_KEY_HEX))
    signed = sign_batch(batch, key)
    if signed.hex() != VECTOR_BATCH_HEX + "7240" + VECTOR_BATCH_SIGNATURE_HEX:
        raise AssertionError(f"signed {signed[-64:].hex()}, docs say {VECTOR_BATCH_SIGNATURE_HEX}")
    return VECTOR_BATCH_SIGNATURE_HEX[:16] + "…"


def healthz(k):
    status, _, raw = k.http.call("GET", "/healthz")
    if status != 200:
        raise AssertionError(f"GET /healthz: {status}")
    return raw.decode()[:60]


def readyz(k):
    status, _, raw = k.http.call("GET", "/readyz")
    body = json.loads(raw)
    if status != 200 or body.get("ready") is not True:
        raise AssertionError(f"GET /readyz: {status} {body}")
    return ", ".join(f"{name}={ok}" for name, ok in sorted(body.get("checks", {}).items()))


def metrics(k):
    status, headers, raw = k.http.call("GET", "/metrics")
    if status != 200 or not headers.get("content-type", "").startswith("text/plain"):
        raise AssertionError(f"GET /metrics: {status} {headers.get('content-type')}")
    return f"{len(raw.splitlines())} lines"


def reasons(k):
    """Every Reason the kit checks for has a name and display texts."""
    table = k.http.json("GET", "/v1/reasons")
    want = {"OK", "INVALID_TAP", "DUPLICATE", "LOCATION_NOT_ALLOWED"}
    missing = sorted(n for n in want if not (table.get(n) or {}).get("en"))
    if missing:
        raise AssertionError(f"no display text for {missing}")
    return f"{len(table)} reasons"


def openapi(k):
    doc = k.http.json("GET", "/openapi.json")
    paths = doc.get("paths", {})
    need = ["/v1/devices", "/v1/cards", "/v1/lists/{kind}/{scope}"]
    missing = [p for p in need if p not in paths]
    if missing:
        raise AssertionError(f"OpenAPI lacks {missing}")
    return f"{len(paths)} paths"


def login(k):
    k.admin = k.http.login(k.s.username, k.s.password)
    return "Bearer session"


def enrol(k):
    body = {
        "deviceId": k.device_id,
        "operatorId": k.s.operator_id,
        "profile": k.s.profile,
        "publicKey": k.public_key_hex,
    }
    for key, value in (("routeId", k.s.route_id), ("stationId", k.s.station_id), ("venueId", k.s.venue_id)):
        if value:
            body[key] = value
    answer = k.http.json("POST", "/v1/devices", body, auth=k.admin, expect=201)
    k.credential = answer.get("credential", "")
    k.secret = answer.get("secret", "")
    if not k.credential or not k.secret:
        raise AssertionError("POST /v1/devices answered no credential and secret")
    if answer.get("publicKey") != k.public_key_hex or "privateKey" in answer:
        raise AssertionError("POST /v1/devices did not keep the device's own public key")
    return f"{k.s.operator_id}/{k.device_id} ({k.s.profile})"


def issue_card(k):
    """The token the gateway answers is the one the documented rule derives."""
    balance = 10_000
    answer = k.http.json(
        "POST",
        "/v1/cards",
        {"cardNumber": k.card_number, "region": k.s.region, "balanceFen": balance},
        auth=k.admin,
        expect=201,
    )
    if answer["token"] != k.token.hex():
        raise AssertionError(f"gateway token {answer['token']} != derived {k.token.hex()}")
    if answer["balanceFen"] != balance:
        raise AssertionError(f"balance {answer['balanceFen']}, issued with {balance}")
    k.balance_fen = balance
    return f"token {answer['token']} (masked {answer['masked']})"


def mqtt_connect(k):
    from .broker import Broker

    # As the enrolled device (docs/topics.md "Credentials"); the broker may take a moment to
    # load a device enrolled a moment ago, so a refusal is retried within the timeout.
    end = time.monotonic() + k.s.timeout_s
    while True:
        try:
            k.broker = Broker(k.s.mqtt_url, k.s.timeout_s, k.device_id, k.secret, k.s.mqtt_ca_file)
            break
        except ConnectionError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)
    # Every ack under the kit's operator: an ack for a batch refused whole, on any device's
    # topic, would show here (a broker with the shipped ACL delivers the device its own only).
    k.broker.subscribe(f"onecard/v1/{k.s.operator_id}/+/ack")
    return "MQTT 5 as the enrolled device, subscribed to the ack topics"


CHECKS = [
    ("token: test vector of docs/topics.md", token_vector),
    ("signing: batch test vector of docs/topics.md", signing_vector),
    ("health: GET /healthz", healthz),
    ("health: GET /readyz", readyz),
    ("health: GET /metrics", metrics),
    ("health: GET /v1/reasons", reasons),
    ("health: GET /openapi.json", openapi),
    ("http: operator login", login),
    ("enrol: POST /v1/devices", enrol),
    ("card: POST /v1/cards, token by the rule", issue_card),
    ("mqtt: connect and subscribe", mqtt_connect),
]
