// Issue 8 item 3, the device's side: a BatchAck deletes journal entries only when the gateway's
// list key signed it, it names this device and its range lies inside a batch in flight
// (docs/decisions/0174). The real agent module with its SQLite journal on the real Mosquitto;
// the test plays the gateway (receiving batches, not acking) and an attacker on the broker.
// Only users with the gateways' rights may publish acks on the shipped broker: another device
// is refused by the broker (PUBACK 0x87) before anything reaches the agent.
// Each forged ack deletes nothing and is counted (Agent.acksRefused, DeviceStatus.acks_refused);
// the gateway's own ack then deletes the batch, so the refusals are the checks' doing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../core/topics.js';
import { type Agent, startAgent } from '../../edge-agent/src/agent.js';
import { ManualReader, syntheticCardNumber } from '../../edge-agent/src/reader/simulated.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { v1 } from '../../protos/wire.js';
import { FakeGateway, FakeListServer, until } from '../edge-agent/fake-gateway.js';
import { edgeConfig } from '../edge-agent/support.js';
import { testEnv, uniqueId } from '../support/env.js';
import { LIST_KEY_ID } from '../support/lists.js';
import { brokerDevice, connectAsService, connectWhenAccepted } from '../support/mqtt.js';
import { signedAck } from '../support/signing.js';
import { pubackCode } from './attacker.js';

const OP = uniqueId('op');
const DEV = uniqueId('bus');
let dir: string;
let gateway: FakeGateway;
let lists: FakeListServer;
let attacker: MqttClient;
let agent: Agent;

/** An ack of the agent's journal epoch (the batch's): only what the test changes is wrong. */
function ack(deviceId: string, fromSeq: number, toSeq: number) {
  const results = [];
  for (let seq = fromSeq; seq <= Math.min(toSeq, fromSeq + 2); seq++)
    results.push({ seq, outcome: v1.Outcome.OUTCOME_CHARGED, reason: v1.Reason.REASON_OK });
  const journalEpoch = gateway.batches[0]!.journalEpoch;
  return { deviceId, journalEpoch, fromSeq, toSeq, results, gatewayTimeMs: Date.now() };
}

/** Publishes on the device's ack topic and waits until the agent has counted it as refused. */
async function forge(payload: Uint8Array): Promise<void> {
  const before = agent.acksRefused();
  await attacker.publishAsync(topics.ack(OP, DEV), Buffer.from(payload), { qos: 1 });
  await until('the ack refused', () => agent.acksRefused() === before + 1);
  expect(agent.journalDepth()).toBe(3);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onecard-sec-ack-'));
  lists = new FakeListServer();
  await lists.start();
  gateway = await FakeGateway.connect(testEnv.mqttUrl(), OP, DEV);
  gateway.acking = false;
  // Only a user with gateway rights may publish acks on the shipped broker: the forger is one.
  attacker = await connectAsService('attacker');
  const reader = new ManualReader();
  agent = await startAgent(
    edgeConfig({
      deviceId: DEV,
      operatorId: OP,
      mqttUrl: testEnv.mqttUrl(),
      mqttPassword: gateway.device.password,
      mqttReconnectMs: 200,
      gatewayHttpUrl: lists.url,
      journalFile: join(dir, 'journal.db'),
      batchMaxTaps: 3,
      batchMaxDelayMs: 20,
      // No resend while the attacks run: the batch 1..3 stays the one in flight.
      ackTimeoutMs: 600_000,
      statusIntervalMs: 200,
    }),
    reader,
  );
  await until('link up', () => agent.online());
  for (let i = 0; i < 3; i++) reader.tap(syntheticCardNumber(i), '500228');
  await until('batch 1..3 at the gateway', () => gateway.seqs().length === 3);
});

afterAll(async () => {
  await agent?.stop();
  await attacker?.endAsync();
  await gateway?.close();
  await lists?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('forged batch acks at the edge agent', () => {
  it('ignores an ack with the right fields and no signature', async () => {
    await forge(v1.BatchAck.encode(ack(DEV, 1, 3)).finish());
  });

  it('ignores an ack whose signature does not verify', async () => {
    const bad = signedAck(ack(DEV, 1, 3));
    bad[bad.length - 5]! ^= 0x10;
    await forge(bad);
  });

  it('ignores an ack signed by a key it does not trust, even under the trusted key id', async () => {
    await forge(signedAck(ack(DEV, 1, 3), new ListSigner('4b'.repeat(32), LIST_KEY_ID)));
  });

  it('ignores another device’s valid ack', async () => {
    await forge(signedAck(ack(uniqueId('other-bus'), 1, 3)));
  });

  it('ignores a validly signed ack wider than the batch in flight', async () => {
    await forge(signedAck(ack(DEV, 1, 1_000_000)));
  });

  it('never gets an ack from a device: the broker refuses a device’s publish on any ack topic (0x87)', async () => {
    // Another device of the depot, with its own broker credentials.
    const other = brokerDevice(uniqueId('bus'));
    const c = await connectWhenAccepted(other);
    try {
      const forged = v1.BatchAck.encode(ack(DEV, 1, 3)).finish();
      expect(await pubackCode(c, topics.ack(OP, DEV), forged)).toBe(0x87);
      expect(await pubackCode(c, topics.ack(OP, other.deviceId), forged)).toBe(0x87);
    } finally {
      await c.endAsync();
      other.remove();
    }
    expect(agent.acksRefused()).toBe(5);
    expect(agent.journalDepth()).toBe(3);
  });

  it('reports the refused acks in its status; the gateway’s own ack then deletes the batch', async () => {
    await until('status with the count', () => gateway.statuses.find((s) => Number(s.acksRefused) === 5));
    expect(agent.acksRefused()).toBe(5);
    await attacker.publishAsync(topics.ack(OP, DEV), signedAck(ack(DEV, 1, 3)), { qos: 1 });
    await until('journal emptied by the real ack', () => agent.journalDepth() === 0);
    expect(agent.lastAckedSeq()).toBe(3);
    expect(agent.acksRefused()).toBe(5);
  });
});
