// What the bench does to the Redis it measures besides running taps through it: removing a run's
// keys, and the append-only file's costs (docs/decisions/0229).
//
// The AOF's rewrite is a cost a short run sees by chance: Redis forks a child that writes the
// whole dataset again when the file has grown by auto-aof-rewrite-percentage since the last
// rewrite, so a 10-second run catches one or none, and the one it catches takes a core from the
// gateway for as long as it runs. So the city run starts from a fresh AOF, counts the rewrites
// that started anyway, and reports the rewrite's cost as what it is in steady traffic: a tap
// adds aofBytesPerTap to the file, a rewrite comes every (base × percentage / 100) bytes of
// them and costs its child's CPU per base byte; per tap that is
//   rewriteUsPerByte × aofBytesPerTap × 100 / percentage, whatever the dataset's size.
import type { Redis } from 'ioredis';
import { infoNumber } from './process-probe.js';

/** UNLINKs every key under `prefix:` (SCAN, never FLUSHDB: other runs' keys may share the db). */
export async function unlinkPrefix(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export interface AofState {
  /** Appendonly on: without it there is no file, no rewrite and none of these figures. */
  enabled: boolean;
  /** aof_current_size, bytes: the base and the increments since the last rewrite. */
  sizeBytes: number;
  /** aof_base_size, bytes: what the last rewrite wrote. */
  baseBytes: number;
  /** aof_rewrites: rewrites since the server started (automatic or asked for). */
  rewrites: number;
  /** used_cpu_user_children + used_cpu_sys_children, µs: the rewrite (and snapshot) children. */
  childrenCpuUs: number;
}

export async function aofState(redis: Redis): Promise<AofState> {
  const persistence = await redis.info('persistence');
  const cpu = await redis.info('cpu');
  // With appendonly off, INFO shows no sizes: 0.
  const of = (info: string, name: string) => infoNumber(info, name) ?? 0;
  return {
    enabled: of(persistence, 'aof_enabled') === 1,
    sizeBytes: of(persistence, 'aof_current_size'),
    baseBytes: of(persistence, 'aof_base_size'),
    rewrites: of(persistence, 'aof_rewrites'),
    childrenCpuUs: (of(cpu, 'used_cpu_user_children') + of(cpu, 'used_cpu_sys_children')) * 1e6,
  };
}

/** Waits (bounded) until no rewrite runs or waits to run; throws when the last one failed. */
async function rewriteDone(redis: Redis, maxMs: number): Promise<void> {
  for (const end = performance.now() + maxMs; ; ) {
    const p = await redis.info('persistence');
    if (infoNumber(p, 'aof_rewrite_in_progress') === 0 && infoNumber(p, 'aof_rewrite_scheduled') === 0) {
      if (!/^aof_last_bgrewrite_status:ok/m.test(p)) throw new Error('the AOF rewrite failed (redis.log)');
      return;
    }
    if (performance.now() > end) throw new Error(`the AOF rewrite did not end within ${maxMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Rewrites the AOF now and waits for it: the file is then its base alone, and the child's CPU
 * and the base it wrote are one rewrite's cost. Undefined when appendonly is off.
 */
export async function rewriteAof(
  redis: Redis,
  maxMs = 300_000,
): Promise<{ cpuUs: number; baseBytes: number } | undefined> {
  if (!(await aofState(redis)).enabled) return undefined;
  // Another client's rewrite (a test suite sharing the Redis, Redis's own) may start between the
  // wait and the ask: Redis refuses the second; this one waits for it and asks again.
  for (let attempt = 1; ; attempt++) {
    await rewriteDone(redis, maxMs);
    const before = await aofState(redis);
    try {
      await redis.bgrewriteaof();
    } catch (err) {
      if (attempt < 5 && /already in progress/.test(String(err))) continue;
      throw err;
    }
    await rewriteDone(redis, maxMs);
    const after = await aofState(redis);
    if (after.rewrites === before.rewrites) throw new Error('BGREWRITEAOF did not rewrite');
    return { cpuUs: after.childrenCpuUs - before.childrenCpuUs, baseBytes: after.baseBytes };
  }
}

/** auto-aof-rewrite-percentage: 0 when Redis never rewrites on its own. */
export async function rewritePercentage(redis: Redis): Promise<number> {
  const [, value] = (await redis.config('GET', 'auto-aof-rewrite-percentage')) as [string, string];
  return Number(value);
}

/**
 * A rewrite's CPU spread over the taps that grow the file to the next one, µs a tap (the module
 * header); 0 when Redis does not rewrite on its own (the file then grows without end).
 */
export function rewriteUsPerTap(o: {
  rewriteCpuUs: number;
  baseBytes: number;
  aofBytesPerTap: number;
  percentage: number;
}): number {
  if (o.percentage <= 0 || o.baseBytes <= 0) return 0;
  return ((o.rewriteCpuUs / o.baseBytes) * o.aofBytesPerTap * 100) / o.percentage;
}
