"""Checks before any tap: the token rule's test vector, health, login, enrolment, the card."""

import json

from .wire import VECTOR_CARDS, VECTOR_KEY_HEX, VECTOR_TOKEN_HEX, card_token


def token_vector(_k):
    got = {card_token(VECTOR_KEY_HEX, c).hex() for c in VECTOR_CARDS}
    if got != {VECTOR_TOKEN_HEX}:
        raise AssertionError(f"derived {sorted(got)}, docs say {VECTOR_TOKEN_HEX}")
    return VECTOR_TOKEN_HEX


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
    body = {"deviceId": k.device_id, "operatorId": k.s.operator_id, "profile": k.s.profile}
    for key, value in (("routeId", k.s.route_id), ("stationId", k.s.station_id), ("venueId", k.s.venue_id)):
        if value:
            body[key] = value
    answer = k.http.json("POST", "/v1/devices", body, auth=k.admin, expect=201)
    k.credential = answer.get("credential", "")
    if not k.credential:
        raise AssertionError("POST /v1/devices answered no credential")
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

    k.broker = Broker(k.s.mqtt_url, k.s.timeout_s)
    # Every ack under the kit's operator: an ack for a batch refused whole, on any device's
    # topic, would show here.
    k.broker.subscribe(f"onecard/v1/{k.s.operator_id}/+/ack")
    return "MQTT 5, subscribed to the ack topics"


CHECKS = [
    ("token: test vector of docs/topics.md", token_vector),
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
