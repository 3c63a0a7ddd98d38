#!/usr/bin/env python3
"""onecard conformance kit: checks a gateway and its broker against the wire contract
(docs/topics.md and protos/onecard/v1/*.proto) the way a validator vendor's device talks to it.

Every setting comes from an argument or its environment variable (conformance/README.md).
Prints a pass/fail table; exits 0 only when every check passed."""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from onecard_kit import checks_lists, checks_refused, checks_setup, checks_taps, lists, wire  # noqa: E402
from onecard_kit.gateway import Http  # noqa: E402
from onecard_kit.report import Report  # noqa: E402
from onecard_kit.session import Session, Settings  # noqa: E402

STAGES = [checks_setup.CHECKS, checks_taps.CHECKS, checks_refused.CHECKS, checks_lists.CHECKS]

OPTIONS = [
    # (flag, environment variable, default, help)
    ("gateway-url", "ONECARD_KIT_GATEWAY_URL", None, "the gateway's HTTP base URL"),
    ("username", "ONECARD_KIT_USERNAME", None, "an operator account that registers devices and issues cards (admin)"),
    ("password", "ONECARD_KIT_PASSWORD", None, "its password"),
    ("mqtt-url", "ONECARD_KIT_MQTT_URL", None, "the broker the gateway listens on: mqtt://host:port (mqtts:// for TLS)"),
    ("mqtt-ca-file", "ONECARD_KIT_MQTT_CA_FILE", "", "CA certificate (PEM) of an mqtts:// broker; empty: the system's"),
    ("token-key", "ONECARD_KIT_TOKEN_KEY", None, "the system's card-token key, hex (docs/topics.md \"Card tokens\")"),
    ("list-keys", "ONECARD_KIT_LIST_KEYS", None, "the gateway's list public keys, keyId:<64 hex>[,...]"),
    ("operator-id", "ONECARD_KIT_OPERATOR_ID", "conformance", "operator id the test device is registered under"),
    ("profile", "ONECARD_KIT_PROFILE", "bus_validator", "the test device's profile"),
    ("route-id", "ONECARD_KIT_ROUTE_ID", "", "its route (bus_validator): a place with a fare above 0"),
    ("station-id", "ONECARD_KIT_STATION_ID", "", "its station (metro gates)"),
    ("venue-id", "ONECARD_KIT_VENUE_ID", "", "its venue (venue gates)"),
    ("region", "ONECARD_KIT_REGION", "110000", "issuing region of the test cards (6 digits)"),
    ("max-taps-per-batch", "ONECARD_KIT_MAX_TAPS_PER_BATCH", "1000", "the gateway's ONECARD_MAX_TAPS_PER_BATCH"),
    ("timeout", "ONECARD_KIT_TIMEOUT_S", "10", "longest wait for one answer, seconds"),
]


def settings(argv) -> tuple[Settings, argparse.Namespace]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for flag, env, default, help_text in OPTIONS:
        p.add_argument(f"--{flag}", default=os.environ.get(env, default), help=f"{help_text} (${env})")
    p.add_argument("--protos", default=str(Path(__file__).resolve().parent.parent / "protos"), help="the protos/ folder")
    p.add_argument("--verbose", action="store_true", help="print a traceback for every failed check")
    p.add_argument("--list-checks", action="store_true", help="print the name of every check and exit")
    a = p.parse_args(argv)
    if a.list_checks:
        print("\n".join(name for stage in STAGES for name, _ in stage))
        raise SystemExit(0)
    missing = [f"--{f} (${e})" for f, e, _, _ in OPTIONS if getattr(a, f.replace("-", "_")) is None]
    if missing:
        p.error("missing " + ", ".join(missing))
    try:
        lists.parse_keys(a.list_keys)
    except ValueError as e:
        p.error(f"--list-keys: {e}")
    s = Settings(
        gateway_url=a.gateway_url,
        username=a.username,
        password=a.password,
        mqtt_url=a.mqtt_url,
        token_key_hex=a.token_key,
        list_keys=a.list_keys,
        operator_id=a.operator_id,
        profile=a.profile,
        route_id=a.route_id,
        station_id=a.station_id,
        venue_id=a.venue_id,
        region=a.region,
        max_taps_per_batch=int(a.max_taps_per_batch),
        timeout_s=float(a.timeout),
        mqtt_ca_file=a.mqtt_ca_file,
    )
    return s, a


def main(argv=None) -> int:
    s, a = settings(argv if argv is not None else sys.argv[1:])
    pb = wire.generate(Path(a.protos))
    k = Session(s=s, pb=pb, http=Http(s.gateway_url, s.timeout_s))
    k.keys = lists.parse_keys(s.list_keys)
    report = Report(verbose=a.verbose)
    # The setup must hold before anything else can be judged; after it, every check runs.
    broken = None
    for stage in STAGES:
        for name, fn in stage:
            if broken:
                report.skip_after(name, broken)
            elif not report.run(name, lambda fn=fn: fn(k)) and stage is checks_setup.CHECKS:
                broken = f"'{name}' failed"
    if k.broker:
        k.broker.close()
    print(report.table())
    return 1 if report.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
