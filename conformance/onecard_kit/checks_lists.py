"""Signed lists over HTTP (docs/topics.md "Lists", lists.proto SignedList): the concession
flags list, which a card issued with a concession joins, and the deny list, which it joins
when reported lost."""

import time

from . import lists
from .session import test_card_number
from .wire import card_token

SENIOR = 1  # lists.proto LIST_KIND_FLAGS: the flag bits


def issue_concession_card(k):
    number = test_card_number()
    k.http.json(
        "POST",
        "/v1/cards",
        {"cardNumber": number, "region": k.s.region, "concessions": ["SENIOR"]},
        auth=k.admin,
        expect=201,
    )
    k.senior_token = card_token(k.s.token_key_hex, number)
    return f"token {k.senior_token.hex()}"


def needs_credential(k):
    status, _, _ = k.http.call("GET", "/v1/lists/flags/all?since=0")
    if status != 401:
        raise AssertionError(f"answered {status} without a credential")
    status, _, _ = k.http.call("GET", "/v1/lists/flags/all?since=0", auth="Device not-a-credential")
    if status != 401:
        raise AssertionError(f"answered {status} to a made-up credential")
    return "401 without, 401 with a made-up one"


def _fetch(k, kind, since):
    return k.http.call("GET", f"/v1/lists/{kind}/all?since={since}", auth=f"Device {k.credential}")


def _snapshot(k, kind, wire_kind):
    """GET the whole list from version 0: framing, digest and signature checked."""
    status, headers, raw = _fetch(k, kind, 0)
    if status != 200 or headers.get("content-type") != "application/octet-stream":
        raise AssertionError(f"GET /v1/lists/{kind}/all?since=0: {status} {headers.get('content-type')}")
    records, trailer = lists.read_stream(raw)
    env = k.pb.lists.SignedList.FromString(trailer)
    why = lists.verify(env, k.keys, records)
    if why:
        raise AssertionError(why)
    L = k.pb.lists
    if (env.kind, env.type, env.scope, env.previous_version) != (wire_kind, L.LIST_ENVELOPE_TYPE_SNAPSHOT, "all", 0):
        raise AssertionError(f"trailer is not a {kind} snapshot of scope all: {env}")
    if env.version < 1 or env.body:
        raise AssertionError(f"version {env.version}, body of {len(env.body)} bytes in a streamed trailer")
    # 17-byte records: 16-byte token, 1 byte (flags, or DenyReason); the last one for a key wins.
    latest = {rec[:16]: rec[16] for rec in lists.records_of(records, 17)}
    return env, records, latest, headers.get("x-onecard-list-type")


def _until_listed(k, kind, wire_kind, listed):
    """The newest snapshot once listed(latest) holds: a change reaches the lists "within
    seconds" (docs/topics.md), so a gateway may publish it a moment after answering."""
    end = time.monotonic() + k.s.timeout_s
    while True:
        snap = _snapshot(k, kind, wire_kind)
        if listed(snap[2]):
            return snap
        if time.monotonic() > end:
            raise AssertionError(f"not on the {kind} list within {k.s.timeout_s} s: {snap[2].get(k.senior_token)}")
        time.sleep(0.1)


def snapshot_verifies(k):
    env, records, _, hint = _until_listed(
        k, "flags", k.pb.lists.LIST_KIND_FLAGS, lambda flags: flags.get(k.senior_token, 0) & SENIOR
    )
    k.snapshot = (env, records)
    return f"version {env.version}, {len(records) // 17} records, key {env.key_id}, header {hint}"


def lost_card_denied(k):
    """A card reported lost is on the deny list as DENY_REASON_LOST."""
    k.http.json("POST", f"/v1/cards/{k.senior_token.hex()}/lost", auth=k.admin)
    lost = k.pb.lists.DENY_REASON_LOST
    env, records, _, _ = _until_listed(
        k, "deny", k.pb.lists.LIST_KIND_DENY, lambda deny: deny.get(k.senior_token) == lost
    )
    return f"version {env.version}, {len(records) // 17} records"


def forgery_refused(k):
    """The verifier itself: one flipped bit in the signature, or one in the records, fails it."""
    env, records = k.snapshot
    forged = k.pb.lists.SignedList()
    forged.CopyFrom(env)
    forged.signature = bytes([env.signature[0] ^ 1]) + env.signature[1:]
    if lists.verify(forged, k.keys, records) is None:
        raise AssertionError("a flipped signature bit verified")
    if lists.verify(env, k.keys, records[:-1] + bytes([records[-1] ^ 1])) is None:
        raise AssertionError("a flipped record bit verified")
    forged.CopyFrom(env)
    forged.version += 1
    if lists.verify(forged, k.keys, records) is None:
        raise AssertionError("a changed version verified")
    return "signature, record and version tampering refused"


def current_answers_204(k):
    """At the newest version: 204, or (a live gateway moved on) a delta that verifies."""
    env, _ = k.snapshot
    status, _, raw = _fetch(k, "flags", env.version)
    if status == 204:
        return f"204 at version {env.version}"
    if status != 200:
        raise AssertionError(f"since={env.version}: {status}")
    records, trailer = lists.read_stream(raw)
    delta = k.pb.lists.SignedList.FromString(trailer)
    why = lists.verify(delta, k.keys, records)
    if why or delta.type != k.pb.lists.LIST_ENVELOPE_TYPE_DELTA or delta.previous_version != env.version:
        raise AssertionError(why or f"not a delta from {env.version}: {delta}")
    return f"delta {delta.previous_version}..{delta.version} verifies"


CHECKS = [
    ("lists: card with a concession issued", issue_concession_card),
    ("lists: device credential required", needs_credential),
    ("lists: flags snapshot verifies (Ed25519)", snapshot_verifies),
    ("lists: tampered copies refused", forgery_refused),
    ("lists: since=newest is current", current_answers_204),
    ("lists: a lost card is on the deny list", lost_card_denied),
]
