// The tap path on a real Redis Cluster (docs/decisions/0193): a 3-master + 3-replica Cluster
// started here by scripts/redis-cluster.sh on free ports, a real gateway process on it with
// 1,024 partitions, edge agents publishing over Mosquitto and waiting for acks. Every tap must be
// committed exactly once, the money must balance, and the cards' keys must be on all three
// masters (a store that quietly used one node would pass the rest).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodes } from '../../gateway/src/store/redis-client.js';
import { testEnv, uniqueId } from '../support/env.js';
import { type RedisCluster, startRedisCluster } from '../support/redis-topology.js';
import {
  api,
  expectMoneyBalanced,
  type Proc,
  startAgentProcess,
  startGatewayProcess,
  waitFor,
} from './harness.js';
import {
  cardNumbers,
  deviceRecords,
  expectEachTapOnce,
  issueCards,
  lastAcked,
  NO_ENTRY_LIMITS,
  tapSteadily,
} from './tap-run.js';

let cluster: RedisCluster;
const procs: Proc[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await cluster?.down();
});

/** Card keys (under a {pN} tag) held by each master. */
async function cardKeysPerMaster(seeds: string): Promise<number[]> {
  const admin = new Cluster(parseNodes(seeds));
  await admin.ping();
  const counts: number[] = [];
  for (const node of admin.nodes('master')) {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', 'oc:{p*}:card:*', 'COUNT', 1000);
      n += keys.length;
      cursor = next;
    } while (cursor !== '0');
    counts.push(n);
  }
  await admin.quit();
  return counts;
}

describe('the tap path on a Redis Cluster', () => {
  it('commits every tap once over 1,024 partitions spread on three masters, money balanced', async () => {
    const g = await startGatewayProcess(uniqueId('gw-cluster'), {
      ONECARD_STORE: 'redis',
      ONECARD_REDIS_CLUSTER: cluster.seeds,
      ONECARD_REDIS_PARTITIONS: '1024',
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
    });
    procs.push(g);
    const op = uniqueId('op');
    const dir = mkdtempSync(join(tmpdir(), 'onecard-cluster-'));
    const devices: Array<{ deviceId: string; profile: string; location: Record<string, string> }> = [
      { deviceId: uniqueId('bus'), profile: 'bus_validator', location: { routeId: 'r1' } },
      { deviceId: uniqueId('exit'), profile: 'metro_exit_gate', location: { stationId: 'S05' } },
    ];
    for (const d of devices) await api(g.url, 'POST', '/v1/devices', { operatorId: op, ...d, ...d.location });
    // 30 cards: their tokens fall in ~30 of the 1,024 partitions, on every master.
    const numbers = cardNumbers('C', 30);
    const cards = await issueCards(g, numbers, 100_000);
    const agents = devices.map((d) =>
      startAgentProcess({
        ...d,
        operatorId: op,
        gatewayUrl: g.url,
        journalFile: join(dir, `${d.deviceId}.db`),
        extra: NO_ENTRY_LIMITS,
      }),
    );
    procs.push(...agents);
    const perDevice = 150;
    await Promise.all(agents.map((a) => tapSteadily((n) => a.tap(n), numbers, perDevice)));
    for (const d of devices)
      await waitFor(`${d.deviceId} acked`, async () => (await lastAcked(g, d.deviceId)) >= perDevice, 60_000);

    for (const d of devices) expectEachTapOnce(await deviceRecords(g, d.deviceId), perDevice);
    await expectMoneyBalanced(g.url, cards);
    const perMaster = await cardKeysPerMaster(cluster.seeds);
    expect(perMaster).toHaveLength(3);
    expect(perMaster.every((n) => n > 0)).toBe(true);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(cards.length);
  });
});
