// The gateway in-process against the real Mosquitto, with the SQLite store: the tap path
// from a published batch to the ack and the records API, bad input, and the deny list.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublicKeys } from '../../core/lists/envelope.js';
import { cardToken } from '../../core/pii.js';
import { topics } from '../../core/topics.js';
import { openEnvelope } from '../../edge-agent/src/lists/envelope.js';
import type { Gateway } from '../../gateway/src/app.js';
import { type BatchAck, v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway, until } from '../support/gateway.js';
import { LIST_KEYS } from '../support/lists.js';
import { connectWhenAccepted, enrolDevice, serviceUser } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf, signedBatch } from '../support/signing.js';

const KEY = 'a1'.repeat(32);
const op = uniqueId('op');
const dev = uniqueId('bus');
let gw: Gateway;
let device: MqttClient;
/** Operator calls go as the admin; holder calls with a holder token from the e-card account. */
let auth = '';
const acks: BatchAck[] = [];
const deltas: Array<{ version: number; body: Buffer }> = [];
const trusted = parsePublicKeys(LIST_KEYS) as Map<string, import('node:crypto').KeyObject>;

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  authorization = auth,
): Promise<{ status: number; body: T }> {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as T };
}

function tap(seq: number, cardNumber: string, overrides: Record<string, unknown> = {}) {
  return {
    seq,
    deviceTimeMs: Date.now(),
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: cardToken(Buffer.from(KEY, 'hex'), cardNumber),
    issuingRegion: '500228',
    location: { routeId: 'r12', stopId: 's3' },
    direction: v1.Direction.DIRECTION_BOARD,
    decision: v1.Decision.DECISION_ALLOW,
    reason: v1.Reason.REASON_OK,
    ...overrides,
  };
}

async function send(taps: object[], deviceId = dev, client = device): Promise<void> {
  const payload = signedBatch({ deviceId, operatorId: op, taps, sentAtMs: Date.now() });
  await client.publishAsync(topics.taps(op, deviceId), Buffer.from(payload), { qos: 1 });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-app-'));
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: KEY,
      // The tap path with the flat fares; test/gateway/tariff/ runs the Beijing tariff.
      tariff: 'flat',
    },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
  const enrolled = await enrolDevice(gw.url, auth, {
    publicKey: publicKeyOf(dev),
    deviceId: dev,
    operatorId: op,
    profile: 'bus_validator',
    routeId: 'r12',
  });
  device = await connectWhenAccepted(enrolled);
  device.on('message', (topic, payload) => {
    if (topic === topics.ack(op, dev)) acks.push(v1.BatchAck.decode(payload));
    if (topic === topics.listDelta('deny', 'all')) {
      // Only deltas signed with the gateway's key count (other suites share the broker).
      const opened = openEnvelope(payload, trusted);
      if (opened.ok) deltas.push({ version: opened.header.version, body: Buffer.from(opened.body) });
    }
  });
  await device.subscribeAsync([topics.ack(op, dev), topics.listDelta('deny', 'all')], { qos: 1 });
});

afterAll(async () => {
  await device?.endAsync();
  await gw?.stop();
});

describe('gateway tap path (SQLite store, real Mosquitto)', () => {
  it('charges a batch once, acks it, and shows the rides in the records API', async () => {
    const issued = await call<{ token: string; masked: string }>('POST', '/v1/cards', {
      cardNumber: 'A10000001',
      region: '500228',
      balanceFen: 1000,
    });
    expect(issued.status).toBe(201);
    expect(issued.body.masked).toBe('A10****01');
    // Built once: a device resends what it journaled, unchanged (a tap with other content under
    // the same seq is a conflict, docs/decisions/0175).
    const batch = [tap(1, 'A10000001'), tap(2, 'A10000001')];
    await send(batch);
    const ack = await until('ack 1..2', () => acks.find((a) => Number(a.fromSeq) === 1));
    expect(Number(ack.toSeq)).toBe(2);
    expect(
      ack.results.map((r) => [Number(r.seq), Number(r.chargedFen), Number(r.balanceAfterFen), r.duplicate]),
    ).toEqual([
      [1, 200, 800, false],
      [2, 200, 600, false],
    ]);

    // The same batch again (a device that missed the ack): same results, nothing charged again.
    acks.length = 0;
    await send(batch);
    const again = await until('repeated ack', () => acks.find((a) => Number(a.fromSeq) === 1));
    expect(again.results.map((r) => [Number(r.balanceAfterFen), r.duplicate])).toEqual([
      [800, true],
      [600, true],
    ]);
    const card = await call<{ balanceFen: number }>('GET', `/v1/cards/${issued.body.token}`);
    expect(card.body.balanceFen).toBe(600);

    const page = await call<{ items: Array<{ id: string; chargedFen: number; cardMasked: string }> }>(
      'GET',
      `/v1/records?device=${dev}&limit=10`,
    );
    expect(page.body.items.map((r) => r.id)).toEqual([`tap:${dev}:2`, `tap:${dev}:1`]);
    expect(JSON.stringify(page.body)).not.toContain('A10000001');
  });

  it('rejects undecodable bytes with a reason, keeps them, and keeps running', async () => {
    await device.publishAsync(topics.taps(op, dev), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), { qos: 1 });
    const letters = await poll('dead letter', async () => {
      const l = await gw.store.deadLetters(50);
      return l.some((x) => x.reason.startsWith('MALFORMED_PROTOBUF')) ? l : undefined;
    });
    expect(letters.find((x) => x.reason.startsWith('MALFORMED_PROTOBUF'))?.payload).toEqual(
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
    );
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/onecard_batches_rejected_total\{reason="MALFORMED_PROTOBUF"\} 1/);
    expect((await call('GET', '/healthz')).status).toBe(200);
  });

  it('rejects batches from a device it does not know, and acks nothing', async () => {
    // Only a user with the gateways' rights can publish under an id that is nobody's on the
    // shipped broker (test/security/ has devices trying): the gateway still refuses it.
    const stranger = uniqueId('x');
    const user = serviceUser('x');
    const insider = await connectWhenAccepted(user);
    await send([tap(1, 'A10000001')], stranger, insider);
    await insider.endAsync();
    user.remove();
    await poll('dead letter', async () =>
      (await gw.store.deadLetters(50)).some((x) => x.reason.includes(stranger)) ? true : undefined,
    );
    expect((await gw.store.deadLetters(50)).find((x) => x.reason.includes(stranger))?.reason).toMatch(
      /^UNKNOWN_DEVICE/,
    );
  });

  it('quarantines a malformed tap, acks it as INVALID_TAP and charges the good ones', async () => {
    await call('POST', '/v1/cards', { cardNumber: 'A10000002', region: '500228', balanceFen: 1000 });
    acks.length = 0;
    await send([
      tap(10, 'A10000002'),
      tap(11, 'A10000002', { cardToken: Buffer.alloc(3) }),
      tap(12, 'A10000002'),
    ]);
    const ack = await until('ack 10..12', () => acks.find((a) => Number(a.fromSeq) === 10));
    expect(ack.results.map((r) => [Number(r.seq), Number(r.chargedFen), r.reason])).toEqual([
      [10, 200, v1.Reason.REASON_OK],
      [11, 0, v1.Reason.REASON_INVALID_TAP],
      [12, 200, v1.Reason.REASON_OK],
    ]);
    expect(
      (await gw.store.deadLetters(50)).some((x) => x.reason.includes('seq 11: card_token has 3 bytes')),
    ).toBe(true);
  });

  it('tops up once per request id', async () => {
    const { body: c } = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'A10000003',
      region: '500228',
    });
    const first = await call<{ balanceAfterFen: number; duplicate: boolean }>(
      'POST',
      `/v1/cards/${c.token}/topups`,
      {
        amountFen: 5000,
        requestId: 'topup-0000001',
        reason: 'cash',
      },
    );
    const second = await call<{ balanceAfterFen: number; duplicate: boolean }>(
      'POST',
      `/v1/cards/${c.token}/topups`,
      {
        amountFen: 5000,
        requestId: 'topup-0000001',
        reason: 'cash',
      },
    );
    expect(first.body).toMatchObject({ balanceAfterFen: 5000, duplicate: false });
    expect(second.body).toMatchObject({ balanceAfterFen: 5000, duplicate: true });
    const holder = await call<{ balanceFen: number; masked: string }>(
      'GET',
      '/v1/holder/card',
      undefined,
      await holderAuth('A10000003'),
    );
    expect(holder.body).toMatchObject({ balanceFen: 5000, masked: 'A10****03' });
  });

  it('puts a card reported lost on the deny list and tells connected devices at once', async () => {
    const { body: c } = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'A10000004',
      region: '500228',
    });
    const lost = await call<{ denyListVersion: number }>(
      'POST',
      '/v1/holder/lost',
      undefined,
      await holderAuth('A10000004'),
    );
    const delta = await until('deny delta', () =>
      deltas.find((d) => Number(d.version) === lost.body.denyListVersion),
    );
    // One 17-byte record: the token, then the reason code.
    expect(delta.body.toString('hex', 0, 16)).toBe(c.token);
    expect(delta.body[16]).toBe(v1.DenyReason.DENY_REASON_LOST);
    const sync = await call<{ reset: boolean; changes: Array<{ token: string }> }>(
      'GET',
      '/v1/lists/deny?since=0',
    );
    expect(sync.body.reset).toBe(true);
    expect(sync.body.changes.map((x) => x.token)).toContain(c.token);
    expect((await call<{ status: string }>('GET', `/v1/cards/${c.token}`)).body.status).toBe('lost');
  });

  it('answers bad requests with problem details and a stable code', async () => {
    const r = await fetch(`${gw.url}/v1/cards`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: '{"cardNumber":"x"}',
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await r.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    const missing = await call<{ code: string }>('GET', `/v1/cards/${'0'.repeat(32)}`);
    expect(missing).toMatchObject({ status: 404, body: { code: 'CARD_NOT_FOUND' } });
  });

  it('serves its OpenAPI document, with a schema on every route', async () => {
    const doc = await call<{ paths: Record<string, Record<string, { responses: object }>> }>(
      'GET',
      '/openapi.json',
    );
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/records', '/v1/cards/{token}/topups', '/v1/holder/lost']),
    );
    for (const [path, ops] of Object.entries(doc.body.paths))
      for (const [method, op] of Object.entries(ops))
        expect(Object.keys(op.responses), `${method} ${path}`).not.toHaveLength(0);
  });
});

async function holderAuth(cardNumber: string): Promise<string> {
  const minted = await call<{ token: string }>(
    'POST',
    '/v1/holder-tokens',
    { cardNumber },
    await bearerFor(gw.url, 'ecard'),
  );
  return `Bearer ${minted.body.token}`;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
