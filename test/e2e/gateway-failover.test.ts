// A gateway killed hard while its twin runs (docs/decisions/0160): real gateway processes on one
// shared subscription, a real edge agent, the real Mosquitto and Redis. The broker must stop
// dealing the dead gateway batches at once (session expiry 0), so every batch the device sends
// after the kill is acked by the survivor without waiting for the device's ack timeout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueId } from '../support/env.js';
import { api, type Proc, startAgentProcess, startGatewayProcess, waitFor } from './harness.js';

const procs: Proc[] = [];
const redisUrl = () => `${testEnv.redisUrl()}/15`;

beforeAll(async () => {
  const r = new Redis(redisUrl());
  await r.flushdb();
  await r.quit();
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
});

const resends = (p: Proc) => p.errLines.filter((l) => l.includes('no ack in time')).length;

describe('a gateway killed with SIGKILL while another runs', () => {
  it('leaves the device’s batches to the survivor at once: all acked, none resent', async () => {
    const env = {
      ONECARD_STORE: 'redis',
      ONECARD_REDIS_URL: redisUrl(),
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
    };
    const doomed = await startGatewayProcess(uniqueId('gw-doomed'), env);
    const survivor = await startGatewayProcess(uniqueId('gw-survivor'), env);
    procs.push(doomed, survivor);
    const op = uniqueId('op');
    const deviceId = uniqueId('bus');
    await api(survivor.url, 'POST', '/v1/devices', {
      deviceId,
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r1',
    });
    const card = 'F00000001';
    await api(survivor.url, 'POST', '/v1/cards', { cardNumber: card, region: '500228', balanceFen: 100_000 });
    const bus = startAgentProcess({
      deviceId,
      operatorId: op,
      profile: 'bus_validator',
      location: { routeId: 'r1' },
      gatewayUrl: survivor.url,
      journalFile: join(mkdtempSync(join(tmpdir(), 'onecard-failover-')), 'journal.db'),
      extra: {
        // Long enough that a batch dealt to the dead gateway would show as a resend here.
        ONECARD_EDGE_ACK_TIMEOUT_MS: '4000',
        ONECARD_EDGE_ENTRY_ANTI_PASSBACK_MIN: '0',
        ONECARD_EDGE_OFFLINE_MAX_TAPS_PER_CARD_PER_HOUR: '0',
        ONECARD_EDGE_OFFLINE_MAX_UNCONFIRMED_FEN: '0',
      },
    });
    procs.push(bus);
    const acked = async () => {
      const { items } = await api<{ items: Array<{ deviceId: string; lastAckedSeq?: number }> }>(
        survivor.url,
        'GET',
        '/v1/devices',
      );
      return items.find((d) => d.deviceId === deviceId)?.lastAckedSeq ?? 0;
    };
    // One batch at a time (each acked before the next), so both gateways have had a share.
    const tapAndWait = async (seq: number) => {
      bus.tap(card);
      await waitFor(`tap ${seq} acked`, async () => (await acked()) >= seq, 20_000);
    };
    for (let seq = 1; seq <= 6; seq++) await tapAndWait(seq);
    expect(resends(bus)).toBe(0);

    await doomed.kill('SIGKILL');
    // Twenty batches after the kill. With a session that outlived the dead gateway's
    // connection about half would sit in its queue until the device's ack timeout.
    for (let seq = 7; seq <= 26; seq++) {
      bus.tap(card);
      await waitFor(`decision ${seq}`, () => bus.decisions().length >= seq);
      await new Promise((r) => setTimeout(r, 100)); // pacing: one tap per batch
    }
    await waitFor('all 26 taps acked', async () => (await acked()) >= 26, 60_000);
    // A batch the broker dealt in the instant before it saw the socket close is the one
    // resend a crash can cost.
    expect(resends(bus)).toBeLessThanOrEqual(1);
  });
});
