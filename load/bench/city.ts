// The tap path as a city runs it (issue 10 item 5, docs/decisions/0208): a second, shorter
// max-rate run with the gateway configured as decision 0204 says: ONECARD_HISTORY=postgres (the
// Redis store keeps no records, indexes or ride counters; the outbox carries each record until
// the relay has published it to Kafka and trimmed it) and the relay on, to the bench's Kafka.
// Same devices → Mosquitto → gateway process → Redis → acks as the first run, on its own key
// prefix and device ids, measured by the same cost meter (load/bench/tap-costs.ts):
//   city_taps_per_s, city_gateway_cpu_us_per_tap, city_gateway_gc_share, city_redis_cpu_us_per_tap;
//   city_ack_p50_ms, city_ack_p99_ms  the ack latency at the issue's offered rate (20,000 taps/s),
//                              after the max-rate run, on fresh device ids (city_ack_rate_taps_per_s:
//                              what was acked per second);
//   city_redis_fsync_max_ms, city_redis_fsync_slow_seconds  Redis's worst fsync of the AOF over
//                              that run, and the seconds with one of 10 ms or more (its latency
//                              monitor): with appendfsync always every ack waits for the disk, so
//                              a slow fsync is a floor under city_ack_p99_ms (docs/decisions/0224);
//   city_redis_bytes_per_tap   used_memory growth over the run per tap, read at the last ack (the
//                              outbox still holds what the relay has not yet published);
//   city_redis_bytes_per_tap_drained  the same once the relay has emptied the outbox: what stays
//                              is the dedupe keys of the window (they expire with it, 0206);
//   city_redis_window_bytes_per_tap  of that, the window's own keys by MEMORY USAGE (window-bytes.ts,
//                              0222), split into _claims_, _dedupe_, _marks_ and the _rest_ (the
//                              server's growth no window key explains); city_redis_dedupe_field_bytes
//                              and _value_bytes: a tap dedupe entry's mean field and value length;
//   city_outbox_entries_max    most outbox entries waiting at once (sampled every 200 ms): one per
//                              record before 0209, one per commit call and partition since;
//   city_outbox_lag_max_ms     the age of the oldest outbox entry at its worst (sampled every 200 ms
//                              from Redis: the relay trims what it published, so that is the oldest
//                              unrelayed record, what the relay's onecard_outbox_lag_seconds says;
//                              read from Redis, not the gateway's /metrics, whose five scrapes a
//                              second cost the measured gateway ~1.5 % of its time, decision 0235);
//   city_outbox_drain_ms       from the last ack until the outbox is empty;
//   city_relayed_records, city_redis_records_kept  the proof: every acked tap of every run went to
//                              Kafka, none stayed in Redis (the run fails otherwise);
//   city_warmup_taps           taps sent through the whole path before the measured run, not
//                              in its figures (city_taps counts them): JIT and Kafka's JVM warm;
//   city_redis_aof_bytes_per_tap  what a tap of the max-rate run added to Redis's append-only file;
//   city_redis_rewrite_cpu_us_per_tap  the AOF rewrite's CPU spread over the taps between two
//                              rewrites at the configured auto-aof-rewrite-percentage
//                              (city_redis_aof_rewrite_percentage), from one rewrite measured
//                              after the runs (city_redis_rewrite_cpu_us_per_mb of base written):
//                              Redis's cost a tap besides city_redis_cpu_us_per_tap, which counts
//                              no child process (load/bench/redis-admin.ts, docs/decisions/0229);
//   city_redis_aof_rewrites    rewrites Redis started on its own during the runs, which start
//                              from a fresh AOF: a rewrite takes a core for seconds, and one that
//                              lands in the paced run is in its ack latencies;
//   city_small_batch_taps_per_s and its _gateway_cpu_us_per_tap, _redis_cpu_us_per_tap,
//                              _box_cpu_us_per_tap: a second max-rate run whose devices send a few
//                              taps a batch (city_small_batch_taps_per_batch), as a city's
//                              validators do, many more of them: what a batch costs, not a tap.
//   city_redis_module_in_use   1 when the gateway ran the commit and the claims as onecard's Redis
//                              module's commands, 0 when as Lua scripts (its /metrics,
//                              onecard_redis_module_in_use; ONECARD_REDIS_MODULE=off: 0);
//   city_gateway_addon_in_use  1 when the gateway hashed with its Node addon, 0 when with
//                              node:crypto (its /metrics, onecard_gateway_addon_in_use; 0247);
//   city_box_speed_kops_per_s, city_round_trips_per_s  how fast the box was (box-speed.ts): one
//                              thread's compute, and Redis PINGs one at a time, each taken just
//                              before and just after the max-rate run, their means: the VM's speed
//                              moves by up to 2× with its host, and every µs-a-tap figure with it.
// The history process (Kafka → PostgreSQL) is not started: on this 2-core box it would take CPU
// from the gateway and Redis being measured, and it is measured on its own (history_ingest_records_per_s).
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { openRedisStore } from '../../gateway/src/store/redis.js';
import { RedisKeys } from '../../gateway/src/store/redis-keys.js';
import { boxSpeedKops, roundTripsPerS } from './box-speed.js';
import { issueCards } from './commit-baseline.js';
import { runDevices, type SimDevice, simDevice } from './devices.js';
import { BENCH_TOPIC_PREFIX, dropTopics } from './kafka-admin.js';
import { redisUsage } from './process-probe.js';
import { freePort, waitReady } from './ready.js';
import {
  type AofState,
  aofState,
  rewriteAof,
  rewritePercentage,
  rewriteUsPerTap,
  unlinkPrefix,
} from './redis-admin.js';
import { percentile, progress, round } from './stats.js';
import { type CostMeter, startCostMeter } from './tap-costs.js';
import { windowBytes } from './window-bytes.js';

export interface CityOptions {
  redisUrl: string;
  mqttUrl: string;
  mqttUsername: string;
  mqttPassword: string;
  brokers: string;
  pgUrl: string;
  cards: number;
  devices: number;
  partitions: number;
  tapsPerBatch: number;
  window: number;
  taps: number;
  maxSeconds: number;
  /**
   * After the max-rate run, devices tapping at this offered rate for pacedSeconds (the issue's
   * 20,000): the ack latency a device sees in the target configuration. 0: no paced run.
   */
  pacedRate: number;
  pacedSeconds: number;
  /**
   * Taps sent through the whole path before anything is measured, on device ids of their own:
   * the gateway's JIT and Kafka's JVM warm, as a city's gateway is after its first minute (a
   * Kafka the bench has just started cost 13–14 µs a tap against 2 warm). 0: no warm-up.
   */
  warmupTaps: number;
  /**
   * After the max-rate run, another as fast as acks allow whose devices send tapsPerBatch taps
   * a batch (a validator publishes what it has every second or so: a few taps), on fresh device
   * ids, many more of them. Omitted: no such run.
   */
  smallBatch?: { tapsPerBatch: number; devices: number; taps: number };
  gcFile: string;
  /** Mosquitto's and Kafka's pids, for their CPU per tap (tap-costs.ts); keys left out without. */
  brokerPid?: number;
  kafkaPid?: number;
  /** Starts the bench's gateway process with these variables over its own (main.ts). */
  startGateway: (port: number, env: Record<string, string>) => ChildProcess;
  log: (s: string) => void;
  /** Key prefix of the run, whose keys the caller removes; default: a fresh one, removed at the end. */
  prefix?: string;
}

/** A gauge from the gateway's /metrics, 0 when absent or unreachable; `name` may carry labels. */
async function gauge(port: number, name: string): Promise<number> {
  try {
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = new RegExp(`^${name.replace(/[{}.*+?^$()|[\]\\]/g, '\\$&')} ([0-9.e+-]+)`, 'm').exec(body);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function sumOver(redis: Redis, keys: string[], cmd: 'xlen' | 'hlen' | 'zcard'): Promise<number> {
  const pipe = redis.pipeline();
  for (const k of keys) pipe[cmd](k);
  const replies = (await pipe.exec()) ?? [];
  return replies.reduce((n, [err, v]) => n + (err ? 0 : Number(v)), 0);
}

/** The age of the oldest entry over the streams, ms (0: all empty); an entry's id starts with its time. */
async function oldestAgeMs(redis: Redis, streams: string[]): Promise<number> {
  const pipe = redis.pipeline();
  for (const k of streams) pipe.xrange(k, '-', '+', 'COUNT', 1);
  const replies = (await pipe.exec()) ?? [];
  const now = Date.now();
  let age = 0;
  for (const [err, entries] of replies) {
    const first = err ? undefined : (entries as Array<[string, string[]]>)[0];
    if (first) age = Math.max(age, now - Number(first[0].slice(0, first[0].indexOf('-'))));
  }
  return age;
}

/** Waits (at most a minute) until the relay has emptied every outbox. */
async function outboxEmptied(redis: Redis, outboxes: string[]): Promise<void> {
  for (const end = performance.now() + 60_000; performance.now() < end; ) {
    if ((await sumOver(redis, outboxes, 'xlen')) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each city run's Kafka topic is this and the run's id. */
export const CITY_TOPIC_PREFIX = `${BENCH_TOPIC_PREFIX}city.`;

export async function cityTapPathBench(o: CityOptions): Promise<Record<string, number>> {
  const run = Date.now().toString(36);
  const prefix = o.prefix ?? `city${run}`;
  const keys = new RedisKeys(prefix, o.partitions);
  const parts = Array.from({ length: o.partitions }, (_, p) => p);
  const outboxes = parts.map((p) => keys.outbox(p));
  o.log('tap path as a city runs it: history=postgres (no records in Redis), Kafka relay on');
  const store = await openRedisStore({
    url: o.redisUrl,
    keyPrefix: prefix,
    partitions: o.partitions,
    keepRecords: false,
  });
  const tokens = await issueCards(store, {
    cards: o.cards,
    partitions: o.partitions,
    tapsPerBatch: 0,
    baselineSeconds: 0,
  });
  const devices: SimDevice[] = Array.from({ length: o.devices }, (_, i) =>
    simDevice(`city-${run}-${i}`, 'benchco'),
  );
  // The paced run's and the warm-up's devices: fresh ids (a fresh sequence space each), registered
  // before the gateway starts.
  const pacedDevices = devices.map((d) => ({ ...d, deviceId: `${d.deviceId}-p` }));
  const warmDevices = devices.map((d) => ({ ...d, deviceId: `${d.deviceId}-w` }));
  // The small-batch run's devices: a key pair each is costly to make, so they take turns with
  // the max-rate run's keys under ids of their own.
  const smallDevices = Array.from({ length: o.smallBatch?.devices ?? 0 }, (_, i) => ({
    ...devices[i % devices.length]!,
    deviceId: `city-${run}-${i}-s`,
  }));
  for (const d of [
    ...devices,
    ...(o.pacedRate > 0 ? pacedDevices : []),
    ...(o.warmupTaps > 0 ? warmDevices : []),
    ...smallDevices,
  ])
    await store.upsertDevice({
      deviceId: d.deviceId,
      operatorId: d.operatorId,
      profile: 'bus_validator',
      routeId: 'r1',
      stationId: '',
      venueId: '',
      publicKey: d.publicKey,
    });
  await store.close();
  const redis = new Redis(o.redisUrl);
  const cardTokens = tokens.map((t) => Buffer.from(t, 'hex'));
  /** One run of simulated devices against the gateway (load/bench/devices.ts), bounded. */
  const drive = (
    group: SimDevice[],
    run: {
      taps: number;
      ratePerSec: number;
      window: number;
      maxSeconds: number;
      label: string;
      tapsPerBatch?: number;
      /** Just before the first batch goes, every batch built (devices.ts). */
      onReady?: () => Promise<void>;
    },
  ) =>
    runDevices({
      mqttUrl: o.mqttUrl,
      mqttUsername: o.mqttUsername,
      mqttPassword: o.mqttPassword,
      devices: group,
      tokens: cardTokens,
      tapsPerBatch: run.tapsPerBatch ?? o.tapsPerBatch,
      window: run.window,
      totalTaps: run.taps,
      ratePerSec: run.ratePerSec,
      maxSeconds: run.maxSeconds,
      onProgress: progress(run.label),
      onReady: run.onReady,
    });
  const port = await freePort();
  // The run's own topic, dropped when it is done (kafka-admin.ts): every record on it was counted.
  const topic = `${CITY_TOPIC_PREFIX}${run}`;
  const gw = o.startGateway(port, {
    ONECARD_INSTANCE_ID: `bench-city-${run}`,
    ONECARD_REDIS_KEY_PREFIX: prefix,
    ONECARD_HISTORY: 'postgres',
    ONECARD_PG_URL: o.pgUrl,
    ONECARD_PG_SCHEMA: 'bench_city',
    ONECARD_KAFKA_BROKERS: o.brokers,
    ONECARD_KAFKA_TOPIC: topic,
    ONECARD_BENCH_GC_FILE: o.gcFile,
    // Configured as a city would (0222): the taps a partition takes by the end of the max-rate
    // run (its warm-up's too: the same day), so each tap dedupe sub-bucket holds ~64 of them and
    // stays a listpack.
    ONECARD_DEDUPE_TAPS_PER_PARTITION_DAY: String(Math.ceil((o.warmupTaps + o.taps) / o.partitions)),
  });
  const exited = new Promise((r) => gw.once('exit', r));
  let sampling = true;
  let smallRun: Awaited<ReturnType<typeof runDevices>> | undefined;
  let sampler: Promise<void> = Promise.resolve();
  try {
    await waitReady(`http://127.0.0.1:${port}`, 'the city gateway');
    const warm =
      o.warmupTaps > 0
        ? await drive(warmDevices, {
            taps: o.warmupTaps,
            ratePerSec: 0,
            window: o.window,
            maxSeconds: o.maxSeconds,
            label: 'city tap path, warm-up (not measured)',
          })
        : undefined;
    // The measured run starts with the warm-up relayed (bounded): its records are not in the figures.
    await outboxEmptied(redis, outboxes);
    // From a fresh append-only file (redis-admin.ts, 0229): whether Redis's own rewrite lands in
    // a run this short is chance; its cost is reported spread over the taps instead.
    await rewriteAof(redis);
    const aof0 = await aofState(redis);
    let entriesMax = 0;
    let lagMaxMs = 0;
    sampler = (async () => {
      while (sampling) {
        entriesMax = Math.max(entriesMax, await sumOver(redis, outboxes, 'xlen'));
        lagMaxMs = Math.max(lagMaxMs, await oldestAgeMs(redis, outboxes));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const memory0 = (await redisUsage(redis)).memoryBytes;
    const speedBefore = boxSpeedKops();
    const tripsBefore = await roundTripsPerS(redis);
    // The meter counts from the first batch sent to the last ack: not the box's speed taken
    // around the run, nor the devices building their batches before it (0233).
    const meterOf = () =>
      startCostMeter({
        gatewayPid: gw.pid!,
        gcFile: o.gcFile,
        redis,
        brokerPid: o.brokerPid,
        kafkaPid: o.kafkaPid,
      });
    let meter: CostMeter | undefined;
    const max = await drive(devices, {
      taps: o.taps,
      ratePerSec: 0,
      window: o.window,
      maxSeconds: o.maxSeconds,
      label: 'city tap path, as fast as acks allow',
      onReady: async () => {
        meter = await meterOf();
      },
    });
    const costs = await meter!.stop(max.tapsAcked);
    const speedAfter = boxSpeedKops();
    const tripsAfter = await roundTripsPerS(redis);
    const aof1 = await aofState(redis);
    const acked = performance.now();
    // The relay catches up after the run (bounded): every acked tap must reach Kafka.
    await outboxEmptied(redis, outboxes);
    const drainMs = performance.now() - acked;
    const drainedBytes = (await redisUsage(redis)).memoryBytes - memory0;
    // What of it is the dedupe window, by kind (docs/decisions/0222): read before the later runs add their own.
    const window = await windowBytes(redis, prefix);
    // Few taps a batch, as fast as acks allow: the same meter, so the per-batch costs show.
    let small: Record<string, number> = {};
    if (o.smallBatch) {
      let smallMeter: CostMeter | undefined;
      const ran = await drive(smallDevices, {
        taps: o.smallBatch.taps,
        ratePerSec: 0,
        window: o.window,
        maxSeconds: o.maxSeconds,
        tapsPerBatch: o.smallBatch.tapsPerBatch,
        label: `city tap path, ${o.smallBatch.tapsPerBatch} taps a batch`,
        onReady: async () => {
          smallMeter = await meterOf();
        },
      });
      const c = await smallMeter!.stop(ran.tapsAcked);
      small = {
        city_small_batch_taps_per_s: Math.round(ran.tapsAcked / ran.seconds),
        city_small_batch_taps_per_batch: o.smallBatch.tapsPerBatch,
        city_small_batch_devices: o.smallBatch.devices,
        city_small_batch_gateway_cpu_us_per_tap: c.gateway_cpu_us_per_tap!,
        city_small_batch_redis_cpu_us_per_tap: c.redis_cpu_us_per_tap!,
        ...(c.box_cpu_us_per_tap === undefined
          ? {}
          : { city_small_batch_box_cpu_us_per_tap: c.box_cpu_us_per_tap }),
        city_small_batch_taps: ran.tapsAcked,
        city_small_batch_duplicates: ran.duplicates,
      };
      smallRun = ran;
    }
    const perTap = (b: number) => round(b / max.tapsAcked);
    sampling = false;
    await sampler;
    // The paced run measures a box that is not saturated: it starts once the relay has published
    // what the max-rate runs left in the outbox (bounded), not while Kafka and the relay catch up.
    await outboxEmptied(redis, outboxes);
    // Redis's fsyncs while the paced run goes (appendfsync always: an ack waits for the disk):
    // its latency monitor keeps the worst stall of each second (LATENCY HISTORY, ms).
    const [, threshold] = (await redis.call('CONFIG', 'GET', 'latency-monitor-threshold')) as [
      string,
      string,
    ];
    await redis.call('CONFIG', 'SET', 'latency-monitor-threshold', '1');
    await redis.call('LATENCY', 'RESET', 'aof-fsync-always');
    // The offered rate: what a device waits for its ack when the box is not saturated.
    const paced =
      o.pacedRate > 0
        ? await drive(pacedDevices, {
            taps: o.pacedRate * o.pacedSeconds,
            ratePerSec: o.pacedRate,
            window: o.window * 4,
            maxSeconds: o.pacedSeconds * 4,
            label: `city tap path at ${o.pacedRate} taps/s offered`,
          })
        : undefined;
    const fsyncs = ((await redis.call('LATENCY', 'HISTORY', 'aof-fsync-always')) as [number, number][]).map(
      ([, ms]) => ms,
    );
    await redis.call('CONFIG', 'SET', 'latency-monitor-threshold', threshold);
    const pacedLat = [...(paced?.ackLatenciesMs ?? [])].sort((a, b) => a - b);
    // Whether the gateway ran the commit and the claims as the module's commands (0232, 0233).
    const moduleInUse = Math.min(
      await gauge(port, 'onecard_redis_module_in_use{command="ONECARD.COMMIT"}'),
      await gauge(port, 'onecard_redis_module_in_use{command="ONECARD.CLAIM"}'),
    );
    const addonInUse = await gauge(port, 'onecard_gateway_addon_in_use');
    const runs = [max, paced, warm, smallRun];
    const total = runs.reduce((n, r) => n + (r?.tapsAcked ?? 0), 0);
    // A batch resent before its ack came (the paced run's devices keep more in flight) is acked
    // again as duplicates: no new record.
    const duplicates = runs.reduce((n, r) => n + (r?.duplicates ?? 0), 0);
    const records = total - duplicates;
    // Every acked tap relayed (bounded): the outbox empty and the relay's count caught up (it
    // counts a page once the outbox has been acked, a moment after the entries are gone).
    const relayedBy = performance.now();
    let relayed = 0;
    let waiting = 0;
    for (;;) {
      waiting = await sumOver(redis, outboxes, 'xlen');
      relayed = await gauge(port, 'onecard_kafka_published_records');
      if ((waiting === 0 && relayed >= records) || performance.now() - relayedBy > 60_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const kept =
      (await sumOver(
        redis,
        parts.map((p) => keys.records(p)),
        'hlen',
      )) +
      (await sumOver(
        redis,
        parts.map((p) => keys.byTime(p)),
        'zcard',
      ));
    if (max.tapsAcked === 0 || waiting > 0 || relayed < records || kept > 0)
      throw new Error(
        `city run: ${waiting} entries still in the outbox, ${relayed} of ${records} relayed, ${kept} kept in Redis`,
      );
    const aof = await aofCosts(redis, aof0, aof1, max.tapsAcked);
    const result = {
      city_taps_per_s: Math.round(max.tapsAcked / max.seconds),
      city_gateway_cpu_us_per_tap: costs.gateway_cpu_us_per_tap!,
      city_gateway_gc_share: costs.gateway_gc_share!,
      city_redis_cpu_us_per_tap: costs.redis_cpu_us_per_tap!,
      city_redis_bytes_per_tap: costs.redis_bytes_per_tap_with_records!,
      // Where the rest of the box went in this run (tap-costs.ts).
      ...prefixed(costs, ['devices_cpu_us_per_tap', 'broker_cpu_us_per_tap', 'kafka_cpu_us_per_tap']),
      ...prefixed(costs, ['box_cpu_us_per_tap', 'box_busy_share', 'box_taps_per_s_if_busy']),
      city_redis_bytes_per_tap_drained: round(drainedBytes / max.tapsAcked),
      city_redis_window_bytes_per_tap: perTap(window.claims + window.dedupe + window.marks),
      city_redis_window_claims_bytes_per_tap: perTap(window.claims),
      city_redis_window_dedupe_bytes_per_tap: perTap(window.dedupe),
      city_redis_window_marks_bytes_per_tap: perTap(window.marks),
      city_redis_window_rest_bytes_per_tap: perTap(
        drainedBytes - window.claims - window.dedupe - window.marks,
      ),
      city_redis_dedupe_field_bytes: round(window.fieldBytes),
      city_redis_dedupe_value_bytes: round(window.valueBytes),
      city_redis_dedupe_buckets: window.keys.dedupe,
      city_redis_dedupe_buckets_listpack: window.dedupeListpacks,
      ...aof,
      city_outbox_entries_max: entriesMax,
      city_outbox_lag_max_ms: Math.round(lagMaxMs),
      city_outbox_drain_ms: Math.round(drainMs),
      city_relayed_records: relayed,
      city_redis_records_kept: kept,
      ...(paced
        ? {
            city_ack_p50_ms: round(percentile(pacedLat, 50)),
            city_ack_p99_ms: round(percentile(pacedLat, 99)),
            city_ack_rate_taps_per_s: Math.round(paced.tapsAcked / paced.seconds),
            city_redis_fsync_max_ms: Math.max(0, ...fsyncs),
            city_redis_fsync_slow_seconds: fsyncs.filter((ms) => ms >= 10).length,
          }
        : {}),
      city_redis_module_in_use: moduleInUse,
      city_gateway_addon_in_use: addonInUse,
      city_box_speed_kops_per_s: round((speedBefore + speedAfter) / 2),
      city_round_trips_per_s: Math.round((tripsBefore + tripsAfter) / 2),
      city_taps: total,
      city_warmup_taps: warm?.tapsAcked ?? 0,
      ...small,
      city_unacked_taps: runs.reduce((n, r) => n + (r ? r.tapsSent - r.tapsAcked : 0), 0),
      city_duplicate_taps: duplicates,
    };
    o.log(`  city: ${JSON.stringify(result)}`);
    return result;
  } finally {
    sampling = false;
    await sampler.catch(() => {});
    gw.kill('SIGTERM');
    await exited;
    // The run's cards, devices and dedupe window: a bench Redis kept between runs would otherwise
    // grow by them run after run, and with it every later rewrite.
    if (o.prefix === undefined) await unlinkPrefix(redis, prefix);
    await redis.quit();
    await dropTopics(o.brokers, [topic]);
  }
}

/**
 * The append-only file's figures (the header, redis-admin.ts): its bytes a tap over the max-rate
 * run (none when a rewrite restarted the file meanwhile), the rewrites Redis started during the
 * runs, and one rewrite measured now (which also leaves the file compact for the next run).
 */
async function aofCosts(
  redis: Redis,
  start: AofState,
  afterMax: AofState,
  taps: number,
): Promise<Record<string, number>> {
  if (!start.enabled) return {};
  const end = await aofState(redis);
  const rewrite = await rewriteAof(redis);
  const percentage = await rewritePercentage(redis);
  const out: Record<string, number> = {
    city_redis_aof_rewrites: end.rewrites - start.rewrites,
    city_redis_aof_rewrite_percentage: percentage,
  };
  if (rewrite && rewrite.baseBytes > 0)
    out.city_redis_rewrite_cpu_us_per_mb = round(rewrite.cpuUs / (rewrite.baseBytes / 1e6));
  if (afterMax.rewrites === start.rewrites && taps > 0) {
    const aofBytesPerTap = (afterMax.sizeBytes - start.sizeBytes) / taps;
    out.city_redis_aof_bytes_per_tap = round(aofBytesPerTap);
    if (rewrite)
      out.city_redis_rewrite_cpu_us_per_tap = round(
        rewriteUsPerTap({
          rewriteCpuUs: rewrite.cpuUs,
          baseBytes: rewrite.baseBytes,
          aofBytesPerTap,
          percentage,
        }),
      );
  }
  return out;
}

/** The meter's keys named for this run (city_...), those it gave. */
function prefixed(costs: Record<string, number>, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) if (costs[k] !== undefined) out[`city_${k}`] = costs[k];
  return out;
}
