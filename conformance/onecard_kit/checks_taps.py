"""The tap exchange (docs/topics.md "The tap exchange", "Tap and batch fields")."""

import secrets
import time

from .session import INVALID_TAP


def _result(k, ack, seq):
    hits = [r for r in ack.results if r.seq == seq]
    if len(hits) != 1:
        raise AssertionError(f"ack has {len(hits)} results for seq {seq}: {ack}")
    return hits[0]


def charge_once(k):
    """A good tap: acked, charged, the balance after it is the card's balance over HTTP."""
    tap = k.tap()
    ack, payload = k.send([tap])
    k.first = (tap.seq, payload)
    r = _result(k, ack, tap.seq)
    if ack.device_id != k.device_id or ack.from_seq != tap.seq or ack.to_seq != tap.seq:
        raise AssertionError(f"ack names {ack.device_id} {ack.from_seq}..{ack.to_seq}")
    if r.outcome != k.pb.ack.OUTCOME_CHARGED or r.duplicate:
        raise AssertionError(f"outcome {r.outcome} duplicate {r.duplicate}, reason {k.reason_name(r.reason)}")
    if r.charged_fen <= 0:
        raise AssertionError(f"charged {r.charged_fen} fen: the kit needs a place with a fare (reason {k.reason_name(r.reason)})")
    if r.balance_after_fen != k.balance_fen - r.charged_fen:
        raise AssertionError(f"balance after {r.balance_after_fen}, expected {k.balance_fen} - {r.charged_fen}")
    if k.card_balance() != r.balance_after_fen:
        raise AssertionError(f"HTTP balance {k.card_balance()} != acked {r.balance_after_fen}")
    k.first_result = r
    k.balance_fen = r.balance_after_fen
    return f"charged {r.charged_fen} fen, balance {r.balance_after_fen}, reason {k.reason_name(r.reason)}"


def resend_duplicate(k):
    """The same batch again: duplicate=true, the original result repeated, nothing charged."""
    seq, payload = k.first
    k.broker.publish(k.topic("taps"), payload)
    r = _result(k, k.ack_for(seq), seq)
    f = k.first_result
    if not r.duplicate:
        raise AssertionError("duplicate is false on a resent tap")
    if (r.outcome, r.charged_fen, r.balance_after_fen, r.reason) != (f.outcome, f.charged_fen, f.balance_after_fen, f.reason):
        raise AssertionError(f"resent result {r} differs from the original {f}")
    if k.card_balance() != k.balance_fen:
        raise AssertionError(f"HTTP balance {k.card_balance()}, expected {k.balance_fen} (charged again?)")
    return f"duplicate=true, balance still {k.balance_fen}"


def seq_conflict(k):
    """The first tap's seq, same journal epoch, another card (docs/topics.md "Journal epochs"):
    SEQ_CONFLICT, nothing charged, never the first tap's result; the ack names the epoch."""
    seq, _ = k.first
    tap = k.tap(seq=seq, card_token=secrets.token_bytes(16))
    k.broker.publish(k.topic("taps"), k.batch([tap]))
    ack = k.ack_for(seq)
    r = _result(k, ack, seq)
    got = (k.reason_name(r.reason), r.outcome, r.charged_fen, r.balance_after_fen, r.duplicate)
    if got != ("SEQ_CONFLICT", k.pb.ack.OUTCOME_RECORDED, 0, 0, False):
        raise AssertionError(f"(reason, outcome, charged, balance after, duplicate) = {got}")
    if ack.journal_epoch != k.journal_epoch:
        raise AssertionError(f"ack journal_epoch {ack.journal_epoch.hex()}, sent {k.journal_epoch.hex()}")
    if k.card_balance() != k.balance_fen:
        raise AssertionError(f"HTTP balance {k.card_balance()}, expected {k.balance_fen}")
    return "SEQ_CONFLICT, not charged"


def _recorded(k, r, reason):
    name = k.reason_name(r.reason)
    if name != reason or r.outcome != k.pb.ack.OUTCOME_RECORDED or r.charged_fen != 0 or r.duplicate:
        raise AssertionError(f"reason {name}, outcome {r.outcome}, charged {r.charged_fen}, duplicate {r.duplicate}")


def unknown_card(k):
    """A token the gateway never issued: recorded, nothing charged."""
    tap = k.tap(card_token=secrets.token_bytes(16))
    ack, _ = k.send([tap])
    _recorded(k, _result(k, ack, tap.seq), "UNKNOWN_CARD")
    return "UNKNOWN_CARD, recorded"


def elsewhere(k):
    """A place the device is not registered for (docs/decisions/0161): recorded, not charged."""
    field = next(f for f in ("route_id", "station_id", "venue_id") if getattr(k.s, f))
    tap = k.tap(**{field: f"{getattr(k.s, field)}-elsewhere"})
    ack, _ = k.send([tap])
    _recorded(k, _result(k, ack, tap.seq), "LOCATION_NOT_ALLOWED")
    if k.card_balance() != k.balance_fen:
        raise AssertionError(f"HTTP balance {k.card_balance()}, expected {k.balance_fen}")
    return f"LOCATION_NOT_ALLOWED for another {field}"


def _invalid(mutate, ack_from=None):
    """One malformed tap alone in a batch: acked INVALID_TAP, recorded, nothing charged."""

    def check(k):
        tap = mutate(k)
        want_seq = 0 if ack_from == 0 else tap.seq
        ack, _ = k.send([tap], ack_from=want_seq)
        _recorded(k, _result(k, ack, want_seq), INVALID_TAP)
        return f"{INVALID_TAP}, seq {want_seq}"

    return check


def _c(k):
    return k.pb.common


EARLIEST_MS = 1577836800000  # 2020-01-01T00:00Z
DAY_MS = 24 * 3600 * 1000

INVALID = [
    ("seq 0", _invalid(lambda k: k.tap(seq=0), ack_from=0)),
    ("seq above 2^53 - 1", _invalid(lambda k: k.tap(seq=2**53), ack_from=0)),
    ("device_time_ms before 2020", _invalid(lambda k: k.tap(device_time_ms=EARLIEST_MS - 1))),
    ("device_time_ms over a day ahead", _invalid(lambda k: k.tap(device_time_ms=int(time.time() * 1000) + 2 * DAY_MS))),
    ("credential unspecified", _invalid(lambda k: k.tap(credential=_c(k).CREDENTIAL_KIND_UNSPECIFIED))),
    ("credential unknown value", _invalid(lambda k: k.tap(credential=9))),
    ("card_token of 15 bytes", _invalid(lambda k: k.tap(card_token=k.token[:15]))),
    ("card_token of 17 bytes", _invalid(lambda k: k.tap(card_token=k.token + b"\0"))),
    ("card_token empty", _invalid(lambda k: k.tap(card_token=b""))),
    ("issuing_region of 5 digits", _invalid(lambda k: k.tap(issuing_region="11000"))),
    ("issuing_region not digits", _invalid(lambda k: k.tap(issuing_region="11000X"))),
    ("route_id with a space", _invalid(lambda k: k.tap(route_id="r 1"))),
    ("stop_id of 65 characters", _invalid(lambda k: k.tap(stop_id="s" * 65))),
    ("station_id with a slash", _invalid(lambda k: k.tap(station_id="a/b"))),
    ("venue_id with a space", _invalid(lambda k: k.tap(venue_id="v 1"))),
    ("direction unspecified", _invalid(lambda k: k.tap(direction=_c(k).DIRECTION_UNSPECIFIED))),
    ("direction unknown value", _invalid(lambda k: k.tap(direction=9))),
    ("decision unspecified", _invalid(lambda k: k.tap(decision=_c(k).DECISION_UNSPECIFIED))),
    ("decision unknown value", _invalid(lambda k: k.tap(decision=9))),
    ("reason unspecified", _invalid(lambda k: k.tap(reason=_c(k).REASON_UNSPECIFIED))),
    ("reason unknown value", _invalid(lambda k: k.tap(reason=999))),
    ("entitlement_id with a space", _invalid(lambda k: k.tap(entitlement_id="pass 1"))),
    ("entitlement_to_day without an entitlement_id", _invalid(lambda k: _last_day(k, 0, entitlement_id=""))),
    ("entitlement_to_day 32 days after the tap", _invalid(lambda k: _last_day(k, 32))),
    ("entitlement_to_day 2 days before the tap", _invalid(lambda k: _last_day(k, -2))),
    ("entitlement_to_day 2^32 - 1", _invalid(lambda k: k.tap(entitlement_id="t-1", entitlement_to_day=2**32 - 1))),
]


def _last_day(k, days_after, entitlement_id="t-1"):
    """A tap naming its entitlement's last day: days after the tap's day in China Standard Time."""
    tap = k.tap(entitlement_id=entitlement_id)
    tap.entitlement_to_day = (tap.device_time_ms + 8 * 3600 * 1000) // DAY_MS + days_after
    return tap


def seq_twice(k):
    """Two taps with one seq in a batch: the first is taken, the second is INVALID_TAP."""
    seq = k.seq()
    ack, _ = k.send([k.tap(seq=seq), k.tap(seq=seq)])
    results = sorted((k.reason_name(r.reason), r.charged_fen, r.balance_after_fen) for r in ack.results if r.seq == seq)
    if len(results) != 2 or sum(1 for name, _, _ in results if name == INVALID_TAP) != 1:
        raise AssertionError(f"results for seq {seq}: {results}")
    taken = next(r for r in results if r[0] != INVALID_TAP)
    k.balance_fen -= taken[1]
    if taken[2] != k.balance_fen:
        raise AssertionError(f"balance after {taken[2]}, expected {k.balance_fen}")
    return f"one taken ({taken[0]}), one {INVALID_TAP}"


def invalid_charge_nothing(k):
    """Over HTTP: the balance moved only by the taps the gateway took."""
    if k.card_balance() != k.balance_fen:
        raise AssertionError(f"HTTP balance {k.card_balance()}, expected {k.balance_fen}")
    return f"balance {k.balance_fen}"


CHECKS = [
    ("taps: one tap charged once", charge_once),
    ("taps: resent batch is duplicate, not charged", resend_duplicate),
    ("taps: same seq and epoch with another card is SEQ_CONFLICT", seq_conflict),
    ("taps: unknown card recorded, not charged", unknown_card),
    ("taps: another place than registered", elsewhere),
    *[(f"invalid tap: {name}", fn) for name, fn in INVALID],
    ("invalid tap: seq twice in a batch", seq_twice),
    ("invalid taps: balance over HTTP", invalid_charge_nothing),
]
