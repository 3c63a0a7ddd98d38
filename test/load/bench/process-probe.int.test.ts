// The bench's probes read real processes: its own CPU from /proc, a child's GC total through the
// bench-only preload, and a real Redis's INFO.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayGcMs, processCpuUs, redisUsage } from '../../../load/bench/process-probe.js';
import { testEnv, uniqueId } from '../../support/env.js';

describe('bench process probes', () => {
  it("reads a process's CPU time from /proc/<pid>/stat as Node counts it (user + system)", () => {
    const before = processCpuUs(process.pid);
    const node0 = process.cpuUsage();
    // Burn CPU until Node itself counts 200 ms more (a condition, not a timer).
    let x = 0;
    while (process.cpuUsage(node0).user < 200_000) x += Math.sqrt(x + 1);
    const nodeUs = process.cpuUsage(node0);
    const procUs = processCpuUs(process.pid) - before;
    expect(x).toBeGreaterThan(0);
    // /proc counts in clock ticks (10 ms at 100 Hz): the two agree within a few ticks.
    expect(Math.abs(procUs - (nodeUs.user + nodeUs.system))).toBeLessThan(50_000);
  });

  it('totals the GC pauses of a process started with the gc-probe preload, fresh on each signal', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gc-probe-')), 'gc.json');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        join(testEnv.root, 'load/bench/gc-probe.ts'),
        '-e',
        // Garbage enough for scavenges, then report ready and stay alive until killed.
        'let k = []; for (let i = 0; i < 2e6; i++) { k.push({ i }); if (k.length > 1000) k = []; } console.log("ready"); setInterval(() => {}, 1000);',
      ],
      {
        cwd: testEnv.root,
        env: { ...process.env, ONECARD_BENCH_GC_FILE: file },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await once(child.stdout!, 'data');
      const replies = { n: 0 };
      const first = await gatewayGcMs(child.pid!, file, replies);
      expect(first).toBeGreaterThan(0);
      expect(replies.n).toBe(1);
      const second = await gatewayGcMs(child.pid!, file, replies);
      expect(second).toBeGreaterThanOrEqual(first);
      expect(replies.n).toBe(2);
    } finally {
      child.kill('SIGKILL');
    }
  });

  const redis = new Redis(testEnv.redisUrl());
  afterAll(() => redis.quit());

  it("reads Redis's CPU and used memory from INFO; memory grows by what is written", async () => {
    const key = uniqueId('bench-probe:');
    const before = await redisUsage(redis);
    await redis.set(key, 'x'.repeat(1_000_000));
    const after = await redisUsage(redis);
    await redis.del(key);
    expect(before.cpuUs).toBeGreaterThan(0);
    expect(after.cpuUs).toBeGreaterThanOrEqual(before.cpuUs);
    expect(after.memoryBytes - before.memoryBytes).toBeGreaterThanOrEqual(1_000_000);
  });
});
