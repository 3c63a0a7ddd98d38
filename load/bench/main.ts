// `npm run bench` (scripts/bench.sh starts Redis and Mosquitto first). Measures, in one run:
//   baseline  redis_lua_commits_per_s: taps/s through the same commit script in a tight loop,
//             no MQTT, no gateway process (the ceiling the tap path can reach);
//   tap path  taps_per_s: simulated devices → Mosquitto → gateway process (Redis store) → acks,
//             as fast as the acks allow, with what each tap cost the gateway (CPU, GC share) and
//             Redis (CPU, memory) in that run (load/bench/tap-costs.ts); then ack_p50_ms /
//             ack_p99_ms at an offered 20,000 taps/s, and ack_p99_ms_at_half_max at half the
//             measured maximum (an unsaturated gateway).
//   city      city_*: a second, shorter max-rate run with the gateway as a city runs it
//             (history=postgres, no records in Redis, the Kafka relay on; load/bench/city.ts).
//   steady    redis_bytes_per_tap_steady: Redis memory per tap once the dedupe window is full, the
//             store opened as with the PostgreSQL history, ≥ 5 M taps over simulated days
//             (load/bench/redis-steady.ts); skipped with --tap-path.
//   ceilings  redis_evalsha_trivial_per_s (+ _pipelined), mqtt_batch_msgs_per_s, and taps_per_s
//             against them; mqtt_round_trip_p50_ms / _p99_ms, a batch and its ack through the
//             broker alone at the offered rate's batches a second (load/bench/ceilings.ts).
//   history   history_ingest_records_per_s (Kafka → history process → PostgreSQL), and
//             history_card_query_p95_ms / history_route_day_stats_ms over a generated month
//             (load/bench/history-ingest.ts, history-month.ts).
//   fares     fare_calcs_per_s (Beijing tariff, multi-leg days) vs flat_fare_calcs_per_s (load/bench/fare.ts).
//   venues    venue_purchases_per_s vs venue_topups_per_s on Redis (load/bench/venues.ts).
//   fan-out   deny_fanout_p99_ms: a lost card to 10,000 enrolled devices (1,000 with --quick)
//             vs the broker alone, deny_fanout_broker_p99_ms (load/bench/fanout.ts).
//   tap plan  tap_plan_us_per_tap: the gateway's own CPU per tap, a signed 100-tap batch through
//             the real ingest with an in-memory store, against tap_decode_us_per_tap, the
//             gateway's decode of that batch (protos/tap-codec.ts), in the same rounds
//             (load/bench/tap-plan.ts); tap_plan_city_us_per_tap the same with the commit's
//             arguments as a city builds them (keepRecords false), and its heap bytes per tap;
//   signing   batch_sign_us, ack_verify_us (per batch of 100 taps, p50) and their baselines
//             (load/bench/signing.ts); the simulated devices sign every batch with their own key.
//   commit    commit_build_us_per_tap: building and writing a turn's commit by partition count,
//             on one Redis and on a Cluster (a call per partition), against the records' frames
//             alone (load/bench/commit-build.ts).
// `--tap-path` runs only the tap path, its baseline, costs and ceilings, the tap plan and the
// signing figures (before/after); `--city` only the city tap path (its city_* keys).
// Prints progress on stderr and one JSON object as the last line of stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openRedisStore } from '../../gateway/src/store/redis.js';
import { evalshaCeiling, mqttBatchCeiling, mqttRoundTrip } from './ceilings.js';
import { cityTapPathBench } from './city.js';
import { baseline, issueCards } from './commit-baseline.js';
import { benchCommitBuild } from './commit-build.js';
import { consoleBench } from './console.js';
import { runDevices, type SimDevice, simDevice } from './devices.js';
import { edgeListBench } from './edge.js';
import { benchEntry } from './entry.js';
import { denyFanoutBench } from './fanout.js';
import { fareBench } from './fare.js';
import { historyIngestBench } from './history-ingest.js';
import { historyMonthBench } from './history-month.js';
import { dropLeftoverTopics } from './kafka-admin.js';
import { pidFrom } from './process-probe.js';
import { benchQr } from './qr.js';
import { freePort, waitReady } from './ready.js';
import { redisSteadyBench } from './redis-steady.js';
import { benchSigning } from './signing.js';
import { percentile, progress, round } from './stats.js';
import { type CostMeter, startCostMeter } from './tap-costs.js';
import { benchTapPlan } from './tap-plan.js';
import { benchVenues } from './venues.js';

const quick = process.argv.includes('--quick');
/** Only the tap path and its baseline (with the signing figures): for before/after comparisons. */
const tapPathOnly = process.argv.includes('--tap-path');
/** Only the city tap path (load/bench/city.ts): the target configuration's A/B in a minute or two. */
const cityOnly = process.argv.includes('--city');
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
  // The second, shorter max-rate run with the gateway as a city runs it (load/bench/city.ts).
  // Quick: long enough (~5 s) that a minute's swing of the VM's speed or one GC does not make the figure.
  cityTaps: quick ? 150_000 : 200_000,
  // Through the whole path first, not measured (load/bench/city.ts): a warm JIT and Kafka. As
  // many as a quick measured run: after 20,000 the JIT still compiled through the measured run
  // (~1 µs a tap of the gateway's); 150,000 and 400,000 measured alike (docs/decisions/0238).
  cityWarmupTaps: 150_000,
  // Then a city's batch size (load/bench/city.ts): 5 taps a batch from many more devices.
  citySmallBatch: { tapsPerBatch: 5, devices: quick ? 200 : 400, taps: quick ? 20_000 : 100_000 },
  pacedRate: 20_000,
  pacedSeconds: quick ? 10 : 30,
  ceilingSeconds: quick ? 3 : 10,
  mqttCeilingMessages: quick ? 20_000 : 100_000,
  // Paced at the offered rate's batches a second (mqttRoundTrip): 10 s, 30 s in a full run.
  mqttRoundTrips: quick ? 2_000 : 6_000,
  historyIngest: quick ? 50_000 : 1_000_000,
  // A month of a city's rides, generated once and kept (>= 10 M in a full run, issue 10 item 5).
  historyMonth: quick ? 300_000 : 10_500_000,
  historyQueries: quick ? 100 : 500,
  // Redis flat once the window is full (issue 10 item 1): taps over simulated days, window 2 days.
  steady: quick
    ? { taps: 200_000, days: 20, devices: 50, cards: 5_000, windowDays: 2 }
    : { taps: 5_000_000, days: 40, devices: 625, cards: 50_000, windowDays: 2 },
};
const TOKEN_KEY = 'be'.repeat(32);
const LIST_SIGNING_KEY = 'b1'.repeat(32);
const log = (s: string) => process.stderr.write(`${s}\n`);

const gcFile = join(root, '.run/bench/gateway-gc.json');

/** extra: variables over the bench's own (load/bench/city.ts runs it as a city does). */
function startGateway(port: number, extra: Record<string, string> = {}): ChildProcess {
  // gc-probe.ts: the bench's own preload, totals the gateway's GC pauses (load/bench/tap-costs.ts).
  // The young generation and the old one's room as deploy/systemd/onecard-gateway@.service gives
  // them (docs/decisions/0225, 0242).
  const args = [
    '--max-semi-space-size=64',
    '--heap-growing-percent=400',
    '--import',
    'tsx',
    '--import',
    join(root, 'load/bench/gc-probe.ts'),
  ];
  // ONECARD_BENCH_GATEWAY_PROF_DIR: a CPU profile of the gateway (written when it stops), to see
  // where its time per tap goes (docs/decisions/0205). Not in NODE_OPTIONS: node refuses it there.
  const profDir = process.env.ONECARD_BENCH_GATEWAY_PROF_DIR;
  if (profDir) args.unshift('--cpu-prof', `--cpu-prof-dir=${profDir}`);
  // ONECARD_BENCH_GATEWAY_NODE_ARGS: node and V8 flags after the bench's own, so they win (a
  // young generation's size, --single-threaded-gc, --cpu-prof-interval=100): an A/B of a flag
  // without editing the bench (docs/decisions/0235).
  const nodeArgs = process.env.ONECARD_BENCH_GATEWAY_NODE_ARGS?.split(' ').filter((a) => a !== '');
  if (nodeArgs) args.push(...nodeArgs);
  // ONECARD_BENCH_GATEWAY_STDOUT: a file for the gateway's stdout, which the bench otherwise
  // discards: where --trace-gc and its kind print (docs/decisions/0236).
  const stdoutFile = process.env.ONECARD_BENCH_GATEWAY_STDOUT;
  const stdout = stdoutFile ? openSync(stdoutFile, 'a') : 'ignore';
  return spawn(process.execPath, [...args, join(root, 'gateway/src/main.ts')], {
    cwd: root,
    stdio: ['ignore', stdout, 'inherit'],
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
      ONECARD_BENCH_GC_FILE: gcFile,
      ...extra,
    },
  });
}

/** Kafka → history process → PostgreSQL, then the queries over a generated month. */
async function historyBench(): Promise<Record<string, number | boolean>> {
  const brokers = process.env.ONECARD_TEST_KAFKA_BROKERS;
  const pgUrl = process.env.ONECARD_TEST_PG_URL;
  if (!brokers || !pgUrl) throw new Error('the history figures need Kafka and PostgreSQL (scripts/bench.sh)');
  log('history: Kafka → history process → PostgreSQL, and queries over a month');
  const ingest = await historyIngestBench({
    root,
    brokers,
    pgUrl,
    records: P.historyIngest,
    maxSeconds: quick ? 120 : 600,
    log,
  });
  const month = await historyMonthBench({ pgUrl, records: P.historyMonth, queries: P.historyQueries, log });
  log(`  history: ${JSON.stringify(month)}`);
  return { ...ingest, ...month };
}

/** The tap path again, shorter, with the gateway as a city runs it (load/bench/city.ts). */
async function cityBench(): Promise<Record<string, number>> {
  const brokers = process.env.ONECARD_TEST_KAFKA_BROKERS;
  const pgUrl = process.env.ONECARD_TEST_PG_URL;
  if (!brokers || !pgUrl) throw new Error('the city tap path needs Kafka and PostgreSQL (scripts/bench.sh)');
  return cityTapPathBench({
    redisUrl,
    mqttUrl,
    ...simulatorMqtt,
    brokers,
    pgUrl,
    cards: P.cards,
    devices: P.devices,
    partitions: P.partitions,
    tapsPerBatch: P.tapsPerBatch,
    window: P.window,
    taps: P.cityTaps,
    maxSeconds: 120,
    pacedRate: P.pacedRate,
    pacedSeconds: P.pacedSeconds,
    warmupTaps: P.cityWarmupTaps,
    smallBatch: P.citySmallBatch,
    gcFile: join(root, '.run/bench/city-gateway-gc.json'),
    brokerPid: pidFrom(join(root, '.run/mosquitto/pid')),
    kafkaPid: pidFrom(join(root, '.run/kafka/pid')),
    startGateway,
    log,
  });
}

async function main() {
  log(`bench ${quick ? '(quick)' : ''}: ${JSON.stringify(P)}`);
  // Topics a stopped run could not drop (each run drops its own when done, kafka-admin.ts).
  const brokers = process.env.ONECARD_TEST_KAFKA_BROKERS;
  if (brokers) {
    const left = await dropLeftoverTopics(brokers);
    if (left.length > 0) log(`dropped ${left.length} Kafka topics earlier bench runs left`);
  }
  if (cityOnly) {
    console.log(
      JSON.stringify({ ...(await cityBench()), quick, devices: P.devices, taps_per_batch: P.tapsPerBatch }),
    );
    return;
  }
  // Edge lists first, on their own: no services, and their memory is gone before the tap path.
  const edge = tapPathOnly ? {} : await edgeListBench({ quick, log });
  // CPU-bound, so measured first, before the tap path's processes compete for the cores.
  const qr = tapPathOnly ? {} : await benchQr(quick);
  log(`  qr: ${JSON.stringify(qr)}`);
  const signing = benchSigning(quick);
  log(`  signing: ${JSON.stringify(signing)}`);
  const tapPlan = await benchTapPlan(quick);
  log(`  tap plan: ${JSON.stringify(tapPlan)}`);
  const commitBuild = benchCommitBuild(quick);
  log(`  commit build: ${JSON.stringify(commitBuild)}`);
  log('entry rules on the device');
  const entry = tapPathOnly ? {} : benchEntry(quick);
  // Pure CPU, before the gateway and devices load the machine.
  const fares = tapPathOnly ? {} : fareBench(quick);
  log(`  fares: ${JSON.stringify(fares)}`);
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const store = await openRedisStore({ url: redisUrl, partitions: P.partitions });
  const tokens = await issueCards(store, P);
  const venues = tapPathOnly ? {} : await benchVenues(redisUrl, quick);
  log(`  venues: ${JSON.stringify(venues)}`);
  const base = await baseline(store, tokens, P);
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

  const port = await freePort();
  const gw = startGateway(port);
  try {
    await waitReady(`http://127.0.0.1:${port}`);
    const tokenBufs = tokens.map((t) => Buffer.from(t, 'hex'));
    let meter: CostMeter | undefined;
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
      // From the first batch sent: not the devices building their batches before it (0233).
      onReady: async () => {
        meter = await startCostMeter({
          gatewayPid: gw.pid!,
          gcFile,
          redis,
          brokerPid: pidFrom(join(root, '.run/mosquitto/pid')),
        });
      },
    });
    const costs = await meter!.stop(max.tapsAcked);
    log(`  costs: ${JSON.stringify(costs)}`);
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
    gw.kill('SIGTERM');
    if (gw.exitCode === null && gw.signalCode === null) await new Promise((r) => gw.once('exit', r));
    // The records this run kept are no part of a city's Redis (0204): the city run starts without
    // them, so the AOF rewrite it measures writes what a city's would (docs/decisions/0229).
    await redis.flushdb();
    const city = await cityBench();
    log('raw ceilings: trivial EVALSHA, batch-sized QoS 1 messages through Mosquitto, their round trip');
    const evalsha = await evalshaCeiling(redisUrl, P.ceilingSeconds);
    const mqttMsgsPerS = await mqttBatchCeiling({
      mqttUrl,
      payloadBytes: max.batchBytes,
      messages: P.mqttCeilingMessages,
      maxSeconds: P.ceilingSeconds * 10,
      subscriber: {
        username: gatewayMqtt.ONECARD_MQTT_USERNAME,
        password: gatewayMqtt.ONECARD_MQTT_PASSWORD,
      },
      publisher: { username: simulatorMqtt.mqttUsername, password: simulatorMqtt.mqttPassword },
    });
    // The batches of the offered 20,000 taps/s, each answered at once: the broker's floor under
    // the ack latencies above.
    const roundTrip = await mqttRoundTrip({
      mqttUrl,
      requestBytes: max.batchBytes,
      replyBytes: max.ackBytes,
      perSecond: P.pacedRate / P.tapsPerBatch,
      messages: P.mqttRoundTrips,
      maxSeconds: P.ceilingSeconds * 10,
      responder: {
        username: gatewayMqtt.ONECARD_MQTT_USERNAME,
        password: gatewayMqtt.ONECARD_MQTT_PASSWORD,
      },
      requester: { username: simulatorMqtt.mqttUsername, password: simulatorMqtt.mqttPassword },
    });
    log(
      `  ceilings: ${Math.round(evalsha.oneAtATimePerS)} EVALSHA/s, ${Math.round(mqttMsgsPerS)} msgs/s, round trip p50 ${roundTrip.p50} ms p99 ${roundTrip.p99} ms`,
    );
    // Own key prefix in the bench's db; used_memory is read while nothing else writes to Redis.
    const steady = tapPathOnly ? {} : await redisSteadyBench({ redisUrl, ...P.steady, log });
    log(`  steady: ${JSON.stringify(steady)}`);
    const history = tapPathOnly ? {} : await historyBench();
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
      ...costs,
      ...city,
      ...steady,
      redis_evalsha_trivial_per_s: Math.round(evalsha.oneAtATimePerS),
      redis_evalsha_trivial_pipelined_per_s: Math.round(evalsha.pipelinedPerS),
      ratio_taps_to_evalsha_trivial: round(tapsPerS / evalsha.oneAtATimePerS, 3),
      ratio_taps_to_evalsha_trivial_pipelined: round(tapsPerS / evalsha.pipelinedPerS, 3),
      mqtt_batch_msgs_per_s: Math.round(mqttMsgsPerS),
      mqtt_batch_bytes: max.batchBytes,
      mqtt_round_trip_p50_ms: roundTrip.p50,
      mqtt_round_trip_p99_ms: roundTrip.p99,
      // The broker's ceiling in taps (a message carries a batch): how far the tap path is from it.
      ratio_taps_to_mqtt_batch_taps: round(tapsPerS / (mqttMsgsPerS * P.tapsPerBatch), 4),
      ...history,
      // Taps sent but not acked before the run's time bound (0 when the gateway kept up).
      unacked_taps: [max, run, half.run].reduce((n, r) => n + r.tapsSent - r.tapsAcked, 0),
      duplicate_taps: max.duplicates + run.duplicates + half.run.duplicates,
      quick,
      devices: P.devices,
      taps_per_batch: P.tapsPerBatch,
      ...qr,
      ...signing,
      ...tapPlan,
      ...commitBuild,
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
