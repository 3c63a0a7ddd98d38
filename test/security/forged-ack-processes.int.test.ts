// Issue 8 item 8, the forged ack as the issue found it, with real processes: one anonymous
// BatchAck{device_id, from_seq 1, to_seq 1000000} made a real edge agent delete three rides it
// had allowed while the gateway was away, and they were never charged. Here a gateway process
// and an edge agent process (gateway/src/main.ts, edge-agent/src/main.ts) on the real Mosquitto
// with the shipped configuration. The gateway is paused (SIGSTOP: connected, answering
// nothing), the agent allows three rides, and an insider with the gateways' broker rights (the
// only users the broker lets publish acks) sends forged acks. The agent's own status says what
// it did: each ack counted in acks_refused, its journal still holding the three taps. Once the
// gateway goes on, the three rides are charged and the money balances to the fen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { type DeviceStatus, v1 } from '../../protos/wire.js';
import {
  type AgentProc,
  api,
  expectMoneyBalanced,
  type GatewayProc,
  startAgentProcess,
  startGatewayProcess,
  waitFor,
} from '../e2e/harness.js';
import { testEnv, uniqueId } from '../support/env.js';
import { LIST_KEY_ID } from '../support/lists.js';
import { connectAsService } from '../support/mqtt.js';
import { signedAck } from '../support/signing.js';

const FARE = 200; // the flat tariff's bus fare
const op = uniqueId('op');
const busId = uniqueId('bus-ack');
const cards = ['F10000001', 'F10000002', 'F10000003'];
let dir: string;
let g: GatewayProc;
let agent: AgentProc;
let insider: MqttClient;
/** The agent's newest DeviceStatus, as it published it. */
let status: DeviceStatus | undefined;
const money: Array<{ token: string; issuedFen: number }> = [];

function ack(deviceId: string, fromSeq: number, toSeq: number) {
  const results = [{ seq: 1, outcome: v1.Outcome.OUTCOME_CHARGED, reason: v1.Reason.REASON_OK }];
  return { deviceId, fromSeq, toSeq, results, gatewayTimeMs: Date.now() };
}

/** Publishes a forged ack and waits for the agent's status to count it. */
async function forge(payload: Uint8Array, refusedBefore: number): Promise<void> {
  await insider.publishAsync(topics.ack(op, busId), Buffer.from(payload), { qos: 1 });
  await waitFor('the agent counting the forged ack', () => Number(status?.acksRefused) === refusedBefore + 1);
  expect(status?.journalDepth).toBe(3);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onecard-sec-ackp-'));
  g = await startGatewayProcess('gw-sec-ack', {
    ONECARD_STORE: 'sqlite',
    ONECARD_SQLITE_FILE: join(dir, 'gw.db'),
    ONECARD_MQTT_URL: testEnv.mqttUrl(),
    ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
  });
  for (const cardNumber of cards) {
    const c = await api<{ token: string }>(g.url, 'POST', '/v1/cards', {
      cardNumber,
      region: '500228',
      balanceFen: 1000,
    });
    money.push({ token: c.token, issuedFen: 1000 });
  }
  // The gateway makes the device's key pair; the harness hands it and the secret to the agent.
  await api(g.url, 'POST', '/v1/devices', {
    deviceId: busId,
    operatorId: op,
    profile: 'bus_validator',
    routeId: 'r7',
  });
  insider = await connectAsService('sec-ackp');
  insider.on('message', (_t, payload) => {
    if (payload.length > 0) status = v1.DeviceStatus.decode(payload);
  });
  await insider.subscribeAsync(topics.status(op, busId), { qos: 1 });
  agent = startAgentProcess({
    deviceId: busId,
    operatorId: op,
    profile: 'bus_validator',
    location: { routeId: 'r7' },
    gatewayUrl: g.url,
    journalFile: join(dir, 'journal.db'),
  });
}, 120_000);

afterAll(async () => {
  await agent?.kill('SIGKILL');
  await g?.kill('SIGKILL');
  if (insider) {
    await insider.publishAsync(topics.status(op, busId), Buffer.alloc(0), { qos: 1, retain: true });
    await insider.endAsync();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('forged acks at a real agent while the gateway is away', () => {
  it('delete nothing: each is counted, the rides stay journaled and are charged when the gateway is back', {
    timeout: 120_000,
  }, async () => {
    await waitFor('the agent online', () => status?.online === true);
    g.child.kill('SIGSTOP');
    try {
      agent.tap(...cards);
      await waitFor('three decisions', () => agent.decisions().length === 3);
      expect(agent.decisions().map((d) => d.decision)).toEqual(['allow', 'allow', 'allow']);
      await waitFor('three taps journaled', () => status?.journalDepth === 3);
      const before = Number(status?.acksRefused);

      // The ack: the right device, a range covering everything, no signature.
      await forge(v1.BatchAck.encode(ack(busId, 1, 1_000_000)).finish(), before);
      // Signed under the trusted key id with a key the device does not trust.
      await forge(signedAck(ack(busId, 1, 3), new ListSigner('4b'.repeat(32), LIST_KEY_ID)), before + 1);
      // Validly signed, but another device's.
      await forge(signedAck(ack(uniqueId('other'), 1, 3)), before + 2);
    } finally {
      g.child.kill('SIGCONT');
    }

    await waitFor('the journal emptied by the gateway’s own acks', () => status?.journalDepth === 0, 60_000);
    for (const { token } of money) {
      const card = await api<{ balanceFen: number }>(g.url, 'GET', `/v1/cards/${token}`);
      expect(card.balanceFen).toBe(1000 - FARE);
    }
    await expectMoneyBalanced(g.url, money);
  });
});
