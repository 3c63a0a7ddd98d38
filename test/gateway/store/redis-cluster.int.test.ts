// The whole store contract on a real Redis Cluster (3 masters + 3 replicas, started here by
// scripts/redis-cluster.sh on free ports): every script and MULTI keeps its keys in one hash
// slot, or the Cluster answers CROSSSLOT and a test fails. Then the same with every write
// waiting for a replica (WAIT 1, docs/decisions/0194), and the layout check across the nodes.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { parseNodes } from '../../../gateway/src/store/redis-client.js';
import { uniqueId } from '../../support/env.js';
import { type RedisCluster, startRedisCluster } from '../../support/redis-topology.js';
import { storeContract } from './contract.js';
import { fare, issue, tap, token } from './fixtures.js';

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 90_000);

afterAll(async () => {
  await cluster?.down();
});

const target = () => ({ kind: 'cluster' as const, seeds: parseNodes(cluster.seeds) });

// A prefix per test (a second store on it stands for a second gateway); the Cluster goes
// away after the file, keys and all.
let prefix = '';
beforeEach(() => {
  prefix = uniqueId('oc');
});

storeContract('redis cluster', () => openRedisStore({ target: target(), keyPrefix: prefix }));

describe('Redis store on a Cluster', () => {
  it('commits with WAIT 1: the write is on a replica before commit() returns', async () => {
    const store = await openRedisStore({
      target: target(),
      keyPrefix: prefix,
      partitions: 64,
      waitReplicas: 1,
      // Generous: what is checked is that commit() waits, not how fast a loaded box replicates.
      waitTimeoutMs: 10_000,
    });
    const card = await issue(store, 0x77, 1_000);
    const [outcome] = await store.commit([planTap(card, tap({ cardToken: token(0x77), seq: 1 }), fare, 1)]);
    expect(outcome!.status).toBe('applied');
    // A resend is answered from the dedupe hash, after the same wait.
    const [again] = await store.commit([planTap(card, tap({ cardToken: token(0x77), seq: 1 }), fare, 1)]);
    expect(again!.status).toBe('duplicate');
    await store.close();
  });

  it('loads many cards per partition in one call each, over all masters, with WAIT 1 set', async () => {
    // Card keys of one loadCards-1.lua call share their partition's slot (else CROSSSLOT); the
    // read is not a write, so it never waits for a replica (docs/decisions/0207).
    const store = await openRedisStore({
      target: target(),
      keyPrefix: prefix,
      partitions: 16,
      waitReplicas: 1,
    });
    const ns = Array.from({ length: 48 }, (_, i) => 0x200 + i * 5);
    for (const n of ns) if (n % 3 !== 0) await issue(store, n, 1_000 + n);
    const cards = await store.loadCards(ns.map(token));
    expect([...cards.keys()]).toEqual(ns.map(token));
    for (const n of ns)
      expect(cards.get(token(n))).toMatchObject(
        n % 3 === 0 ? { known: false } : { known: true, balanceFen: 1_000 + n },
      );
    await store.close();
  });

  it('refuses data written with another partition count, on a Cluster too', async () => {
    const first = await openRedisStore({ target: target(), keyPrefix: prefix, partitions: 1024 });
    await first.close();
    await expect(openRedisStore({ target: target(), keyPrefix: prefix, partitions: 16 })).rejects.toThrow(
      /uses 1024 partitions, not 16/,
    );
  });

  it('spreads 1,024 partitions over all three masters', async () => {
    const admin = new Cluster(parseNodes(cluster.seeds));
    await admin.ping();
    const owners = new Set<string>();
    const prefix = uniqueId('oc');
    for (let p = 0; p < 1024; p += 1) {
      const slot = (await admin.call('CLUSTER', 'KEYSLOT', `${prefix}:{p${p}}:seen`)) as number;
      const node = admin.slots[slot]?.[0];
      if (node) owners.add(node);
    }
    await admin.quit();
    expect(owners.size).toBe(3);
  });
});
