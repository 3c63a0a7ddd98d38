"""The gateway's HTTP API as a vendor's tool calls it (docs/topics.md "Enrolling a device")."""

import json
import urllib.error
import urllib.request


class Http:
    def __init__(self, base_url: str, timeout_s: float = 10.0):
        self.base = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def call(self, method: str, path: str, body=None, auth: str | None = None):
        """Returns (status, headers, body bytes); an HTTP error status is an answer, not an exception."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        if auth:
            req.add_header("authorization", auth)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, method: str, path: str, body=None, auth: str | None = None, expect: int = 200):
        status, _, raw = self.call(method, path, body, auth)
        if status != expect:
            raise AssertionError(f"{method} {path}: {status}, expected {expect}: {raw[:300]!r}")
        return json.loads(raw) if raw else None

    def login(self, username: str, password: str) -> str:
        """An operator session as a Bearer token (POST /v1/auth/login with "bearer": true)."""
        answer = self.json("POST", "/v1/auth/login", {"username": username, "password": password, "bearer": True})
        return f"Bearer {answer['token']}"

    def metric(self, name: str, labels: dict[str, str]) -> float:
        """One sample of GET /metrics (Prometheus text); 0 when the series has not appeared yet."""
        status, _, raw = self.call("GET", "/metrics")
        if status != 200:
            raise AssertionError(f"GET /metrics: {status}")
        want = ",".join(f'{k}="{v}"' for k, v in labels.items())
        prefix = f"{name}{{{want}}} " if want else f"{name} "
        for line in raw.decode().splitlines():
            if line.startswith(prefix):
                return float(line[len(prefix):].split()[0])
        return 0.0
