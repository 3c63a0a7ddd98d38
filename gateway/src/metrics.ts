// Prometheus metrics of one gateway instance (served at GET /metrics). One registry per
// instance so tests can run several gateways in one process.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { sha256 } from './addon/sha256.js';
import type { RelayStats } from './kafka/relay.js';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    batches: new Counter({
      name: 'onecard_batches_total',
      help: 'Tap batches accepted',
      registers: [registry],
    }),
    batchesRejected: new Counter({
      name: 'onecard_batches_rejected_total',
      help: 'Tap batches rejected whole, by reason (dead-lettered)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    taps: new Counter({
      name: 'onecard_taps_total',
      help: 'Taps committed, by outcome and reason',
      labelNames: ['outcome', 'reason'],
      registers: [registry],
    }),
    tapsRefused: new Counter({
      name: 'onecard_taps_refused_total',
      help: 'Taps recorded but not charged: a place the device is not registered for, or no fare for it (docs/decisions/0161)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    deadLettersDropped: new Counter({
      name: 'onecard_dead_letters_dropped_total',
      help: 'Oldest dead letters dropped to keep them within their count and byte bounds (docs/decisions/0160)',
      registers: [registry],
    }),
    deviceStatusDropped: new Counter({
      name: 'onecard_device_status_dropped_total',
      help: 'Device status messages not taken: bad_topic, unknown_device, other_operator (the device is registered under another operator), malformed',
      labelNames: ['reason'],
      registers: [registry],
    }),
    tapsDuplicate: new Counter({
      name: 'onecard_taps_duplicate_total',
      help: 'Redelivered taps answered from the dedupe record',
      registers: [registry],
    }),
    tapsSeqConflict: new Counter({
      name: 'onecard_taps_seq_conflict_total',
      help: 'Taps quarantined because their (device, journal epoch, seq) came before with other content (docs/decisions/0175), per delivery',
      registers: [registry],
    }),
    tapsBeyondWindow: new Counter({
      name: 'onecard_taps_beyond_window_total',
      help: 'Taps older than the dedupe window (docs/decisions/0196), never committed: came=before answered duplicate, came=unknown refused BEYOND_WINDOW',
      labelNames: ['came'] as const,
      registers: [registry],
    }),
    tapsInvalid: new Counter({
      name: 'onecard_taps_invalid_total',
      help: 'Malformed taps quarantined',
      registers: [registry],
    }),
    missingTapOuts: new Counter({
      name: 'onecard_missing_tap_out_sweep_total',
      help: 'Missing tap-outs the sweep committed, by outcome (applied, conflict, duplicate)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    commitConflicts: new Counter({
      name: 'onecard_commit_conflicts_total',
      help: 'Card version conflicts re-planned',
      registers: [registry],
    }),
    ingestErrors: new Counter({
      name: 'onecard_ingest_errors_total',
      help: 'Batches that failed with an internal error (device resends)',
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'onecard_batch_commit_seconds',
      help: 'From batch arrival to ack sent',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    denyChanges: new Counter({
      name: 'onecard_deny_list_changes_total',
      help: 'Deny-list changes published',
      registers: [registry],
    }),
    logins: new Counter({
      name: 'onecard_logins_total',
      help: 'Operator logins, by outcome (ok, bad_login, throttled: refused during a lockout)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    findings: new Counter({
      name: 'onecard_reconciliation_findings_total',
      help: 'Taps decided offline that would have been refused online (operator report)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    tenantRefusals: new Counter({
      name: 'onecard_tenant_refusals_total',
      help: "Requests refused for reaching another tenant's data (403 FORBIDDEN_TENANT), per route",
      labelNames: ['route'],
      registers: [registry],
    }),
  };
  // Which SHA-256 the tap path uses (docs/decisions/0247): a gateway without its addon (not built
  // where it was set up: no Node headers, or gcc failed) works, at ~0.4 µs more a tap, and this
  // says so.
  new Gauge({
    name: 'onecard_gateway_addon_in_use',
    help: "1 while the tap path hashes with the gateway's Node addon, 0 while with node:crypto",
    registers: [registry],
  }).set(sha256.name === 'addon' ? 1 : 0);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Which of onecard's Redis module commands the store runs (1) or runs the Lua script for instead
 * (0), read when Prometheus scrapes: a gateway whose Redis lacks the module works, slower, and
 * this is where that shows (docs/decisions/0232, 0233). No series for a store with none.
 */
export function registerStoreMetrics(
  metrics: Metrics,
  moduleCommands: () => ReadonlyMap<string, boolean>,
): void {
  new Gauge({
    name: 'onecard_redis_module_in_use',
    help: "1 while the store runs this command of onecard's Redis module, 0 while it runs the Lua script instead",
    labelNames: ['command'] as const,
    registers: [metrics.registry],
    collect() {
      for (const [command, used] of moduleCommands()) this.set({ command }, used ? 1 : 0);
    },
  });
}

/** Kafka relay figures, read when Prometheus scrapes. */
export function registerRelayMetrics(metrics: Metrics, stats: () => RelayStats): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'onecard_outbox_lag_seconds',
    help: 'Age of the oldest record not yet published to Kafka',
    registers,
    collect() {
      this.set(stats().lagMs / 1000);
    },
  });
  new Gauge({
    name: 'onecard_kafka_published_records',
    help: 'Records published to Kafka by this instance (resends count again)',
    registers,
    collect() {
      this.set(stats().published);
    },
  });
  new Gauge({
    name: 'onecard_kafka_relay_errors',
    help: 'Failed relay rounds (retried with backoff)',
    registers,
    collect() {
      this.set(stats().errors);
    },
  });
}
