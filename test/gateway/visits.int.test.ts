// The gateway in-process against the real Mosquitto (SQLite store): venue devices' taps become
// visit records, offline taps that would have been refused online are kept, marked and reported
// (GET /v1/reports/reconciliation), and a card charged below zero goes on the deny list until
// it is topped up.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../core/pii.js';
import { localDay } from '../../core/time.js';
import { topics } from '../../core/topics.js';
import { MAX_ENTITLEMENT_DAYS } from '../../core/uses.js';
import type { Gateway } from '../../gateway/src/app.js';
import { denySnapshot } from '../../gateway/src/lists/deny.js';
import { type BatchAck, v1 } from '../../protos/wire.js';
import { uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { connectAsService } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf, signedBatch } from '../support/signing.js';

const KEY = 'b2'.repeat(32);
const DAY_MS = 24 * 3600_000;
const op = uniqueId('op');
let gw: Gateway;
let client: MqttClient;
const acks: BatchAck[] = [];
/** Operator calls go as the admin. */
let auth = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as T };
}

const token = (n: string) => cardToken(Buffer.from(KEY, 'hex'), n);

function tap(seq: number, cardNumber: string, over: Record<string, unknown>) {
  return {
    seq,
    deviceTimeMs: Date.now(),
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: token(cardNumber),
    issuingRegion: '500228',
    decision: v1.Decision.DECISION_ALLOW,
    offline: true,
    ...over,
  };
}

async function sendAndAck(deviceId: string, taps: object[]): Promise<BatchAck> {
  const payload = signedBatch({ deviceId, operatorId: op, taps, sentAtMs: Date.now() });
  await client.subscribeAsync(topics.ack(op, deviceId), { qos: 1 });
  await client.publishAsync(topics.taps(op, deviceId), Buffer.from(payload), { qos: 1 });
  const end = Date.now() + 10_000;
  for (;;) {
    const ack = acks.find((a) => a.deviceId === deviceId);
    if (ack) {
      acks.splice(acks.indexOf(ack), 1);
      return ack;
    }
    if (Date.now() > end) throw new Error(`no ack for ${deviceId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-visits-'));
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: KEY,
      // The bus ride here is a flat 2-yuan fare; test/gateway/tariff/ runs the Beijing tariff.
      tariff: 'flat',
    },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
  client = await connectAsService('dev');
  client.on('message', (_topic, payload) => acks.push(v1.BatchAck.decode(payload)));
  for (const [deviceId, profile, loc] of [
    ['park-a', 'scenic_turnstile', { venueId: 'park-1' }],
    ['park-b', 'scenic_turnstile', { venueId: 'park-1' }],
    ['bus-n', 'bus_validator', { routeId: 'r1' }],
  ] as const) {
    const r = await call('POST', '/v1/devices', {
      publicKey: publicKeyOf(deviceId),
      deviceId,
      operatorId: op,
      profile,
      ...loc,
    });
    expect(r.status).toBe(201);
  }
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
});

describe('visits and reconciliation at the gateway', () => {
  it('refuses to register a venue device without its venue', async () => {
    const r = await call<{ detail: string }>('POST', '/v1/devices', {
      publicKey: publicKeyOf('lib-x'),
      deviceId: 'lib-x',
      operatorId: op,
      profile: 'library_gate',
    });
    expect(r.status).toBe(400);
    expect(r.body.detail).toBe('venueId required for the library_gate profile');
  });

  it('keeps both visits of one single-use ticket admitted at two offline turnstiles, marks the second, reports it', async () => {
    await call('POST', '/v1/cards', { cardNumber: 'V10000001', region: '500228', balanceFen: 1000 });
    const entry = {
      location: { venueId: 'park-1' },
      direction: v1.Direction.DIRECTION_ENTRY,
      reason: v1.Reason.REASON_TICKET_ADMITTED,
      entitlementId: 'tkt-77',
    };
    const a = await sendAndAck('park-a', [tap(1, 'V10000001', entry)]);
    const b = await sendAndAck('park-b', [tap(1, 'V10000001', entry)]);
    expect([a, b].map((x) => [x.results[0]!.reason, Number(x.results[0]!.chargedFen)])).toEqual([
      [v1.Reason.REASON_TICKET_ADMITTED, 0],
      [v1.Reason.REASON_ENTITLEMENT_REUSED_OFFLINE, 0],
    ]);
    const records = await call<{
      items: Array<{ id: string; kind: string; reason: string; entitlementId: string }>;
    }>('GET', `/v1/records?card=${token('V10000001').toString('hex')}&limit=10`);
    expect(records.body.items.map((r) => [r.id, r.kind, r.reason, r.entitlementId]).sort()).toEqual([
      ['tap:park-a:1', 'visit', 'TICKET_ADMITTED', 'tkt-77'],
      ['tap:park-b:1', 'visit', 'ENTITLEMENT_REUSED_OFFLINE', 'tkt-77'],
    ]);
    const report = await call<{ items: Array<{ id: string; kind: string; action: string }> }>(
      'GET',
      '/v1/reports/reconciliation?limit=50',
    );
    expect(report.body.items).toContainEqual(
      expect.objectContaining({ id: 'tap:park-b:1', kind: 'entitlement_reused', action: 'marked' }),
    );
    expect(report.body.items.find((f) => f.id === 'tap:park-a:1')).toBeUndefined();
  });

  it("marks a 30-day ticket's second entry 11 days after the first: its count is kept to the day the taps name (0215)", async () => {
    await call('POST', '/v1/cards', { cardNumber: 'V10000002', region: '500228' });
    const first = Date.now() - 12 * DAY_MS;
    const entry = (at: number) => ({
      deviceTimeMs: at,
      location: { venueId: 'park-1' },
      direction: v1.Direction.DIRECTION_ENTRY,
      reason: v1.Reason.REASON_TICKET_ADMITTED,
      entitlementId: 'tkt-30d',
      entitlementToDay: localDay(first) + 29,
    });
    const a = await sendAndAck('park-a', [tap(10, 'V10000002', entry(first))]);
    const b = await sendAndAck('park-b', [tap(10, 'V10000002', entry(first + 11 * DAY_MS))]);
    expect([a, b].map((x) => x.results[0]!.reason)).toEqual([
      v1.Reason.REASON_TICKET_ADMITTED,
      v1.Reason.REASON_ENTITLEMENT_REUSED_OFFLINE,
    ]);
  });

  it('quarantines a visit whose entitlement_to_day is out of range: INVALID_TAP, counted, nothing charged or counted on the card', async () => {
    const card = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'V10000003',
      region: '500228',
      balanceFen: 1000,
    });
    const invalid = async () =>
      Number(
        /^onecard_taps_invalid_total (\d+)$/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1] ?? 0,
      );
    const before = await invalid();
    // The taps' time and "today" from one reading: the day seq 21 is out of range of is the day of
    // its own time, also in a run that crosses a midnight.
    const at = Date.now();
    const entry = {
      deviceTimeMs: at,
      location: { venueId: 'park-1' },
      direction: v1.Direction.DIRECTION_ENTRY,
      reason: v1.Reason.REASON_TICKET_ADMITTED,
      entitlementId: 'tkt-q',
    };
    const today = localDay(at);
    const ack = await sendAndAck('park-a', [
      tap(20, 'V10000003', { ...entry, entitlementToDay: 2 ** 32 - 1 }),
      tap(21, 'V10000003', { ...entry, entitlementToDay: today + MAX_ENTITLEMENT_DAYS + 1 }),
      tap(22, 'V10000003', { ...entry, entitlementId: '', entitlementToDay: today }),
    ]);
    expect(ack.results.map((r) => [Number(r.seq), r.reason, r.outcome, Number(r.chargedFen)])).toEqual(
      [20, 21, 22].map((seq) => [seq, v1.Reason.REASON_INVALID_TAP, v1.Outcome.OUTCOME_RECORDED, 0]),
    );
    expect(await invalid()).toBe(before + 3);
    const letters = (await gw.store.deadLetters(50)).map((x) => x.reason);
    for (const problem of [
      'seq 20: entitlement_to_day 4294967295 is outside',
      `seq 21: entitlement_to_day ${today + MAX_ENTITLEMENT_DAYS + 1} is outside`,
      'seq 22: entitlement_to_day is set without an entitlement_id',
    ])
      expect(letters.some((l) => l.includes(problem))).toBe(true);
    const records = await call<{ items: unknown[] }>('GET', `/v1/records?card=${card.body.token}&limit=10`);
    expect(records.body.items).toEqual([]);
    // The ticket was not counted: its first valid tap is admitted, not marked.
    const next = await sendAndAck('park-b', [tap(20, 'V10000003', { ...entry, entitlementToDay: today })]);
    expect(next.results[0]!.reason).toBe(v1.Reason.REASON_TICKET_ADMITTED);
    const balance = await call<{ balanceFen: number }>('GET', `/v1/cards/${card.body.token}`);
    expect(balance.body.balanceFen).toBe(1000);
  });

  it('puts a card that an offline ride took below zero on the deny list and in the report, and off after a top-up', async () => {
    const card = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'N10000001',
      region: '500228',
      balanceFen: 300,
    });
    const ride = {
      location: { routeId: 'r1' },
      direction: v1.Direction.DIRECTION_BOARD,
      reason: v1.Reason.REASON_OK,
    };
    const ack = await sendAndAck('bus-n', [tap(1, 'N10000001', ride), tap(2, 'N10000001', ride)]);
    expect(ack.results.map((r) => [r.reason, Number(r.balanceAfterFen)])).toEqual([
      [v1.Reason.REASON_OK, 100],
      [v1.Reason.REASON_CHARGED_INTO_NEGATIVE, -100],
    ]);
    const listed = async () =>
      (await denySnapshot(gw.store)).entries.filter((e) => e.token === card.body.token);
    expect(await listed()).toEqual([{ token: card.body.token, reason: 'negative_balance' }]);
    const report = await call<{ items: Array<Record<string, unknown>> }>(
      'GET',
      '/v1/reports/reconciliation?limit=50',
    );
    const finding = report.body.items.find((f) => f.id === 'tap:bus-n:2')!;
    expect(finding).toMatchObject({
      kind: 'negative_balance',
      action: 'deny_listed',
      balanceAfterFen: -100,
      offline: true,
    });
    expect(JSON.stringify(report.body)).not.toContain('N10000001');

    const topUp = await call('POST', `/v1/cards/${card.body.token}/topups`, {
      amountFen: 1000,
      requestId: uniqueId('t'),
      reason: 'cash',
    });
    expect(topUp.status).toBeLessThan(300);
    expect(await listed()).toEqual([]);
  });
});
