// The commit-building bench (load/bench/commit-build.ts) measures what it says: its turn's taps
// meet as many partitions as a city's cards would, a Cluster's commit is a call per partition,
// and every figure it prints is there. (Its times are not asserted: no timed assertions.)
import { describe, expect, it } from 'vitest';
import { commitCalls } from '../../../gateway/src/store/redis-commit.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { benchCommitBuild, commitBenchEffects } from '../../../load/bench/commit-build.js';

describe('the commit-building bench', () => {
  const effects = commitBenchEffects();

  it("spreads the turn's 500 taps over partitions as random cards do", () => {
    expect(new Set(effects.map((e) => e.cardToken)).size).toBe(500);
    const met = (partitions: number) =>
      new Set(effects.map((e) => new RedisKeys('bench', partitions).partitionOf(e.cardToken))).size;
    expect(met(16)).toBe(16);
    // 500 cards over 256 and 1,024 partitions: about 256(1 − e^(−500/256)) ≈ 220 and 1,024(1 − e^(−500/1024)) ≈ 396.
    expect(met(256)).toBeGreaterThan(200);
    expect(met(1024)).toBeGreaterThan(370);
  });

  it('builds one call on one Redis and a call per partition on a Cluster', () => {
    const keys = new RedisKeys('bench', 1024);
    const one = commitCalls(effects, keys, 86_400, { keepRecords: false });
    const cluster = commitCalls(effects, keys, 86_400, { keepRecords: false, perPartition: true });
    expect(one).toHaveLength(1);
    expect(cluster).toHaveLength(new Set(effects.map((e) => keys.partitionOf(e.cardToken))).size);
    expect(cluster.reduce((n, c) => n + c.positions.length, 0)).toBe(500);
  });

  it('prints every figure as a positive number', { timeout: 30_000 }, () => {
    // Three rounds: the figures' presence, not their size (a full round set takes seconds).
    const figures = benchCommitBuild(true, { rounds: 3, warmup: 1 });
    expect(Object.keys(figures).sort()).toEqual([
      'commit_build_1024_us_per_tap',
      'commit_build_cluster_1024_us_per_tap',
      'commit_build_cluster_256_us_per_tap',
      'commit_build_cluster_us_per_tap',
      'commit_build_us_per_tap',
      'commit_frames_us_per_tap',
      'ratio_commit_build_cluster_1024_to_256',
      'ratio_commit_build_to_frames',
    ]);
    for (const v of Object.values(figures)) expect(v).toBeGreaterThan(0);
  });
});
