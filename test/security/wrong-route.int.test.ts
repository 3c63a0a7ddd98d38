// Issue 8 items 5 and 8, the wrong-route tap: a bus validator of bj-bus registered on route 101,
// enrolled with its own broker credentials and key, reports route bus-1 in its taps (where the
// Beijing tariff prices a board tap at nothing). The whole gateway (SQLite, real Mosquitto with
// the shipped configuration, default tariff): the tap is refused with its reason in the ack, not
// charged (the balance moves by the honest tap only), counted in /metrics, and the bus operator
// sees it in its reconciliation report. The ingest-level cases on both stores (unknown routes,
// venues, redelivery): test/gateway/ingest/location.int.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../core/pii.js';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { type BatchAck, v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway, until } from '../support/gateway.js';
import { connectWhenAccepted, enrolDevice } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf, signedBatch } from '../support/signing.js';

const KEY = 'c3'.repeat(32);
const OP = 'bj-bus';
const dev = uniqueId('bus-101');
const T = Date.UTC(2025, 5, 2, 1, 0); // 09:00 in Beijing
let gw: Gateway;
let client: MqttClient;
const acks: BatchAck[] = [];
let admin = '';
let busOps = '';

async function call<T>(method: string, path: string, auth: string, body?: unknown): Promise<T> {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return (path === '/metrics' ? text : JSON.parse(text)) as T;
}

beforeAll(async () => {
  ({ gw } = await startTestGateway(
    { tokenKeyHex: KEY },
    {
      dir: mkdtempSync(join(tmpdir(), 'onecard-attack-')),
      tenants: [{ username: 'bus-ops', role: 'transit_operator', tenant: OP }],
    },
  ));
  admin = await bearerFor(gw.url, 'admin');
  busOps = await bearerFor(gw.url, 'bus-ops');
  const enrolled = await enrolDevice(gw.url, admin, {
    publicKey: publicKeyOf(dev),
    deviceId: dev,
    operatorId: OP,
    profile: 'bus_validator',
    routeId: '101',
  });
  client = await connectWhenAccepted(enrolled);
  client.on('message', (_topic, payload) => acks.push(v1.BatchAck.decode(payload)));
  await client.subscribeAsync(topics.ack(OP, dev), { qos: 1 });
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
});

describe('a bus validator reporting a route it is not registered for', () => {
  it('is refused with the reason, not charged, counted, and shown to the operator', async () => {
    const { token } = await call<{ token: string }>('POST', '/v1/cards', admin, {
      cardNumber: 'ATK000001',
      region: '110000',
      balanceFen: 1000,
    });
    const tap = (seq: number, routeId: string) => ({
      seq,
      deviceTimeMs: T + seq * 60_000,
      credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
      cardToken: cardToken(Buffer.from(KEY, 'hex'), 'ATK000001'),
      issuingRegion: '110000',
      location: { routeId, stopId: 's1' },
      direction: v1.Direction.DIRECTION_BOARD,
      decision: v1.Decision.DECISION_ALLOW,
      reason: v1.Reason.REASON_OK,
    });
    const batch = signedBatch({
      deviceId: dev,
      operatorId: OP,
      taps: [tap(1, '101'), tap(2, 'bus-1')],
      sentAtMs: Date.now(),
    });
    await client.publishAsync(topics.taps(OP, dev), Buffer.from(batch), { qos: 1 });
    const ack = await until('the ack', () => acks[0]);

    expect(ack.results.map((r) => [Number(r.seq), r.outcome, r.reason, Number(r.chargedFen)])).toEqual([
      [1, v1.Outcome.OUTCOME_CHARGED, v1.Reason.REASON_OK, 100],
      [2, v1.Outcome.OUTCOME_RECORDED, v1.Reason.REASON_LOCATION_NOT_ALLOWED, 0],
    ]);
    expect((await call<{ balanceFen: number }>('GET', `/v1/cards/${token}`, admin)).balanceFen).toBe(900);

    const report = await call<{ items: Array<Record<string, unknown>> }>(
      'GET',
      '/v1/reports/reconciliation',
      busOps,
    );
    expect(report.items).toEqual([
      expect.objectContaining({
        id: `tap:${dev}:2`,
        kind: 'location_not_allowed',
        reason: 'LOCATION_NOT_ALLOWED',
        action: 'marked',
        deviceId: dev,
        routeId: 'bus-1',
        chargedFen: 0,
      }),
    ]);
    const metrics = await call<string>('GET', '/metrics', admin);
    expect(metrics).toContain('onecard_taps_refused_total{reason="LOCATION_NOT_ALLOWED"} 1');
    expect(metrics).toContain('onecard_reconciliation_findings_total{kind="location_not_allowed"} 1');
  });
});
