// Failover without loss (docs/decisions/0194): a Redis primary with two replicas under three
// Sentinels (scripts/redis-sentinel.sh, free ports), a real gateway that finds the primary
// through the Sentinels and acks a batch only once its commit is on a replica (WAIT 1), edge
// agents publishing over Mosquitto. Mid-stream the primary is killed with SIGKILL; a replica is
// promoted, the gateway follows it, the devices resend what was not acked. Afterwards every
// tap a device was acked for is in the store exactly once and the money balances.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueId } from '../support/env.js';
import { type SentinelSet, startSentinelSet } from '../support/redis-topology.js';
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

let set: SentinelSet;
const procs: Proc[] = [];

beforeAll(async () => {
  // Two replicas: after one failover the new primary still has one, so WAIT 1 is met again.
  set = await startSentinelSet(2);
}, 60_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await set?.down();
});

describe('a Redis primary killed under load, Sentinels promoting a replica', () => {
  it('loses no acked tap and charges none twice', async () => {
    const g = await startGatewayProcess(uniqueId('gw-sentinel'), {
      ONECARD_STORE: 'redis',
      ONECARD_REDIS_SENTINELS: set.sentinels,
      ONECARD_REDIS_SENTINEL_MASTER: set.master,
      ONECARD_REDIS_WAIT_REPLICAS: '1',
      // Long enough for a loaded CI box; a write during the failover fails at this bound and
      // the device resends (what the test is about is that nothing acked is lost).
      ONECARD_REDIS_WAIT_TIMEOUT_MS: '2000',
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
    });
    procs.push(g);
    const op = uniqueId('op');
    const dir = mkdtempSync(join(tmpdir(), 'onecard-failover-'));
    const devices: Array<{ deviceId: string; profile: string; location: Record<string, string> }> = [
      { deviceId: uniqueId('bus'), profile: 'bus_validator', location: { routeId: 'r1' } },
      { deviceId: uniqueId('exit'), profile: 'metro_exit_gate', location: { stationId: 'S05' } },
    ];
    for (const d of devices) await api(g.url, 'POST', '/v1/devices', { operatorId: op, ...d, ...d.location });
    const numbers = cardNumbers('F', 20);
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
    const [first] = set.redisPorts as [number];
    const perDevice = 300;
    const ackedAtKill: number[] = [];
    let killed = false;
    // The bus kills the primary a third of the way in; both devices keep tapping through the
    // failover (300 taps over about 4.5 s; the promotion takes 2-3 s).
    await Promise.all(
      agents.map((a, k) =>
        tapSteadily((n) => a.tap(n), numbers, perDevice, {
          pauseMs: 150,
          onTap:
            k === 0
              ? async (i) => {
                  if (i !== 100) return;
                  await waitFor(
                    'taps acked before the kill',
                    async () => (await lastAcked(g, devices[0]!.deviceId)) > 50,
                  );
                  for (const d of devices) ackedAtKill.push(await lastAcked(g, d.deviceId));
                  process.kill(set.pidOf(first), 'SIGKILL');
                  killed = true;
                }
              : undefined,
        }),
      ),
    );
    expect(killed).toBe(true);
    await waitFor('a replica promoted', async () => (await set.primaryPort()) !== first, 30_000);
    for (const d of devices)
      await waitFor(`${d.deviceId} acked`, async () => (await lastAcked(g, d.deviceId)) >= perDevice, 60_000);

    // Acked before the kill and after it: all there, once.
    expect(ackedAtKill[0]).toBeGreaterThan(50);
    for (const d of devices) expectEachTapOnce(await deviceRecords(g, d.deviceId), perDevice);
    await expectMoneyBalanced(g.url, cards);
    // Both devices had taps outstanding when the primary died: the failover was under load.
    expect(ackedAtKill.every((n) => n < perDevice)).toBe(true);
  });
});
