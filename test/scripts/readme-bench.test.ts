import { describe, expect, it } from 'vitest';
import { benchTable, withBenchTable } from '../../scripts/readme-bench.js';

describe('README benchmark figures', () => {
  const figures = {
    taps_per_s: 12_345,
    redis_lua_commits_per_s: 23_000,
    ratio_taps_to_lua_commits: 0.537,
    ack_p99_ms: 80.5,
    fare_calcs_per_s: 600_000,
    flat_fare_calcs_per_s: 9_000_000,
    ratio_fare_to_flat: 0.067,
    quick: false,
  };
  /** The records-kept tap path's costs, which the city's figures stand beside. */
  const recordsKept = {
    gateway_cpu_us_per_tap: 61.3,
    gateway_gc_share: 0.08,
    redis_cpu_us_per_tap: 9.5,
    redis_bytes_per_tap_with_records: 1712.4,
  };

  it('puts each figure with its target, its same-run baseline and the ratio, and says which targets are missed', () => {
    const table = benchTable(figures);
    expect(table).toContain(
      '| tap path: taps/s, devices → Mosquitto → gateway → Redis → acks (`taps_per_s`) | 12,345 /s | ≥ 50,000 ✗ (not met) | 23,000 (`redis_lua_commits_per_s`) | 0.537 |',
    );
    expect(table).toContain(
      '| ack p99 at an offered 20,000 taps/s (`ack_p99_ms`) | 80.5 ms | ≤ 50 ✗ (not met) |  |  |',
    );
    expect(table).toContain('600,000 /s | ≥ 200,000 ✓ | 9,000,000 (`flat_fare_calcs_per_s`) | 0.067 |');
  });

  it('puts the signing costs per batch of 100 taps with their targets and same-run baselines (0173, 0174)', () => {
    const table = benchTable({
      ...figures,
      batch_sign_us: 61.2,
      batch_encode_us: 80.4,
      ratio_batch_sign_to_encode: 0.76,
      ack_verify_us: 95.5,
      ack_decode_us: 30.1,
      ratio_ack_verify_to_decode: 3.17,
      ack_verify_sm2_us: 700.3,
      batch_verify_us: 70.9,
    });
    expect(table).toContain(
      '| device signs a TapBatch of 100 taps, p50 (decision 0173) (`batch_sign_us`) | 61.2 µs | ≤ 500 ✓ | 80.4 (`batch_encode_us`) | 0.76 |',
    );
    expect(table).toContain(
      '| device checks the signed BatchAck of 100 taps, p50 (decision 0174) (`ack_verify_us`) | 95.5 µs | ≤ 500 ✓ | 30.1 (`ack_decode_us`) | 3.17 |',
    );
    expect(table).toContain('(`ack_verify_sm2_us`) | 700.3 µs |');
    expect(table).toContain('(`batch_verify_us`) | 70.9 µs |');
  });

  it("puts the gateway's in-process cost per tap beside the protobuf decode of the same batch (0205)", () => {
    const table = benchTable({
      ...figures,
      tap_plan_us_per_tap: 11.8,
      tap_decode_us_per_tap: 0.43,
      ratio_tap_plan_to_decode: 27.4,
    });
    expect(table).toContain(
      '| gateway CPU per tap in process: a signed 100-tap batch through the ingest, no I/O, p50 (decision 0205) (`tap_plan_us_per_tap`) | 11.8 µs |  | 0.43 (`tap_decode_us_per_tap`) | 27.4 |',
    );
  });

  it("puts the city's in-process cost per tap beside the records-kept one, and its heap bytes per tap (0219)", () => {
    const table = benchTable({
      ...figures,
      tap_plan_us_per_tap: 17.5,
      tap_plan_city_us_per_tap: 10.9,
      tap_plan_city_heap_bytes_per_tap: 4949,
    });
    expect(table).toContain('(`tap_plan_city_us_per_tap`) | 10.9 µs |  | 17.5 (`tap_plan_us_per_tap`) |  |');
    expect(table).toContain('(`tap_plan_city_heap_bytes_per_tap`) | 4,949 B |  |  |  |');
  });

  it('puts the cost of building a commit by partition count, on one Redis and on a Cluster, each beside the one before (0234)', () => {
    const table = benchTable({
      ...figures,
      commit_frames_us_per_tap: 1.07,
      commit_build_us_per_tap: 4.6,
      ratio_commit_build_to_frames: 4.3,
      commit_build_1024_us_per_tap: 7.3,
      commit_build_cluster_us_per_tap: 4.9,
      commit_build_cluster_256_us_per_tap: 8.8,
      commit_build_cluster_1024_us_per_tap: 12.8,
      ratio_commit_build_cluster_1024_to_256: 1.45,
    });
    expect(table).toContain(
      '(`commit_build_us_per_tap`) | 4.6 µs |  | 1.07 (`commit_frames_us_per_tap`) | 4.3 |',
    );
    expect(table).toContain(
      '(`commit_build_1024_us_per_tap`) | 7.3 µs |  | 4.6 (`commit_build_us_per_tap`) |  |',
    );
    expect(table).toContain(
      '(`commit_build_cluster_us_per_tap`) | 4.9 µs |  | 4.6 (`commit_build_us_per_tap`) |  |',
    );
    expect(table).toContain(
      '(`commit_build_cluster_256_us_per_tap`) | 8.8 µs |  | 4.9 (`commit_build_cluster_us_per_tap`) |  |',
    );
    expect(table).toContain(
      '(`commit_build_cluster_1024_us_per_tap`) | 12.8 µs |  | 8.8 (`commit_build_cluster_256_us_per_tap`) | 1.45 |',
    );
  });

  it("puts the tap path's costs per tap with the issue's targets, the raw ceilings with taps/s against them, and the history figures (issue 10 item 5)", () => {
    const table = benchTable({
      ...figures,
      ack_p99_ms: 42,
      ...recordsKept,
      redis_bytes_per_tap_steady: 0.4,
      redis_steady_mb_at_n: 231.5,
      redis_steady_mb_at_2n: 231.6,
      redis_evalsha_trivial_per_s: 104_000,
      ratio_taps_to_evalsha_trivial: 0.119,
      redis_evalsha_trivial_pipelined_per_s: 919_000,
      ratio_taps_to_evalsha_trivial_pipelined: 0.013,
      mqtt_batch_msgs_per_s: 13_600,
      ratio_taps_to_mqtt_batch_taps: 0.0091,
      mqtt_round_trip_p50_ms: 0.41,
      mqtt_round_trip_p99_ms: 7.2,
      history_ingest_records_per_s: 41_000,
      history_card_query_p95_ms: 3.2,
      history_route_day_stats_ms: 1.1,
    });
    expect(table).toContain('(`ack_p99_ms`) | 42 ms | ≤ 50 ✓ |');
    expect(table).toContain('(`gateway_cpu_us_per_tap`) | 61.3 µs | ≤ 8 ✗ (not met) |');
    expect(table).toContain('(`gateway_gc_share`) | 0.08 | ≤ 0.1 ✓ |');
    expect(table).toContain('(`redis_cpu_us_per_tap`) | 9.5 µs | ≤ 10 ✓ |');
    expect(table).toContain('(`redis_bytes_per_tap_with_records`) | 1,712 B |  |');
    expect(table).toContain(
      '(`redis_bytes_per_tap_steady`) | 0.4 B | ≤ 1 (flat) ✓ | 1,712 (`redis_bytes_per_tap_with_records`) |',
    );
    expect(table).toContain('(`redis_steady_mb_at_2n`) | 231.6 MB |  | 231.5 (`redis_steady_mb_at_n`) |');
    expect(table).toContain('(`redis_evalsha_trivial_per_s`) | 104,000 /s |  |  | 0.119 |');
    expect(table).toContain('(`redis_evalsha_trivial_pipelined_per_s`) | 919,000 /s |  |  | 0.013 |');
    expect(table).toContain('(`mqtt_batch_msgs_per_s`) | 13,600 /s |  |  | 0.0091 |');
    expect(table).toContain('(`mqtt_round_trip_p50_ms`) | 0.41 ms |');
    expect(table).toContain('(`mqtt_round_trip_p99_ms`) | 7.2 ms |');
    expect(table).toContain('(`history_ingest_records_per_s`) | 41,000 /s |');
    expect(table).toContain('(`history_card_query_p95_ms`) | 3.2 ms |');
    expect(table).toContain('(`history_route_day_stats_ms`) | 1.1 ms |');
  });

  it('puts the city tap path (history in PostgreSQL, Kafka relay) beside the records-kept figures of the same run (decision 0208)', () => {
    const table = benchTable({
      ...figures,
      ...recordsKept,
      city_taps_per_s: 9_876,
      city_gateway_cpu_us_per_tap: 70.2,
      city_gateway_gc_share: 0.12,
      city_redis_cpu_us_per_tap: 6.1,
      city_redis_bytes_per_tap: 3.5,
      city_redis_bytes_per_tap_drained: 1.2,
      city_outbox_entries_max: 4_200,
      city_outbox_lag_max_ms: 310,
      city_redis_fsync_max_ms: 43,
    });
    expect(table).toContain(
      `(\`city_taps_per_s\`) | 9,876 /s | ≥ 50,000 ✗ (not met) | ${figures.taps_per_s.toLocaleString('en-US')} (\`taps_per_s\`) |`,
    );
    expect(table).toContain(
      '(`city_gateway_cpu_us_per_tap`) | 70.2 µs | ≤ 8 ✗ (not met) | 61.3 (`gateway_cpu_us_per_tap`) |',
    );
    expect(table).toContain(
      '(`city_gateway_gc_share`) | 0.12 | ≤ 0.1 ✗ (not met) | 0.08 (`gateway_gc_share`) |',
    );
    expect(table).toContain(
      '(`city_redis_cpu_us_per_tap`) | 6.1 µs | ≤ 10 ✓ | 9.5 (`redis_cpu_us_per_tap`) |',
    );
    expect(table).toContain(
      '(`city_redis_bytes_per_tap`) | 3.5 B |  | 1,712 (`redis_bytes_per_tap_with_records`) |',
    );
    expect(table).toContain('(`city_redis_bytes_per_tap_drained`) | 1.2 B |  |');
    expect(table).toContain('(`city_outbox_entries_max`) | 4,200 |  |');
    expect(table).toContain('(`city_redis_fsync_max_ms`) | 43 ms |  |');
    expect(table).toContain('(`city_outbox_lag_max_ms`) | 310 ms |  |');
  });

  it("puts the AOF's bytes a tap and its rewrite's CPU a tap beside Redis's own CPU a tap (decision 0229)", () => {
    const table = benchTable({
      ...figures,
      city_redis_cpu_us_per_tap: 17.8,
      city_redis_aof_bytes_per_tap: 476.1,
      city_redis_rewrite_cpu_us_per_tap: 0.93,
      city_redis_aof_rewrites: 0,
    });
    expect(table).toContain('(`city_redis_aof_bytes_per_tap`) | 476.1 B |  |');
    expect(table).toContain('(`city_redis_rewrite_cpu_us_per_tap`) | 0.93 µs |  |');
    expect(table).toContain('(`city_redis_aof_rewrites`) | 0 |  |');
    const rows = table.split('\n');
    const at = (key: string) => rows.findIndex((r) => r.includes(`(\`${key}\`)`));
    expect(at('city_redis_rewrite_cpu_us_per_tap')).toBe(at('city_redis_cpu_us_per_tap') + 2);
  });

  it('leaves out figures the run did not measure', () => {
    expect(benchTable(figures)).not.toContain('qr_verify_p99_us');
  });

  it('replaces only what lies between the markers', () => {
    const readme = 'intro\n<!-- bench:begin -->\nold\n<!-- bench:end -->\noutro\n';
    const out = withBenchTable(readme, figures, '2026-11-23');
    expect(out.startsWith('intro\n<!-- bench:begin -->\n| figure |')).toBe(true);
    expect(out).toContain('full run, 2026-11-23');
    expect(out.endsWith('<!-- bench:end -->\noutro\n')).toBe(true);
    expect(out).not.toContain('old');
  });
});
