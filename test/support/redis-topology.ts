// Redis topologies a suite starts for itself with the project's scripts (docs/decisions/0193):
// a 3-master + 3-replica Cluster (scripts/redis-cluster.sh) and a primary with replicas under
// three Sentinels (scripts/redis-sentinel.sh), each on ports no one else holds, torn down after.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testEnv } from './env.js';

const run = promisify(execFile);

const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

/**
 * The first of n consecutive ports that are free now, with port+10000 free too when bus is set
 * (a Cluster node's bus port). Bases come from 20000..29999, below Linux' ephemeral range, so
 * the OS does not hand them to outgoing connections meanwhile.
 */
export async function freePortRun(n: number, bus = false): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (10000 - n));
    let ok = true;
    for (let p = base; ok && p < base + n; p++)
      ok = (await canBind(p)) && (!bus || (await canBind(p + 10000)));
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

/**
 * `script up args`; when it fails half-way (a replica never in sync on a loaded box), `script
 * down args` before the error goes on, so the nodes it did start are not left running: the
 * suite's afterAll has no handle to stop them with.
 */
async function up(script: string, args: string[], timeout: number): Promise<string> {
  try {
    return (await run('bash', [script, 'up', ...args], { timeout })).stdout;
  } catch (err) {
    await run('bash', [script, 'down', ...args], { timeout: 30_000 }).catch(() => {});
    throw err;
  }
}

export interface RedisCluster {
  /** "host:port,..." of all six nodes (ONECARD_REDIS_CLUSTER). */
  seeds: string;
  masters: number[];
  down(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const first = await freePortRun(6, true);
  const script = join(testEnv.root, 'scripts/redis-cluster.sh');
  const stdout = await up(script, [String(first)], 60_000);
  return {
    seeds: stdout.trim(),
    masters: [first, first + 1, first + 2],
    down: async () => {
      await run('bash', [script, 'down', String(first)], { timeout: 30_000 });
    },
  };
}

export interface SentinelSet {
  /** "host:port,..." of the three Sentinels (ONECARD_REDIS_SENTINELS). */
  sentinels: string;
  master: string;
  /** The Redis ports: the first is the primary at the start, the others its replicas. */
  redisPorts: number[];
  /** The pid of the Redis on this port (to kill it). */
  pidOf(port: number): number;
  /** The primary's port as the first Sentinel names it now. */
  primaryPort(): Promise<number>;
  down(): Promise<void>;
}

/** A primary, `replicas` replicas and three Sentinels watching them. */
export async function startSentinelSet(replicas: number): Promise<SentinelSet> {
  const redisFirst = await freePortRun(1 + replicas);
  const sentinelFirst = await freePortRun(3);
  const script = join(testEnv.root, 'scripts/redis-sentinel.sh');
  const args = [String(redisFirst), String(sentinelFirst), String(replicas)];
  const stdout = await up(script, args, 120_000);
  const [sentinels, master] = stdout.trim().split(' ') as [string, string];
  const dir = join(testEnv.root, '.run', `redis-sentinel-${redisFirst}`);
  return {
    sentinels,
    master,
    redisPorts: Array.from({ length: 1 + replicas }, (_, i) => redisFirst + i),
    pidOf: (port) => Number(readFileSync(join(dir, String(port), 'pid'), 'utf8').trim()),
    primaryPort: async () => {
      const { stdout: addr } = await run('redis-cli', [
        '-p',
        String(sentinelFirst),
        'sentinel',
        'get-master-addr-by-name',
        master,
      ]);
      return Number(addr.trim().split('\n')[1]);
    },
    down: async () => {
      await run('bash', [script, 'down', ...args], { timeout: 30_000 });
    },
  };
}
