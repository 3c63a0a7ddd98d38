// What building a commit costs the gateway by how many partitions its taps meet (issue 10 items
// 3 and 5, docs/decisions/0234): a turn's commit of 500 taps (five 100-tap batches from five
// devices, each tap a different card) built as the Redis adapter builds it for a city (history
// in PostgreSQL: keepRecords false; gateway/src/store/redis-commit.ts) and written as RESP
// (gateway/src/store/resp.ts), time passed in, no I/O. Interleaved rounds, p50 per tap:
//   commit_frames_us_per_tap  the baseline: the 500 records' frames alone (protos/record-codec.ts),
//                        what every commit carries however its keys are laid out;
//   commit_build_us_per_tap  16 partitions on one Redis (the default), one call;
//   commit_build_1024_us_per_tap  1,024 partitions on one Redis, one call: nearly every tap its
//                        own partition, its own keys and outbox entry;
//   commit_build_cluster_us_per_tap, commit_build_cluster_256_us_per_tap,
//   commit_build_cluster_1024_us_per_tap  on a Cluster, a call per partition (a script or
//                        module call touches one hash slot): 16, 256 and 1,024 partitions;
//   ratio_commit_build_cluster_1024_to_256  what 1,024 partitions cost a Cluster's gateway
//                        against 256, which spread as evenly over three masters (docs/operations.md).
import { type CardState, unknownCard } from '../../core/card.js';
import { type Effect, planTap } from '../../core/ledger.js';
import { flatPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { commitCalls } from '../../gateway/src/store/redis-commit.js';
import { RedisKeys } from '../../gateway/src/store/redis-keys.js';
import { encodeCommand } from '../../gateway/src/store/resp.js';
import { encodeRecordBatch } from '../../protos/record-codec.js';
import { busTap } from './bus-tap.js';
import { percentile, round } from './stats.js';

const TAPS = 500;
/** A fixed instant (2026-06-01T08:00Z): the run never depends on the hour of day. */
const NOW = Date.UTC(2026, 5, 1, 8);
const BUCKET_TTL = 32 * 86_400;

/** Card n's token: its first 4 bytes n * a large odd number, so cards spread over every partition. */
function token(n: number): string {
  return ((n * 2654435761) >>> 0).toString(16).padStart(8, '0') + n.toString(16).padStart(24, '0');
}

/** The turn's 500 taps, planned: five devices' runs of seqs, each tap a card of its own. */
export function commitBenchEffects(): Effect[] {
  const fare = flatPricer(flatFare());
  return Array.from({ length: TAPS }, (_, i) => {
    const cardToken = token(i + 1);
    const card: CardState = { ...unknownCard(cardToken), known: true, version: 3, balanceFen: 100_000 };
    const tap = busTap(
      'benchco',
      `bus-${i % 5}`,
      1_000 + Math.floor(i / 5),
      NOW - 1_000,
      cardToken,
      '9f3a1c0de4b27a51',
    );
    return planTap(card, tap, fare, NOW);
  });
}

/** rounds: measured rounds of each build (default 100 quick, 400 full); warmup: rounds first, not counted. */
export function benchCommitBuild(
  quick: boolean,
  { rounds = quick ? 100 : 400, warmup = 20 }: { rounds?: number; warmup?: number } = {},
): Record<string, number> {
  const planned = commitBenchEffects();
  const records = planned.map((e) => e.record);
  // A city's tap days split into 8 sub-buckets (redis-seen-split.ts), as the bench's city does.
  const subBuckets = () => 8;
  const build = (partitions: number, perPartition: boolean) => {
    const keys = new RedisKeys('bench', partitions);
    return () => {
      let bytes = 0;
      for (const c of commitCalls(planned, keys, BUCKET_TTL, {
        keepRecords: false,
        perPartition,
        subBuckets,
      }))
        bytes += encodeCommand('ONECARD.COMMIT', [String(c.keys.length)], c.keys, c.args).length;
      return bytes;
    };
  };
  const runs: Record<string, () => number> = {
    frames: () => encodeRecordBatch(records).length,
    p16: build(16, false),
    p1024: build(1024, false),
    cluster16: build(16, true),
    cluster256: build(256, true),
    cluster1024: build(1024, true),
  };
  const times: Record<string, number[]> = {};
  for (const name of Object.keys(runs)) times[name] = [];
  for (let r = 0; r < rounds + warmup; r++)
    for (const [name, run] of Object.entries(runs)) {
      const t = process.hrtime.bigint();
      run();
      // The first rounds warm the JIT and are not counted.
      if (r >= warmup) times[name]!.push(Number(process.hrtime.bigint() - t) / 1000 / TAPS);
    }
  const p50 = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const frames = p50(times.frames!);
  const p16 = p50(times.p16!);
  const c256 = p50(times.cluster256!);
  const c1024 = p50(times.cluster1024!);
  return {
    commit_frames_us_per_tap: round(frames, 2),
    commit_build_us_per_tap: round(p16, 2),
    commit_build_1024_us_per_tap: round(p50(times.p1024!), 2),
    commit_build_cluster_us_per_tap: round(p50(times.cluster16!), 2),
    commit_build_cluster_256_us_per_tap: round(c256, 2),
    commit_build_cluster_1024_us_per_tap: round(c1024, 2),
    ratio_commit_build_to_frames: round(p16 / frames, 2),
    ratio_commit_build_cluster_1024_to_256: round(c1024 / c256, 2),
  };
}
