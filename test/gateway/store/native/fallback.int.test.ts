// A Redis without onecard's module (a managed Redis, or a node a failover promoted that never
// loaded it): the store finds no ONECARD.COMMIT at open and commits with the Lua script, and
// scripts told to use the command fall back to the script at the first "unknown command",
// before anything was written, and keep to it (docs/decisions/0232). A bare redis-server of its
// own, no persistence, on a free port, stopped after.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTap } from '../../../../core/ledger.js';
import { openRedisStore } from '../../../../gateway/src/store/redis.js';
import { commitCalls, commitCallsViewed } from '../../../../gateway/src/store/redis-commit.js';
import { RedisKeys } from '../../../../gateway/src/store/redis-keys.js';
import { defineScripts, nativesOf } from '../../../../gateway/src/store/redis-scripts.js';
import { freePortRun } from '../../../support/redis-topology.js';
import { fare, issue, load, planRun, T0, tap, token } from '../fixtures.js';

let server: ChildProcess;
let dir = '';
let url = '';
let admin: Redis;

beforeAll(async () => {
  const port = await freePortRun(1);
  dir = mkdtempSync(join(tmpdir(), 'onecard-bare-redis-'));
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  url = `redis://127.0.0.1:${port}`;
  admin = new Redis(url, { retryStrategy: (n) => (n > 100 ? null : 50) });
  // Refused until the server listens: retried, not reported.
  const quiet = () => {};
  admin.on('error', quiet);
  await admin.ping();
  admin.off('error', quiet);
});

afterAll(async () => {
  await admin?.quit();
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const evalshaCalls = async () =>
  Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);

describe('a Redis without the module', () => {
  it('is found out at open: the store commits with the script', async () => {
    expect(await nativesOf(admin, ['commitEffects', 'claimTaps'])).toEqual(new Set());
    const store = await openRedisStore({ url, keyPrefix: 'bare1', keepRecords: false, now: T0 });
    try {
      // What /metrics shows as onecard_redis_module_in_use: neither command.
      expect(store.moduleCommands()).toEqual(
        new Map([
          ['ONECARD.COMMIT', false],
          ['ONECARD.CLAIM', false],
        ]),
      );
      const card = await issue(store, 1, 1_000);
      const before = await evalshaCalls();
      const effects = planRun(new Map([[token(1), card]]), [tap({ cardToken: token(1), seq: 1 })]);
      expect(await store.commit(effects)).toMatchObject([{ status: 'applied' }]);
      expect(await evalshaCalls()).toBeGreaterThan(before);
      expect(await load(store, token(1))).toMatchObject({ version: 2 });
    } finally {
      await store.close();
    }
  });

  it('answers "unknown command" to scripts told to use it: they run the script instead, from then on', async () => {
    const store = await openRedisStore({ url, keyPrefix: 'bare2', keepRecords: false, now: T0 });
    try {
      const keys = new RedisKeys('bare2', 16);
      const scripts = defineScripts(admin, undefined, new Set(['commitEffects']));
      const errors = async () =>
        Number(/errorstat_ERR:count=(\d+)/.exec(await admin.info('errorstats'))?.[1] ?? 0);
      for (const n of [2, 3]) {
        const effect = planTap(await issue(store, n, 1_000), tap({ cardToken: token(n), seq: n }), fare, T0);
        const [call] = commitCalls([effect], keys, 60, { keepRecords: false });
        const before = await evalshaCalls();
        const errorsBefore = await errors();
        expect(await scripts.run('commitEffects', call!.keys, call!.args)).toEqual([]);
        expect(await evalshaCalls()).toBe(before + 1);
        // The command refused once, before the first fallback; not asked again after it.
        expect(await errors()).toBe(errorsBefore + (n === 2 ? 1 : 0));
        expect(await load(store, token(n))).toMatchObject({
          version: 2,
          balanceFen: effect.result.balanceAfterFen,
        });
      }
    } finally {
      await store.close();
    }
  });

  it("falls back with the arguments it sent, though the caller's views of them were reused since (0236)", async () => {
    const store = await openRedisStore({ url, keyPrefix: 'bare3', keepRecords: false, now: T0 });
    try {
      const keys = new RedisKeys('bare3', 16);
      const scripts = defineScripts(admin, undefined, new Set(['commitEffects']));
      const a = planTap(await issue(store, 4, 1_000), tap({ cardToken: token(4), seq: 4 }), fare, T0);
      const b = planTap(await issue(store, 5, 700), tap({ cardToken: token(5), seq: 5 }), fare, T0);
      // The first commit's frames and columns are views of the scratch the second is built in.
      const [first] = commitCallsViewed([a], keys, 60, { keepRecords: false });
      const refused = scripts.run('commitEffects', first!.keys, first!.args);
      const [second] = commitCallsViewed([b], keys, 60, { keepRecords: false });
      const next = scripts.run('commitEffects', second!.keys, second!.args);
      expect(await Promise.all([refused, next])).toEqual([[], []]);
      expect(await load(store, token(4))).toMatchObject({ version: 2, balanceFen: a.result.balanceAfterFen });
      expect(await load(store, token(5))).toMatchObject({ version: 2, balanceFen: b.result.balanceAfterFen });
    } finally {
      await store.close();
    }
  });
});
