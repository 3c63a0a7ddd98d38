"""Batches refused whole: no ack, counted by reason (docs/topics.md "Tap and batch fields")."""

import secrets
import time

from .session import INVALID_TAP

COUNTER = "onecard_batches_rejected_total"


def _refused(reason, build, broker_may_refuse=False):
    """Publishes build(k) -> (topic, payload); the gateway counts it under reason and acks nothing.

    That no ack comes is shown without a timed wait: once the counter moved, the kit sends a
    sentinel batch (one malformed tap, so nothing is charged) on its own topic and waits for that
    ack; an ack for the refused batch would be among what arrived before it.

    broker_may_refuse: a broker with per-device ACLs (the shipped Mosquitto configuration) refuses
    the publish itself (PUBACK reason >= 0x80) and the gateway never sees it; that passes too."""

    def check(k):
        before = k.http.metric(COUNTER, {"reason": reason})
        topic, payload = build(k)
        k.broker.drain()
        code = k.broker.publish(topic, payload)
        refused_by_broker = broker_may_refuse and code >= 0x80
        end = time.monotonic() + k.s.timeout_s
        while not refused_by_broker and k.http.metric(COUNTER, {"reason": reason}) <= before:
            if time.monotonic() > end:
                raise AssertionError(f"{COUNTER}{{reason={reason}}} did not move")
            time.sleep(0.05)
        sentinel = k.tap(reason=k.pb.common.REASON_UNSPECIFIED)
        k.broker.publish(k.topic("taps"), k.batch([sentinel]))
        ack = k.ack_for(sentinel.seq)
        if [k.reason_name(r.reason) for r in ack.results] != [INVALID_TAP]:
            raise AssertionError(f"sentinel answered {ack}")
        stray = [t for t, _ in k.broker.drain() if t.endswith("/ack")]
        if stray:
            raise AssertionError(f"acks besides the sentinel's: {stray}")
        if refused_by_broker:
            return f"refused by the broker (PUBACK reason 0x{code:02x}), no ack"
        return f"no ack, counted as {reason}"

    return check


def _topic_mismatch(k):
    return k.topic("taps"), k.batch([k.tap()], device_id=f"{k.device_id}-other")


def _operator_mismatch(k):
    return k.topic("taps"), k.batch([k.tap()], operator_id=f"{k.s.operator_id}-other")


def _unknown_device(k):
    ghost = f"kit-ghost-{secrets.token_hex(4)}"
    return k.topic("taps", ghost), k.batch([k.tap()], device_id=ghost)


def _unsigned(k):
    return k.topic("taps"), k.batch([k.tap()], signed=False)


def _forged_signature(k):
    payload = bytearray(k.batch([k.tap()]))
    payload[-1] ^= 0x01
    return k.topic("taps"), bytes(payload)


def _other_key(k):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return k.topic("taps"), k.batch([k.tap()], key=Ed25519PrivateKey.generate())


def _not_protobuf(k):
    return k.topic("taps"), b"\xff\xff\xff\xff not a TapBatch"


def _empty(k):
    return k.topic("taps"), k.batch([])


def _too_many(k):
    first = k.seq()
    taps = [k.tap(seq=first + i) for i in range(k.s.max_taps_per_batch + 1)]
    k.next_seq = first + len(taps)
    return k.topic("taps"), k.batch(taps)


def balance_unchanged(k):
    if k.card_balance() != k.balance_fen:
        raise AssertionError(f"HTTP balance {k.card_balance()}, expected {k.balance_fen}")
    return f"balance {k.balance_fen}"


CHECKS = [
    ("refused batch: device_id not the topic's", _refused("TOPIC_MISMATCH", _topic_mismatch)),
    ("refused batch: operator_id not the topic's", _refused("TOPIC_MISMATCH", _operator_mismatch)),
    ("refused batch: unregistered device", _refused("UNKNOWN_DEVICE", _unknown_device, broker_may_refuse=True)),
    ("refused batch: not protobuf", _refused("MALFORMED_PROTOBUF", _not_protobuf)),
    ("refused batch: no signature", _refused("SIGNATURE_MISSING", _unsigned)),
    ("refused batch: signature does not verify", _refused("SIGNATURE_INVALID", _forged_signature)),
    ("refused batch: signed with another key", _refused("SIGNATURE_INVALID", _other_key)),
    ("refused batch: no taps", _refused("EMPTY_BATCH", _empty)),
    ("refused batch: too many taps", _refused("TOO_MANY_TAPS", _too_many)),
    ("refused batches: balance over HTTP", balance_unchanged),
]
