"""What the kit sets up once: the operator login, the enrolled device, the test card, the MQTT
client; and how it builds taps and waits for acks (docs/topics.md)."""

import secrets
import time
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .broker import Broker
from .gateway import Http
from .wire import ack_signature_problem, card_token, sign_batch

# Reason names as GET /v1/reasons and docs/reason-codes.md spell them (Reason enum without REASON_).
INVALID_TAP = "INVALID_TAP"


def test_card_number() -> str:
    """A card number no real card has: KIT and 13 random digits. Never printed."""
    return "KIT" + "".join(secrets.choice("0123456789") for _ in range(13))


@dataclass
class Settings:
    gateway_url: str
    username: str
    password: str
    mqtt_url: str
    token_key_hex: str
    list_keys: str
    operator_id: str
    profile: str
    route_id: str
    station_id: str
    venue_id: str
    region: str
    max_taps_per_batch: int
    timeout_s: float
    mqtt_ca_file: str = ""


@dataclass
class Session:
    s: Settings
    pb: object
    http: Http
    admin: str = ""
    device_id: str = field(default_factory=lambda: f"kit-{secrets.token_hex(6)}")
    credential: str = ""
    # The device's own Ed25519 key: enrolled by its public half, signs every batch.
    device_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    # The device's secret (its MQTT password); never printed.
    secret: str = ""
    card_number: str = field(default_factory=test_card_number)
    balance_fen: int = 0
    broker: Broker | None = None
    next_seq: int = 1
    # Each run is a new journal: seqs from 1 under an epoch of its own (docs/topics.md "Journal epochs").
    journal_epoch: bytes = field(default_factory=lambda: secrets.token_bytes(8))
    # The list public keys by id, and what one check leaves for the next.
    keys: dict = field(default_factory=dict)
    first: tuple | None = None  # (seq, batch bytes) of the first charged tap
    first_result: object = None
    senior_token: bytes = b""
    snapshot: tuple | None = None  # (SignedList trailer, record bytes)

    @property
    def token(self) -> bytes:
        return card_token(self.s.token_key_hex, self.card_number)

    @property
    def public_key_hex(self) -> str:
        return self.device_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def topic(self, leaf: str, device_id: str | None = None) -> str:
        return f"onecard/v1/{self.s.operator_id}/{device_id or self.device_id}/{leaf}"

    def seq(self) -> int:
        n = self.next_seq
        self.next_seq += 1
        return n

    def reason_name(self, code: int) -> str:
        return self.pb.common.Reason.Name(code).removeprefix("REASON_")

    def tap(self, seq: int | None = None, **fields):
        """A tap the gateway must accept at the device's registered place; fields override."""
        c, t = self.pb.common, self.pb.tap
        direction = {"metro_exit_gate": c.DIRECTION_EXIT, "bus_validator": c.DIRECTION_BOARD}.get(
            self.s.profile, c.DIRECTION_ENTRY
        )
        tap = t.Tap(
            seq=self.seq() if seq is None else seq,
            device_time_ms=int(time.time() * 1000),
            credential=c.CREDENTIAL_KIND_CARD,
            card_token=self.token,
            issuing_region=self.s.region,
            location=t.Location(route_id=self.s.route_id, station_id=self.s.station_id, venue_id=self.s.venue_id),
            direction=direction,
            decision=c.DECISION_ALLOW,
            reason=c.REASON_OK,
        )
        for name, value in fields.items():
            if name in ("route_id", "stop_id", "station_id", "venue_id"):
                setattr(tap.location, name, value)
            else:
                setattr(tap, name, value)
        return tap

    def batch(
        self,
        taps,
        device_id: str | None = None,
        operator_id: str | None = None,
        key: Ed25519PrivateKey | None = None,
        signed: bool = True,
    ) -> bytes:
        """A TapBatch signed with the device key (or `key`); unsigned only when told."""
        unsigned = self.pb.tap.TapBatch(
            device_id=device_id or self.device_id,
            operator_id=operator_id or self.s.operator_id,
            taps=taps,
            sent_at_ms=int(time.time() * 1000),
            journal_epoch=self.journal_epoch,
        ).SerializeToString()
        return sign_batch(unsigned, key or self.device_key) if signed else unsigned

    def ack_for(self, from_seq: int, device_id: str | None = None):
        """Waits for the BatchAck of this device whose from_seq is given."""
        want_topic = self.topic("ack", device_id)

        def match(topic, payload):
            if topic != want_topic:
                return None
            ack = self.pb.ack.BatchAck.FromString(payload)
            if ack.from_seq != from_seq:
                return None
            # A device deletes its journal only on an ack signed with a list key it trusts.
            problem = ack_signature_problem(payload, ack, self.keys)
            if problem:
                raise AssertionError(problem)
            return ack

        return self.broker.wait_for(match, f"the ack of the batch from seq {from_seq} on {want_topic}")

    def send(self, taps, ack_from: int | None = None):
        """Publishes one batch on the device's taps topic; returns its ack and the bytes sent.
        ack_from: the ack's from_seq when it is not the lowest seq (a tap whose seq is out of
        range is answered as seq 0, docs/topics.md)."""
        payload = self.batch(taps)
        self.broker.publish(self.topic("taps"), payload)
        return self.ack_for(min(t.seq for t in taps) if ack_from is None else ack_from), payload

    def card_balance(self) -> int:
        card = self.http.json("GET", f"/v1/cards/{self.token.hex()}", auth=self.admin)
        return card["balanceFen"]
