// `redis:drop-records` (docs/decisions/0212) on a real Redis Cluster (3 masters + 3 replicas,
// scripts/redis-cluster.sh on free ports): each page's MULTI stays in its partition's slot (or
// the Cluster answers CROSSSLOT), the counter hashes are found on every master, and memory is
// summed over the masters. Exactly the records PostgreSQL holds go; a second run changes nothing.
import { Cluster } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { parseNodes } from '../../../gateway/src/store/redis-client.js';
import { runDropRecords } from '../../../gateway/src/store/redis-drop-command.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { type RedisCluster, startRedisCluster } from '../../support/redis-topology.js';
import {
  commitRides,
  countedIn,
  DAY_MS,
  feedPg,
  PgHistoryWriter,
  snapshot,
  without,
} from './drop-fixture.js';
import { T0 } from './fixtures.js';

let cluster: RedisCluster;
let admin: Cluster;
const schema = uniqueId('h_');

beforeAll(async () => {
  cluster = await startRedisCluster();
  admin = new Cluster(parseNodes(cluster.seeds), { scaleReads: 'master' });
}, 90_000);

afterAll(async () => {
  admin?.disconnect();
  await cluster?.down();
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe('redis:drop-records on a Cluster', () => {
  it('deletes exactly what PostgreSQL holds, then the rest once it holds it, counters last', async () => {
    const prefix = uniqueId('oc');
    const target = { kind: 'cluster' as const, seeds: parseNodes(cluster.seeds) };
    const store = await openRedisStore({ target, keyPrefix: prefix, partitions: 64 });
    const pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 2 });
    try {
      const records = await commitRides(store, 160);
      const writer = new PgHistoryWriter(pool);
      const fed = records.filter((r) => r.seq % 3 !== 0);
      await feedPg(writer, fed);
      const env = {
        ONECARD_STORE: 'redis',
        ONECARD_REDIS_CLUSTER: cluster.seeds,
        ONECARD_REDIS_KEY_PREFIX: prefix,
        ONECARD_HISTORY: 'postgres',
        ONECARD_PG_URL: testEnv.pgUrl(),
        ONECARD_PG_SCHEMA: schema,
      };
      const now = T0 + 60 * DAY_MS;
      const before = await snapshot(admin, prefix);
      // The 16 cards' partitions are slots on more than one master.
      const masters = await Promise.all(
        admin.nodes('master').map(async (n) => (await n.keys(`${prefix}:{p*}:rec`)).length),
      );
      expect(masters.filter((n) => n > 0).length).toBeGreaterThan(1);

      const first = await runDropRecords(env, ['--page', '20'], now);
      expect(first).toMatchObject({
        ok: true,
        summary: { partitions: 64, complete: true, recordsDeleted: fed.length },
      });
      // A counter hash goes once no record left in Redis counts in it.
      const kept = countedIn(
        records.filter((r) => r.seq % 3 === 0),
        64,
      );
      const dropped = Object.keys(before).filter((k) => k.includes(':st:') && !kept.has(k));
      expect(dropped.length).toBeGreaterThan(0);
      expect(first.ok && first.summary.counterHashesDeleted).toBe(dropped.length);
      const after = await snapshot(admin, prefix);
      expect(after).toEqual(without(before, new Set(fed.map((r) => r.id)), (k) => dropped.includes(k)));
      expect(await runDropRecords(env, [], now)).toMatchObject({ ok: true, summary: { recordsDeleted: 0 } });
      expect(await snapshot(admin, prefix)).toEqual(after);

      await feedPg(
        writer,
        records.filter((r) => r.seq % 3 === 0),
      );
      const last = await runDropRecords(env, [], now);
      expect(last).toMatchObject({ ok: true, summary: { recordsDeleted: records.length - fed.length } });
      if (!last.ok) return;
      expect(last.summary.counterHashesDeleted).toBeGreaterThan(0);
      // The memory is read from every master before and after. Its drop is Redis's, and a few dozen
      // records' worth can be less than what client buffers move meanwhile (a run once read
      // 11 KB more after): that the keys are gone is the proof below.
      const { usedBefore, usedAfter, freed } = last.summary.memory;
      expect(usedBefore).toBeGreaterThan(0);
      expect(usedAfter).toBeGreaterThan(0);
      expect(freed).toBe(usedBefore - usedAfter);
      expect(Object.keys(await snapshot(admin, prefix)).filter((k) => /:(rec|ix:|st:)/.test(k))).toEqual([]);
    } finally {
      await store.close();
      await pool.end();
    }
  });
});
