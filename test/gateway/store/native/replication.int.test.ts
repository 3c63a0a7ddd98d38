// ONECARD.COMMIT on a primary with a replica (scripts/redis-sentinel.sh, the shipped config, free
// ports): the replica receives the commit's and the claims' plain commands, not the module's
// (docs/decisions/0232), so after commits that applied, resent and conflicted, and claims taken,
// resent and refused, each waited for with WAIT 1, the replica holds
// every key exactly as the primary does, stream entry ids included. A node promoted at a failover
// therefore has what was acked.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardState } from '../../../../core/card.js';
import { openRedisStore } from '../../../../gateway/src/store/redis.js';
import { type SentinelSet, startSentinelSet } from '../../../support/redis-topology.js';
import { issue, planRun, tap, token } from '../fixtures.js';

let set: SentinelSet;

beforeAll(async () => {
  set = await startSentinelSet(1);
}, 120_000);

afterAll(() => set?.down());

/** Every key of the node, each as its type and content (hashes and zsets sorted). */
async function dump(node: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await node.keys('rep:*')).sort()) {
    const type = await node.type(key);
    if (type === 'string') out[key] = (await node.getBuffer(key))!.toString('hex');
    else if (type === 'hash') {
      const h = (await node.callBuffer('HGETALL', key)) as Buffer[];
      const pairs: string[] = [];
      for (let x = 0; x < h.length; x += 2)
        pairs.push(`${h[x]!.toString('hex')}=${h[x + 1]!.toString('hex')}`);
      out[key] = pairs.sort();
    } else if (type === 'zset') out[key] = await node.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'stream')
      out[key] = (await node.xrangeBuffer(key, '-', '+')).map(([id, f]) => [
        String(id),
        ...f.map((b) => b.toString('hex')),
      ]);
    else out[key] = type;
  }
  return out;
}

describe('the module on a replicated Redis', () => {
  it('leaves the replica with every key the primary has, byte for byte', async () => {
    const [host, port] = set.sentinels.split(',')[0]!.split(':') as [string, string];
    const store = await openRedisStore({
      target: { kind: 'sentinel', sentinels: [{ host, port: Number(port) }], master: set.master },
      keyPrefix: 'rep',
      keepRecords: false,
      waitReplicas: 1,
      waitTimeoutMs: 5_000,
    });
    const [primaryPort, replicaPort] = set.redisPorts as [number, number];
    const primary = new Redis(primaryPort, '127.0.0.1');
    const replica = new Redis(replicaPort, '127.0.0.1');
    try {
      expect((await primary.info('commandstats')).includes('onecard')).toBe(false);
      const cards = new Map<string, CardState>();
      for (let n = 0; n < 12; n++) cards.set(token(n), await issue(store, n, 1_000));
      // Two taps a card over 16 partitions; then the same batch again (duplicates), then a
      // stale chain (conflicts): the commit applies, answers from the dedupe keys and refuses.
      const taps = Array.from({ length: 24 }, (_, i) => tap({ cardToken: token(i % 12), seq: i + 1 }));
      const effects = planRun(cards, taps);
      expect((await store.commit(effects)).every((o) => o.status === 'applied')).toBe(true);
      expect((await store.commit(effects)).every((o) => o.status === 'duplicate')).toBe(true);
      const stale = planRun(cards, [tap({ cardToken: token(0), seq: 99 })]);
      expect(await store.commit(stale)).toMatchObject([{ status: 'conflict' }]);
      // A device's claims, taken, resent, and one under other content.
      const claims = taps.slice(0, 4).map((t) => ({ seq: t.seq, digest: `d${t.seq}`, at: t.deviceTimeMs }));
      expect(await store.claimTaps('bus-1', 'e1', claims, claims[0]!.at)).toEqual([true, true, true, true]);
      const other = [{ ...claims[0]!, digest: 'other' }, claims[1]!];
      expect(await store.claimTaps('bus-1', 'e1', other, claims[0]!.at)).toEqual([false, true]);
      // They ran as the module's commands, and each waited for the replica.
      expect(await primary.info('commandstats')).toMatch(/cmdstat_onecard\.commit:calls=3,/);
      expect(await primary.info('commandstats')).toMatch(/cmdstat_onecard\.claim:calls=2,/);
      expect(await replica.info('commandstats')).not.toMatch(/cmdstat_onecard/);
      const onPrimary = await dump(primary);
      expect(Object.keys(onPrimary).filter((k) => k.includes(':outbox')).length).toBeGreaterThan(5);
      expect(await dump(replica)).toEqual(onPrimary);
    } finally {
      primary.disconnect();
      replica.disconnect();
      await store.close();
    }
  });
});
