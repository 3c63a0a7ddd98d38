// Writes the latest benchmark figures into README.md (between the bench markers) from the JSON
// line `npm run bench` saved in .run/bench/latest.json, with each figure's target and the
// baseline measured in the same run, so the README's figures are always a real run's.
// `node --import tsx scripts/readme-bench.ts [file]`; scripts/bench.sh runs it after a full run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Figures = Record<string, number | boolean | string>;

interface Row {
  what: string;
  key: string;
  unit: string;
  target: string;
  /** The same-run baseline and the ratio key, when the figure has one. */
  baseline?: string;
  ratio?: string;
  /** True when a higher figure is better (for the verdict against the target). */
  higher?: boolean;
  limit?: number;
}

const rows: Row[] = [
  {
    what: 'tap path: taps/s, devices → Mosquitto → gateway → Redis → acks',
    key: 'taps_per_s',
    unit: '/s',
    target: '≥ 50,000',
    baseline: 'redis_lua_commits_per_s',
    ratio: 'ratio_taps_to_lua_commits',
    higher: true,
    limit: 50_000,
  },
  { what: 'ack p99 at an offered 20,000 taps/s', key: 'ack_p99_ms', unit: 'ms', target: '≤ 50', limit: 50 },
  { what: 'ack p50 at an offered 20,000 taps/s', key: 'ack_p50_ms', unit: 'ms', target: '' },
  {
    what: 'ack p99 at half the measured maximum (gateway not saturated)',
    key: 'ack_p99_ms_at_half_max',
    unit: 'ms',
    target: '',
  },
  {
    what: 'gateway CPU per tap at the max rate (/proc/<pid>/stat)',
    key: 'gateway_cpu_us_per_tap',
    unit: 'µs',
    target: '≤ 8',
    limit: 8,
  },
  {
    what: "gateway GC pauses over its CPU time at the max rate ('gc' performance entries)",
    key: 'gateway_gc_share',
    unit: '',
    target: '≤ 0.1',
    limit: 0.1,
  },
  {
    what: 'gateway CPU per tap in process: a signed 100-tap batch through the ingest, no I/O, p50 (decision 0205)',
    key: 'tap_plan_us_per_tap',
    unit: 'µs',
    target: '',
    baseline: 'tap_decode_us_per_tap',
    ratio: 'ratio_tap_plan_to_decode',
  },
  {
    what: 'the same with the commit arguments a city builds (history in PostgreSQL, no records in Redis), same batch and rounds (decision 0219)',
    key: 'tap_plan_city_us_per_tap',
    unit: 'µs',
    target: '',
    baseline: 'tap_plan_us_per_tap',
  },
  {
    what: 'heap allocated per tap by that city batch (p50 of batches without a GC; decision 0219)',
    key: 'tap_plan_city_heap_bytes_per_tap',
    unit: 'B',
    target: '',
  },
  {
    what: "building and writing a turn's commit as a city's gateway does (500 taps, each a card of its own), 16 partitions on one Redis, per tap, p50; baseline: the records' frames alone (decision 0234)",
    key: 'commit_build_us_per_tap',
    unit: 'µs',
    target: '',
    baseline: 'commit_frames_us_per_tap',
    ratio: 'ratio_commit_build_to_frames',
  },
  {
    what: 'the same commit, 1,024 partitions on one Redis (one call; baseline: 16 partitions)',
    key: 'commit_build_1024_us_per_tap',
    unit: 'µs',
    target: '',
    baseline: 'commit_build_us_per_tap',
  },
  {
    what: 'the same commit on a Redis Cluster (a call per partition), 16 partitions (baseline: one Redis)',
    key: 'commit_build_cluster_us_per_tap',
    unit: 'µs',
    target: '',
    baseline: 'commit_build_us_per_tap',
  },
  {
    what: 'the same on a Cluster, 256 partitions (as even over 3 to 8 masters as 1,024; docs/operations.md)',
    key: 'commit_build_cluster_256_us_per_tap',
    unit: 'µs',
    target: '',
    baseline: 'commit_build_cluster_us_per_tap',
  },
  {
    what: 'the same on a Cluster, 1,024 partitions (baseline: 256)',
    key: 'commit_build_cluster_1024_us_per_tap',
    unit: 'µs',
    target: '',
    baseline: 'commit_build_cluster_256_us_per_tap',
    ratio: 'ratio_commit_build_cluster_1024_to_256',
  },
  {
    what: 'Redis CPU per tap at the max rate (INFO cpu)',
    key: 'redis_cpu_us_per_tap',
    unit: 'µs',
    target: '≤ 10',
    limit: 10,
  },
  {
    what: 'Redis memory per tap once the dedupe window is full, history in PostgreSQL: (used_memory after 2N taps − after N) / N over `redis_steady_taps` (decision 0206)',
    key: 'redis_bytes_per_tap_steady',
    unit: 'B',
    target: '≤ 1 (flat)',
    baseline: 'redis_bytes_per_tap_with_records',
    limit: 1,
  },
  {
    what: 'Redis memory held by that run after 2N taps (after N: the baseline column)',
    key: 'redis_steady_mb_at_2n',
    unit: 'MB',
    target: '',
    baseline: 'redis_steady_mb_at_n',
  },
  {
    what: 'Redis memory per tap over the max-rate run, records kept, no relay (INFO used_memory)',
    key: 'redis_bytes_per_tap_with_records',
    unit: 'B',
    target: '',
  },
  // The same tap path with the gateway as a city runs it (history=postgres, Kafka relay on;
  // decision 0208), a shorter max-rate run; baseline: the records-kept run's figure above.
  {
    what: 'city tap path: taps/s, history in PostgreSQL (no records in Redis), Kafka relay on (decision 0208)',
    key: 'city_taps_per_s',
    unit: '/s',
    target: '≥ 50,000',
    baseline: 'taps_per_s',
    higher: true,
    limit: 50_000,
  },
  {
    what: 'city tap path: ack p99 at an offered 20,000 taps/s (after the max-rate run, fresh device ids)',
    key: 'city_ack_p99_ms',
    unit: 'ms',
    target: '≤ 50',
    baseline: 'ack_p99_ms',
    limit: 50,
  },
  {
    what: 'city tap path: ack p50 at an offered 20,000 taps/s',
    key: 'city_ack_p50_ms',
    unit: 'ms',
    target: '',
  },
  {
    what: "city tap path: Redis's worst AOF fsync during that run (appendfsync always: every ack waits for the disk; a floor under the ack p99)",
    key: 'city_redis_fsync_max_ms',
    unit: 'ms',
    target: '',
  },
  {
    what: 'city tap path: gateway CPU per tap',
    key: 'city_gateway_cpu_us_per_tap',
    unit: 'µs',
    target: '≤ 8',
    baseline: 'gateway_cpu_us_per_tap',
    limit: 8,
  },
  {
    what: 'city tap path: gateway GC pauses over its CPU time',
    key: 'city_gateway_gc_share',
    unit: '',
    target: '≤ 0.1',
    baseline: 'gateway_gc_share',
    limit: 0.1,
  },
  {
    what: 'city tap path: Redis CPU per tap',
    key: 'city_redis_cpu_us_per_tap',
    unit: 'µs',
    target: '≤ 10',
    baseline: 'redis_cpu_us_per_tap',
    limit: 10,
  },
  {
    what: "city tap path: bytes a tap adds to Redis's append-only file",
    key: 'city_redis_aof_bytes_per_tap',
    unit: 'B',
    target: '',
  },
  {
    what: "city tap path: Redis's AOF rewrite per tap, one rewrite's CPU spread over the taps between two at `city_redis_aof_rewrite_percentage` % growth (a child process, not in the row above; decision 0229)",
    key: 'city_redis_rewrite_cpu_us_per_tap',
    unit: 'µs',
    target: '',
  },
  {
    what: 'city tap path: AOF rewrites Redis started during the runs, which start from a fresh AOF (one takes a core for seconds)',
    key: 'city_redis_aof_rewrites',
    unit: '',
    target: '',
  },
  {
    what: 'city tap path: Redis memory per tap over the run, read at the last ack (INFO used_memory)',
    key: 'city_redis_bytes_per_tap',
    unit: 'B',
    target: '',
    baseline: 'redis_bytes_per_tap_with_records',
  },
  {
    what: 'city tap path: the same once the relay emptied the outbox (left: the dedupe keys of the window)',
    key: 'city_redis_bytes_per_tap_drained',
    unit: 'B',
    target: '',
  },
  {
    what: "city tap path: of that, the dedupe window's own keys, MEMORY USAGE of claims, tap dedupe (sub-)buckets and marks; a city keeps taps a day × (window + 2) days of them (decision 0222)",
    key: 'city_redis_window_bytes_per_tap',
    unit: 'B',
    target: '',
  },
  {
    what: 'city tap path: most records waiting in the outbox at once (relay behind)',
    key: 'city_outbox_entries_max',
    unit: '',
    target: '',
  },
  {
    what: "city tap path: the relay's worst lag (age of the oldest unrelayed record)",
    key: 'city_outbox_lag_max_ms',
    unit: 'ms',
    target: '',
  },
  {
    what: 'where the box goes at the max rate: the simulated devices (the bench process: publish batches built and signed before the run, decode acks) per tap (decisions 0213, 0233)',
    key: 'devices_cpu_us_per_tap',
    unit: 'µs',
    target: '',
  },
  { what: 'where the box goes: Mosquitto per tap', key: 'broker_cpu_us_per_tap', unit: 'µs', target: '' },
  {
    what: 'where the box goes: the Kafka broker per tap, city tap path',
    key: 'city_kafka_cpu_us_per_tap',
    unit: 'µs',
    target: '',
  },
  {
    what: 'where the box goes: every process on every core per tap (/proc/stat; 2 cores × 1 s / 40 µs = 50,000 taps/s)',
    key: 'box_cpu_us_per_tap',
    unit: 'µs',
    target: '≤ 40',
    limit: 40,
  },
  {
    what: 'the same, city tap path',
    key: 'city_box_cpu_us_per_tap',
    unit: 'µs',
    target: '≤ 40',
    limit: 40,
  },
  {
    what: "city tap path at a validator's batch size (`city_small_batch_taps_per_batch` taps a batch, many more devices): taps/s",
    key: 'city_small_batch_taps_per_s',
    unit: '/s',
    target: '',
  },
  {
    what: 'the same: gateway CPU per tap',
    key: 'city_small_batch_gateway_cpu_us_per_tap',
    unit: 'µs',
    target: '',
  },
  {
    what: 'the same: Redis CPU per tap',
    key: 'city_small_batch_redis_cpu_us_per_tap',
    unit: 'µs',
    target: '',
  },
  {
    what: 'the same: the box per tap',
    key: 'city_small_batch_box_cpu_us_per_tap',
    unit: 'µs',
    target: '',
  },
  {
    what: 'busy share of the cores during the max-rate run (near 1: bound by CPU; lower: by the window or a round trip)',
    key: 'box_busy_share',
    unit: '',
    target: '',
  },
  {
    what: "city tap path: the commit and the claims ran as onecard's Redis module's commands (1) or as Lua scripts (0) (decisions 0232, 0233)",
    key: 'city_redis_module_in_use',
    unit: '',
    target: '',
  },
  {
    what: 'city tap path: the gateway hashed with its Node addon (1) or with node:crypto (0) (decision 0247)',
    key: 'city_gateway_addon_in_use',
    unit: '',
    target: '',
  },
  {
    what: "the box's speed around the city's max-rate run: one thread's fixed work (SHA-256 and a small object), thousands of operations/s",
    key: 'city_box_speed_kops_per_s',
    unit: 'k/s',
    target: '',
  },
  {
    what: 'city tap path: the gateway hashed with its Node addon (1) or with node:crypto (0) (decision 0247)',
    key: 'city_gateway_addon_in_use',
    unit: '',
    target: '',
  },
  {
    what: "the box's speed around the city's max-rate run: round trips to Redis, one PING at a time (a tap crosses processes several times; when this falls, every µs-a-tap figure rises)",
    key: 'city_round_trips_per_s',
    unit: '/s',
    target: '',
  },
  {
    what: 'raw ceiling: trivial EVALSHA/s, one call at a time (ratio: taps_per_s over it)',
    key: 'redis_evalsha_trivial_per_s',
    unit: '/s',
    target: '',
    ratio: 'ratio_taps_to_evalsha_trivial',
    higher: true,
  },
  {
    what: 'raw ceiling: trivial EVALSHA/s, pipelines of 100 (ratio: taps_per_s over it)',
    key: 'redis_evalsha_trivial_pipelined_per_s',
    unit: '/s',
    target: '',
    ratio: 'ratio_taps_to_evalsha_trivial_pipelined',
    higher: true,
  },
  {
    what: 'raw ceiling: batch-sized QoS 1 messages/s through Mosquitto (ratio: taps_per_s over it × taps per batch)',
    key: 'mqtt_batch_msgs_per_s',
    unit: '/s',
    target: '',
    ratio: 'ratio_taps_to_mqtt_batch_taps',
    higher: true,
  },
  {
    what: 'raw floor: a batch and its ack through Mosquitto alone, at the offered 20,000 taps/s in batches, p50 (decision 0224)',
    key: 'mqtt_round_trip_p50_ms',
    unit: 'ms',
    target: '',
  },
  {
    what: 'raw floor: the same, p99',
    key: 'mqtt_round_trip_p99_ms',
    unit: 'ms',
    target: '',
  },
  {
    what: 'history ingest: records/s, Kafka → history process → PostgreSQL',
    key: 'history_ingest_records_per_s',
    unit: '/s',
    target: '',
    higher: true,
  },
  {
    what: "a card's records page, p95, over a month of N records (`history_month_records`)",
    key: 'history_card_query_p95_ms',
    unit: 'ms',
    target: '',
  },
  {
    what: "an operator's ride statistics of a day (per-hour rollups), p50, same month",
    key: 'history_route_day_stats_ms',
    unit: 'ms',
    target: '',
  },
  {
    what: 'edge decision p99 (card tap, lists of N cards)',
    key: 'edge_decision_p99_us',
    unit: 'µs',
    target: '≤ 50',
    baseline: 'map_lookup_p99_us_1m',
    ratio: 'ratio_edge_decision_to_map_lookup_p99',
    limit: 50,
  },
  {
    what: 'edge decision through the entry rules, p99',
    key: 'edge_entry_decision_p99_us',
    unit: 'µs',
    target: '',
  },
  {
    what: 'list bytes per card',
    key: 'list_bytes_per_card',
    unit: 'B',
    target: '≤ 16',
    baseline: 'map_bytes_per_card_1m',
    ratio: 'ratio_list_to_map_bytes_per_card',
    limit: 16,
  },
  { what: 'snapshot load, 10 M cards', key: 'snapshot_load_s_10m', unit: 's', target: '≤ 5', limit: 5 },
  {
    what: 'QR verify p99 (first scan of a holder)',
    key: 'qr_verify_p99_us',
    unit: 'µs',
    target: '≤ 300',
    baseline: 'ed25519_verify_p99_us',
    ratio: 'ratio_qr_verify_to_ed25519_p99',
    limit: 300,
  },
  {
    what: 'QR verify p99 (holder seen before)',
    key: 'qr_verify_warm_p99_us',
    unit: 'µs',
    target: '≤ 300',
    baseline: 'ed25519_verify_p99_us',
    ratio: 'ratio_qr_verify_warm_to_ed25519_p99',
    limit: 300,
  },
  {
    what: 'SM2-over-SM3 signature check p99 (decision 0164)',
    key: 'sm2_verify_p99_us',
    unit: 'µs',
    target: '',
    baseline: 'ed25519_verify_p99_us',
    ratio: 'ratio_sm2_to_ed25519_verify_p99',
  },
  {
    what: 'QR verify p99 (first scan, SM2 issuer key)',
    key: 'qr_verify_sm2_p99_us',
    unit: 'µs',
    target: '',
    baseline: 'ed25519_verify_p99_us',
    ratio: 'ratio_qr_verify_sm2_to_ed25519_p99',
  },
  {
    what: 'QR scan decision p99 (holder seen before: verify + entry rules)',
    key: 'qr_decide_warm_p99_us',
    unit: 'µs',
    target: '',
    baseline: 'qr_verify_warm_p99_us',
    ratio: 'ratio_qr_decide_to_verify_warm_p99',
  },
  {
    what: 'device signs a TapBatch of 100 taps, p50 (decision 0173)',
    key: 'batch_sign_us',
    unit: 'µs',
    target: '≤ 500',
    baseline: 'batch_encode_us',
    ratio: 'ratio_batch_sign_to_encode',
    limit: 500,
  },
  {
    what: 'device checks the signed BatchAck of 100 taps, p50 (decision 0174)',
    key: 'ack_verify_us',
    unit: 'µs',
    target: '≤ 500',
    baseline: 'ack_decode_us',
    ratio: 'ratio_ack_verify_to_decode',
    limit: 500,
  },
  {
    what: 'the same BatchAck signed with an SM2 list key, p50',
    key: 'ack_verify_sm2_us',
    unit: 'µs',
    target: '',
  },
  {
    what: 'gateway checks a TapBatch signature, p50 (libsodium; baseline node:crypto, decision 0226)',
    key: 'batch_verify_us',
    unit: 'µs',
    target: '',
    baseline: 'batch_verify_node_crypto_us',
    ratio: 'ratio_batch_verify_to_node_crypto',
  },
  {
    what: 'gateway signs a BatchAck, p50 (libsodium; baseline node:crypto)',
    key: 'ack_sign_us',
    unit: 'µs',
    target: '',
    baseline: 'ack_sign_node_crypto_us',
    ratio: 'ratio_ack_sign_to_node_crypto',
  },
  {
    what: 'fare calculations/s, Beijing multi-leg days, one core',
    key: 'fare_calcs_per_s',
    unit: '/s',
    target: '≥ 200,000',
    baseline: 'flat_fare_calcs_per_s',
    ratio: 'ratio_fare_to_flat',
    higher: true,
    limit: 200_000,
  },
  {
    what: 'entry decisions/s on the device',
    key: 'entry_decide_per_s',
    unit: '/s',
    target: '',
    baseline: 'entry_decide_baseline_per_s',
    ratio: 'ratio_entry_decide_to_deny_only',
    higher: true,
  },
  {
    what: 'venue tickets bought with the card/s (place, pay, confirm), Redis',
    key: 'venue_purchases_per_s',
    unit: '/s',
    target: '',
    baseline: 'venue_topups_per_s',
    ratio: 'venue_purchase_to_topup_ratio',
    higher: true,
  },
  {
    what: 'lost card to every device: deny delta at 99 % of N enrolled devices (`deny_fanout_devices`)',
    key: 'deny_fanout_p99_ms',
    unit: 'ms',
    target: '≤ 2,000 (N = 10,000)',
    baseline: 'deny_fanout_broker_p99_ms',
    ratio: 'ratio_deny_fanout_to_broker_p99',
    limit: 2_000,
  },
  {
    what: 'broker memory per 1,000 connected devices (persistent sessions)',
    key: 'broker_rss_mb_per_1k_devices',
    unit: 'MB',
    target: '',
  },
];

const fmt = (v: unknown): string =>
  typeof v === 'number' ? (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(v)) : '—';

export function benchTable(f: Figures): string {
  const lines = [
    '| figure | this run | target | same-run baseline | ratio |',
    '| --- | ---: | --- | ---: | ---: |',
  ];
  for (const r of rows) {
    if (!(r.key in f)) continue;
    const v = f[r.key] as number;
    const verdict =
      r.limit === undefined ? '' : (r.higher ? v >= r.limit : v <= r.limit) ? ' ✓' : ' ✗ (not met)';
    const base = r.baseline && r.baseline in f ? `${fmt(f[r.baseline])} (\`${r.baseline}\`)` : '';
    const ratio = r.ratio && r.ratio in f ? fmt(f[r.ratio]) : '';
    lines.push(
      `| ${r.what} (\`${r.key}\`) | ${fmt(v)}${r.unit ? ` ${r.unit}` : ''} | ${r.target}${verdict} | ${base} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

export function withBenchTable(readme: string, f: Figures, when: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  const scale = f.quick ? 'quick run (`--quick`, smaller counts)' : 'full run';
  const body = `${benchTable(f)}\n\n${scale}, ${when}; every key of the run: \`docs/bench-latest.json\`.`;
  return `${readme.slice(0, a + BEGIN.length)}\n${body}\n${readme.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..');
  const file = process.argv[2] ?? join(root, '.run/bench/latest.json');
  const figures = JSON.parse(readFileSync(file, 'utf8')) as Figures;
  const readmeFile = join(root, 'README.md');
  const when = new Date().toISOString().slice(0, 10);
  writeFileSync(readmeFile, withBenchTable(readFileSync(readmeFile, 'utf8'), figures, when));
  writeFileSync(join(root, 'docs/bench-latest.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.error(`README.md benchmark figures written from ${file}`);
}
