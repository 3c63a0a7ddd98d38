// The city tap-path run (load/bench/city.ts, docs/decisions/0208) with tiny counts against real
// Redis, Mosquitto, Kafka and PostgreSQL and a real gateway process: the gateway as a city runs
// it keeps no record in Redis and relays every acked tap to Kafka, so its figures measure that
// configuration (the run throws when a record stays in Redis or is not relayed).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CITY_TOPIC_PREFIX, cityTapPathBench } from '../../../load/bench/city.js';
import { topicsNamed } from '../../../load/bench/kafka-admin.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { until } from '../../support/gateway.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';

const prefix = uniqueId('city');
const admin = new Redis(testEnv.redisUrl());
const env = (name: string) => process.env[name] ?? '';

afterAll(async () => {
  await unlinkPrefix(admin, prefix);
  await admin.quit();
});

/** The run with tiny counts; over: variables over the city's (to show the check can fail). */
function tinyCityRun(over: Record<string, string> = {}) {
  const gcFile = join(mkdtempSync(join(tmpdir(), 'city-gc-')), 'gc.json');
  return cityTapPathBench({
    redisUrl: testEnv.redisUrl(),
    mqttUrl: testEnv.mqttUrl(),
    mqttUsername: env('ONECARD_TEST_MQTT_GATEWAY2_USERNAME'),
    mqttPassword: env('ONECARD_TEST_MQTT_GATEWAY2_PASSWORD'),
    brokers: testEnv.kafkaBrokers(),
    pgUrl: testEnv.pgUrl(),
    cards: 200,
    devices: 2,
    partitions: 4,
    tapsPerBatch: 50,
    window: 2,
    taps: 1_000,
    maxSeconds: 60,
    pacedRate: 500,
    pacedSeconds: 2,
    warmupTaps: 200,
    smallBatch: { tapsPerBatch: 3, devices: 5, taps: 300 },
    gcFile,
    prefix,
    log: () => {},
    startGateway: (port, extra) =>
      spawn(
        process.execPath,
        ['--import', 'tsx', '--import', join(testEnv.root, 'load/bench/gc-probe.ts'), 'gateway/src/main.ts'],
        {
          cwd: testEnv.root,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: {
            ...process.env,
            ONECARD_STORE: 'redis',
            ONECARD_REDIS_URL: testEnv.redisUrl(),
            ONECARD_REDIS_PARTITIONS: '4',
            ONECARD_MQTT_URL: testEnv.mqttUrl(),
            ONECARD_MQTT_USERNAME: env('ONECARD_TEST_MQTT_GATEWAY_USERNAME'),
            ONECARD_MQTT_PASSWORD: env('ONECARD_TEST_MQTT_GATEWAY_PASSWORD'),
            ONECARD_HTTP_PORT: String(port),
            ONECARD_TOKEN_KEY: 'be'.repeat(32),
            ONECARD_LIST_SIGNING_KEY: 'b1'.repeat(32),
            ONECARD_LOG_LEVEL: 'warn',
            ONECARD_TARIFF: 'flat',
            ...extra,
            ...over,
          },
        },
      ),
  });
}

describe('bench: the tap path as a city runs it', () => {
  it('relays every acked tap to Kafka and keeps no record in Redis, with its costs', async () => {
    const topicsBefore = new Set(await topicsNamed(testEnv.kafkaBrokers(), CITY_TOPIC_PREFIX));
    const r = await tinyCityRun();
    // The warm-up's 200, the max-rate run's 1,000, the small batches' 300 (5 devices, 20 batches
    // of 3 each) and the paced run's 500 taps/s for 2 s; the warm-up relayed like the rest, but
    // not in the measured run's figures.
    expect(r.city_warmup_taps).toBe(200);
    expect(r.city_small_batch_taps).toBe(300);
    expect(r.city_small_batch_taps_per_batch).toBe(3);
    expect(r.city_small_batch_taps_per_s).toBeGreaterThan(0);
    expect(r.city_small_batch_gateway_cpu_us_per_tap).toBeGreaterThan(0);
    expect(r.city_small_batch_redis_cpu_us_per_tap).toBeGreaterThan(0);
    expect(r.city_taps).toBe(2_500);
    expect(r.city_ack_p99_ms).toBeGreaterThan(0);
    expect(r.city_ack_p99_ms).toBeGreaterThanOrEqual(r.city_ack_p50_ms!);
    expect(r.city_ack_rate_taps_per_s).toBeGreaterThan(0);
    // The test Redis runs appendfsync always (deploy/redis/redis.conf): its fsyncs are watched.
    expect(r.city_redis_fsync_max_ms).toBeGreaterThanOrEqual(0);
    expect(r.city_redis_fsync_slow_seconds).toBeGreaterThanOrEqual(0);
    // And its persistence is the shipped one (0229): the AOF's bytes a tap over the max-rate run,
    // the rewrite's CPU spread over the taps at the shipped threshold.
    expect(r.city_redis_aof_rewrite_percentage).toBe(400);
    // The test Redis is shared: another suite's rewrite during the max-rate run restarts the file,
    // and the run then leaves its bytes a tap out rather than give a wrong figure (it counts the
    // rewrite).
    if (r.city_redis_aof_bytes_per_tap === undefined) expect(r.city_redis_aof_rewrites).toBeGreaterThan(0);
    else expect(r.city_redis_aof_bytes_per_tap).toBeGreaterThan(0);
    expect(r.city_redis_rewrite_cpu_us_per_tap).toBeGreaterThanOrEqual(0);
    expect(r.city_redis_rewrite_cpu_us_per_mb).toBeGreaterThanOrEqual(0);
    expect(r.city_redis_aof_rewrites).toBeGreaterThanOrEqual(0);
    expect(r.city_unacked_taps).toBe(0);
    expect(r.city_redis_records_kept).toBe(0);
    expect(r.city_relayed_records).toBeGreaterThanOrEqual(2_500);
    // Read from the outboxes' oldest entries (0235): an age, never negative, within the run.
    expect(r.city_outbox_lag_max_ms).toBeGreaterThanOrEqual(0);
    expect(r.city_outbox_lag_max_ms).toBeLessThan(120_000);
    expect(r.city_taps_per_s).toBeGreaterThan(0);
    expect(r.city_box_speed_kops_per_s).toBeGreaterThan(0);
    expect(r.city_round_trips_per_s).toBeGreaterThan(0);
    // The test Redis loads onecard's module: the gateway says it ran the commit and the claims
    // as its commands (/metrics, 0233).
    expect(r.city_redis_module_in_use).toBe(1);
    // And that it hashed with its addon, which scripts/setup.sh builds (0247).
    expect(r.city_gateway_addon_in_use).toBe(1);
    expect(r.city_gateway_cpu_us_per_tap).toBeGreaterThan(0);
    // The outbox was emptied by the relay: nothing of the run is left under it.
    const outbox = await admin.keys(`${prefix}:*outbox`);
    for (const k of outbox) expect(await admin.xlen(k)).toBe(0);
    // And its Kafka topic is gone with it (load/bench/kafka-admin.ts): no run leaves one behind.
    // The broker's metadata follows the deletion shortly after it was taken: asked until then.
    const left = await until("the city run's topic gone from the broker's metadata", async () => {
      const named = await topicsNamed(testEnv.kafkaBrokers(), CITY_TOPIC_PREFIX);
      const added = named.filter((t) => !topicsBefore.has(t));
      return added.length === 0 ? added : undefined;
    });
    expect(left).toEqual([]);
  }, 120_000);

  it('fails the run when the gateway keeps its records in Redis (history=store)', async () => {
    await expect(tinyCityRun({ ONECARD_HISTORY: 'store' })).rejects.toThrow(/[1-9]\d* kept in Redis/);
  }, 120_000);
});
