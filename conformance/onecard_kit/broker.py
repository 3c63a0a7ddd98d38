"""MQTT 5 for the kit: one client that publishes batches with QoS 1 and collects acks."""

import queue
import threading
import time
import uuid
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class Broker:
    """Connects as the kit's enrolled device: the username is its device id (the shipped broker
    makes the client id the username), the password the secret POST /v1/devices answered."""

    def __init__(self, url: str, timeout_s: float = 10.0, username: str = "", password: str = "", ca_file: str = ""):
        u = urlparse(url)
        if u.scheme not in ("mqtt", "mqtts", "tcp"):
            raise ValueError(f"MQTT URL {url!r}: use mqtt://host:port or mqtts://host:port")
        self.timeout_s = timeout_s
        self.messages: "queue.Queue[tuple[str, bytes]]" = queue.Queue()
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self._connect_error = None
        self._acks: dict[int, int] = {}
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=username or f"onecard-kit-{uuid.uuid4().hex[:12]}",
            protocol=mqtt.MQTTv5,
        )
        if username:
            self.client.username_pw_set(username, password)
        elif u.username:
            self.client.username_pw_set(u.username, u.password)
        if u.scheme == "mqtts":
            self.client.tls_set(ca_certs=ca_file or None)
        self.client.on_publish = self._on_publish
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *_a: self._subscribed.set()
        self.client.on_message = lambda _c, _u, m: self.messages.put((m.topic, m.payload))
        self.client.connect(u.hostname or "localhost", u.port or (8883 if u.scheme == "mqtts" else 1883), clean_start=True)
        self.client.loop_start()
        if not self._connected.wait(timeout_s):
            self._give_up()
            raise TimeoutError(f"no CONNACK from {url} within {timeout_s} s")
        if self._connect_error:
            # Stopped for good: left running, paho would reconnect by itself once the broker
            # takes the credentials, under the same client id, and take over the session of
            # the connection the caller makes next.
            self._give_up()
            raise ConnectionError(f"broker refused the connection: {self._connect_error}")

    def _give_up(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def _on_connect(self, _c, _u, _flags, reason_code, _props):
        if reason_code.is_failure:
            self._connect_error = str(reason_code)
        self._connected.set()

    def _on_publish(self, _c, _u, mid, reason_code, _props):
        self._acks[mid] = reason_code.value if hasattr(reason_code, "value") else int(reason_code)

    def subscribe(self, topic: str) -> None:
        self._subscribed.clear()
        self.client.subscribe(topic, qos=1)
        if not self._subscribed.wait(self.timeout_s):
            raise TimeoutError(f"no SUBACK for {topic}")

    def publish(self, topic: str, payload: bytes) -> int:
        """QoS 1, not retained; returns the PUBACK's MQTT 5 reason code once the broker answered
        (0: taken; 0x87: not authorised, e.g. another device's topic)."""
        info = self.client.publish(topic, payload, qos=1, retain=False)
        info.wait_for_publish(self.timeout_s)
        if not info.is_published():
            raise TimeoutError(f"no PUBACK for {topic}")
        return self._acks.pop(info.mid, 0)

    def wait_for(self, match, what: str, timeout_s: float | None = None):
        """The first message (topic, payload) for which match(...) returns a value; others are kept."""
        end = time.monotonic() + (timeout_s or self.timeout_s)
        kept = []
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"timed out waiting for {what}")
                try:
                    topic, payload = self.messages.get(timeout=left)
                except queue.Empty:
                    continue
                value = match(topic, payload)
                if value is not None:
                    return value
                kept.append((topic, payload))
        finally:
            for m in kept:
                self.messages.put(m)

    def drain(self) -> list[tuple[str, bytes]]:
        """Every message received and not yet taken."""
        out = []
        while True:
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
