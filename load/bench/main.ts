// `npm run bench` (scripts/bench.sh starts Redis and Mosquitto first). Measures, in one run:
//   baseline  redis_lua_commits_per_s: taps/s through the same commit script in a tight loop,
//             no MQTT, no gateway process (the ceiling the tap path can reach);
//   tap path  taps_per_s: simulated devices → Mosquitto → gateway process (Redis store) → acks,
//             as fast as the acks allow; then ack_p50_ms / ack_p99_ms at an offered 10,000 taps/s,
//             and ack_p99_ms_at_half_max at half the measured maximum (an unsaturated gateway).
//   fares     fare_calcs_per_s (Beijing tariff, multi-leg days) vs flat_fare_calcs_per_s (load/bench/fare.ts).
//   venues    venue_purchases_per_s vs venue_topups_per_s on Redis (load/bench/venues.ts).
//   fan-out   deny_fanout_p99_ms: a lost card to 10,000 enrolled devices (1,000 with --quick)
//             vs the broker alone, deny_fanout_broker_p99_ms (load/bench/fanout.ts).
//   signing   batch_sign_us, ack_verify_us (per batch of 100 taps, p50) and their baselines
//             (load/bench/signing.ts); the simulated devices sign every batch with their own key.
// `--tap-path` runs only the tap path, its baseline and the signing figures (before/after).
// Prints progress on stderr and one JSON object as the last line of stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { unknownCard } from '../../core/card.js';
import type { TapInput } from '../../core/ledger.js';
import { flatPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { planBatch } from '../../gateway/src/ingest/plan.js';
import type { Store } from '../../gateway/src/store/port.js';
import { openRedisStore } from '../../gateway/src/store/redis.js';
import { consoleBench } from './console.js';
import { runDevices, type SimDevice, simDevice } from './devices.js';
import { edgeListBench } from './edge.js';
import { benchEntry } from './entry.js';
import { denyFanoutBench } from './fanout.js';
import { fareBench } from './fare.js';
import { benchQr } from './qr.js';
import { waitReady } from './ready.js';
import { benchSigning } from './signing.js';
import { percentile, progress, round } from './stats.js';
import { benchVenues } from './venues.js';

const quick = process.argv.includes('--quick');
/** Only the tap path and its baseline (with the signing figures): for before/after comparisons. */
const tapPathOnly = process.argv.includes('--tap-path');
const root = join(import.meta.dirname, '../..');
const redisBase = process.env.ONECARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6390';
const redisUrl = `${redisBase}/15`;
const mqttUrl = process.env.ONECARD_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:18830';
// The shipped broker's users (scripts/services.sh writes them to .run/services.env): the
// gateway one, and a second one with the same rights for the simulator playing every device.
const mqttUser = (name: string) => process.env[name] ?? '';
const gatewayMqtt = {
  ONECARD_MQTT_USERNAME: mqttUser('ONECARD_TEST_MQTT_GATEWAY_USERNAME'),
  ONECARD_MQTT_PASSWORD: mqttUser('ONECARD_TEST_MQTT_GATEWAY_PASSWORD'),
};
const simulatorMqtt = {
  mqttUsername: mqttUser('ONECARD_TEST_MQTT_GATEWAY2_USERNAME'),
  mqttPassword: mqttUser('ONECARD_TEST_MQTT_GATEWAY2_PASSWORD'),
};
const P = {
  cards: quick ? 20_000 : 100_000,
  partitions: 16,
  tapsPerBatch: 100,
  devices: quick ? 20 : 50,
  window: 4,
  baselineSeconds: quick ? 5 : 15,
  maxTaps: quick ? 100_000 : 600_000,
  pacedRate: 10_000,
  pacedSeconds: quick ? 10 : 30,
};
const TOKEN_KEY = 'be'.repeat(32);
const LIST_SIGNING_KEY = 'b1'.repeat(32);
const log = (s: string) => process.stderr.write(`${s}\n`);

function token(i: number): string {
  return (i.toString(16).padStart(8, '0') + 'b'.repeat(24)).slice(0, 32);
}

async function issueCards(store: Store): Promise<string[]> {
  const tokens = Array.from({ length: P.cards }, (_, i) => token(i));
  const show = progress('issuing cards');
  for (let i = 0; i < tokens.length; i += 1000) {
    await Promise.all(
      tokens
        .slice(i, i + 1000)
        .map((t) =>
          store.issueCard({ token: t, masked: 'B00****00', region: '500228', flags: 0, balanceFen: 1e12 }),
        ),
    );
    show(Math.min(i + 1000, tokens.length), tokens.length);
  }
  return tokens;
}

/** Same commit path as the gateway, minus MQTT: K loops on disjoint cards, no conflicts. */
async function baseline(store: Store, tokens: string[]): Promise<{ tapsPerS: number; callsPerS: number }> {
  const fare = flatPricer(flatFare());
  const loops = 8;
  const cards = await store.loadCards(tokens);
  const deadline = performance.now() + P.baselineSeconds * 1000;
  let taps = 0;
  let calls = 0;
  let seq = 0;
  const show = progress('baseline (commit script in a tight loop)');
  const started = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async (_, k) => {
      const mine = tokens.filter((_, i) => i % loops === k);
      let next = 0;
      while (performance.now() < deadline) {
        const batch: TapInput[] = [];
        for (let i = 0; i < P.tapsPerBatch; i++) {
          const t = mine[next++ % mine.length]!;
          batch.push({
            operatorId: 'bench',
            deviceId: `baseline-${k}`,
            seq: ++seq,
            deviceTimeMs: Date.now(),
            credential: 'card',
            cardToken: t,
            issuingRegion: '500228',
            routeId: 'r1',
            stopId: 's1',
            stationId: '',
            venueId: '',
            direction: 'board',
            edgeDecision: 'allow',
            edgeReason: 'OK',
            offline: false,
          });
        }
        const effects = planBatch(batch, cards, fare, Date.now());
        for (const e of effects) {
          const c = cards.get(e.cardToken) ?? unknownCard(e.cardToken);
          cards.set(e.cardToken, { ...c, version: c.version + 1, balanceFen: e.newBalanceFen });
        }
        const outcomes = await store.commit(effects);
        if (outcomes.some((o) => o.status === 'conflict'))
          throw new Error('baseline loops must not conflict');
        taps += effects.length;
        calls += new Set(effects.map((e) => Number.parseInt(e.cardToken.slice(0, 8), 16) % P.partitions))
          .size;
        show(Math.round(performance.now() - started), P.baselineSeconds * 1000);
      }
    }),
  );
  const s = (performance.now() - started) / 1000;
  return { tapsPerS: taps / s, callsPerS: calls / s };
}

function startGateway(port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(root, 'gateway/src/main.ts')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      ONECARD_INSTANCE_ID: 'bench-gw',
      ONECARD_STORE: 'redis',
      ONECARD_REDIS_URL: redisUrl,
      ONECARD_REDIS_PARTITIONS: String(P.partitions),
      ONECARD_MQTT_URL: mqttUrl,
      ...gatewayMqtt,
      ONECARD_HTTP_PORT: String(port),
      ONECARD_TOKEN_KEY: TOKEN_KEY,
      ONECARD_LIST_SIGNING_KEY: LIST_SIGNING_KEY,
      ONECARD_LOG_LEVEL: 'warn',
      // The simulated devices ride flat-fare routes; load/bench/fare.ts measures the tariff engine.
      ONECARD_TARIFF: 'flat',
    },
  });
}

async function main() {
  log(`bench ${quick ? '(quick)' : ''}: ${JSON.stringify(P)}`);
  // Edge lists first, on their own: no services, and their memory is gone before the tap path.
  const edge = tapPathOnly ? {} : await edgeListBench({ quick, log });
  // CPU-bound, so measured first, before the tap path's processes compete for the cores.
  const qr = tapPathOnly ? {} : await benchQr(quick);
  log(`  qr: ${JSON.stringify(qr)}`);
  const signing = benchSigning(quick);
  log(`  signing: ${JSON.stringify(signing)}`);
  log('entry rules on the device');
  const entry = tapPathOnly ? {} : benchEntry(quick);
  // Pure CPU, before the gateway and devices load the machine.
  const fares = tapPathOnly ? {} : fareBench(quick);
  log(`  fares: ${JSON.stringify(fares)}`);
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const store = await openRedisStore({ url: redisUrl, partitions: P.partitions });
  const tokens = await issueCards(store);
  const venues = tapPathOnly ? {} : await benchVenues(redisUrl, quick);
  log(`  venues: ${JSON.stringify(venues)}`);
  const base = await baseline(store, tokens);
  log(`  baseline: ${Math.round(base.tapsPerS)} taps/s, ${Math.round(base.callsPerS)} script calls/s`);

  const devices: SimDevice[] = Array.from({ length: P.devices }, (_, i) =>
    simDevice(`bench-${i}`, 'benchco'),
  );
  const registration = (d: SimDevice) => ({
    deviceId: d.deviceId,
    operatorId: d.operatorId,
    profile: 'bus_validator',
    routeId: 'r1',
    stationId: '',
    venueId: '',
    publicKey: d.publicKey,
  });
  for (const d of devices) await store.upsertDevice(registration(d));
  await store.close();

  const port = 18000 + Math.floor(Math.random() * 1000);
  const gw = startGateway(port);
  try {
    await waitReady(`http://127.0.0.1:${port}`);
    const tokenBufs = tokens.map((t) => Buffer.from(t, 'hex'));
    const max = await runDevices({
      mqttUrl,
      ...simulatorMqtt,
      devices,
      tokens: tokenBufs,
      tapsPerBatch: P.tapsPerBatch,
      window: P.window,
      totalTaps: P.maxTaps,
      ratePerSec: 0,
      maxSeconds: 120,
      onProgress: progress('tap path, as fast as acks allow'),
    });
    const maxLat = [...max.ackLatenciesMs].sort((a, b) => a - b);
    log(`  max: ${Math.round(max.tapsAcked / max.seconds)} taps/s`);
    const tapsPerS = max.tapsAcked / max.seconds;
    /** Devices tapping at a fixed offered rate, on fresh device ids (a fresh sequence space). */
    const pacedRun = async (rate: number, suffix: string) => {
      const paced = devices.map((d) => ({ ...d, deviceId: `${d.deviceId}-${suffix}` }));
      const reg = await openRedisStore({ url: redisUrl, partitions: P.partitions });
      for (const d of paced) await reg.upsertDevice(registration(d));
      await reg.close();
      await new Promise((r) => setTimeout(r, 2500)); // the gateway's device cache forgets misses after 2 s
      const run = await runDevices({
        mqttUrl,
        ...simulatorMqtt,
        devices: paced,
        tokens: tokenBufs,
        tapsPerBatch: P.tapsPerBatch,
        window: P.window * 4,
        totalTaps: rate * P.pacedSeconds,
        ratePerSec: rate,
        maxSeconds: P.pacedSeconds * 4,
        onProgress: progress(`tap path at ${rate} taps/s`),
      });
      return { run, lat: [...run.ackLatenciesMs].sort((a, b) => a - b) };
    };
    // The issue's rate, and half the measured maximum: the latency a device sees when the
    // gateway is not saturated (at a rate above its maximum, acks wait in a growing queue).
    const { run, lat } = await pacedRun(P.pacedRate, 'p');
    const halfRate = Math.max(100, Math.round(tapsPerS / 2 / 100) * 100);
    const half = await pacedRun(halfRate, 'h');
    log('console: stats, records, CSV and live feed over a month of rides (SQLite)');
    const consoleFigures = tapPathOnly ? {} : await consoleBench(quick);
    log('lost card to every device: deny list fan-out');
    const fanout = tapPathOnly
      ? {}
      : await denyFanoutBench({
          quick,
          mqttUrl,
          root,
          brokerPidFile: join(root, '.run/mosquitto/pid'),
          log,
        });
    log(`  fan-out: ${JSON.stringify(fanout)}`);
    const result = {
      taps_per_s: Math.round(tapsPerS),
      ack_p50_ms: round(percentile(lat, 50)),
      ack_p99_ms: round(percentile(lat, 99)),
      ack_rate_taps_per_s: Math.round(run.tapsAcked / run.seconds),
      ack_p99_ms_at_max: round(percentile(maxLat, 99)),
      ack_half_max_rate_taps_per_s: halfRate,
      ack_p50_ms_at_half_max: round(percentile(half.lat, 50)),
      ack_p99_ms_at_half_max: round(percentile(half.lat, 99)),
      redis_lua_commits_per_s: Math.round(base.tapsPerS),
      redis_lua_calls_per_s: Math.round(base.callsPerS),
      ratio_taps_to_lua_commits: round(tapsPerS / base.tapsPerS, 3),
      // Taps sent but not acked before the run's time bound (0 when the gateway kept up).
      unacked_taps: [max, run, half.run].reduce((n, r) => n + r.tapsSent - r.tapsAcked, 0),
      duplicate_taps: max.duplicates + run.duplicates + half.run.duplicates,
      quick,
      devices: P.devices,
      taps_per_batch: P.tapsPerBatch,
      ...qr,
      ...signing,
      ...entry,
      ...fares,
      ...edge,
      ...consoleFigures,
      ...venues,
      ...fanout,
    };
    console.log(JSON.stringify(result));
  } finally {
    gw.kill('SIGTERM');
    await redis.quit();
  }
}

await main();
