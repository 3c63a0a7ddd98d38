// Occupancy from the visits the gateway commits (in-process gateway, real Mosquitto, SQLite):
// a turnstile's entries move the park's occupancy once per visit however often a batch is
// resent, the warning share raises one warning (metric), and a museum entry on a reservation
// marks it used, so it never becomes a no-show.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../../core/pii.js';
import { localDay, localMinute } from '../../../core/time.js';
import { topics } from '../../../core/topics.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { dateOf } from '../../../gateway/src/http/routes/venue-schemas.js';
import { type BatchAck, v1 } from '../../../protos/wire.js';
import { clockAtLocalMinute } from '../../support/clock.js';
import { uniqueId } from '../../support/env.js';
import { startTestGateway } from '../../support/gateway.js';
import { connectAsService } from '../../support/mqtt.js';
import { bearerFor, holderBearer } from '../../support/operators.js';
import { publicKeyOf, signedBatch } from '../../support/signing.js';

const KEY = 'b4'.repeat(32);
const op = uniqueId('op');
let gw: Gateway;
let client: MqttClient;
const acks: BatchAck[] = [];
// The gateway's clock and the taps' times, at noon (local) today: "entries today" and "the slot
// running now" would otherwise change under a run that crosses midnight (16:00 UTC).
const now = clockAtLocalMinute(12 * 60);
const start = now();
const slotStart = Math.max(0, localMinute(start) - 10);

const bearers = new Map<string, string>();
/** as: an operator account (admin by default) or a card number (its holder token). */
async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, as = 'admin') {
  if (!bearers.has(as))
    bearers.set(as, as.startsWith('OCC') ? await holderBearer(gw.url, as) : await bearerFor(gw.url, as));
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), authorization: bearers.get(as)! },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as T };
}

const token = (n: string) => cardToken(Buffer.from(KEY, 'hex'), n);

function visit(seq: number, cardNumber: string, venueId: string, over: Record<string, unknown> = {}) {
  return {
    seq,
    deviceTimeMs: now(),
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: token(cardNumber),
    issuingRegion: '110000',
    decision: v1.Decision.DECISION_ALLOW,
    location: { venueId },
    direction: v1.Direction.DIRECTION_ENTRY,
    reason: v1.Reason.REASON_TICKET_ADMITTED,
    ...over,
  };
}

async function sendAndAck(deviceId: string, taps: object[]): Promise<BatchAck> {
  const payload = signedBatch({ deviceId, operatorId: op, taps, sentAtMs: now() });
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
  const dir = mkdtempSync(join(tmpdir(), 'onecard-venue-visits-'));
  mkdirSync(join(dir, 'venues'));
  writeFileSync(
    join(dir, 'venues', 'park.json'),
    JSON.stringify({
      id: 'park',
      name: 'Park',
      kind: 'scenic',
      operatorId: op,
      capacity: { daily: 100, instant: 5 },
    }),
  );
  writeFileSync(
    join(dir, 'venues', 'museum.json'),
    JSON.stringify({
      id: 'museum',
      name: 'Museum',
      kind: 'museum',
      operatorId: op,
      slots: [{ startMin: slotStart, endMin: Math.min(1440, slotStart + 60), capacity: 10 }],
      booking: {},
      products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
    }),
  );
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: KEY,
      venuesDir: join(dir, 'venues'),
    },
    { dir, deps: { now } },
  ));
  client = await connectAsService('dev');
  client.on('message', (_topic, payload) => acks.push(v1.BatchAck.decode(payload)));
  for (const [deviceId, profile, venueId] of [
    ['park-gate', 'scenic_turnstile', 'park'],
    ['museum-gate', 'museum_gate', 'museum'],
  ] as const)
    expect(
      (
        await call('POST', '/v1/devices', {
          publicKey: publicKeyOf(deviceId),
          deviceId,
          operatorId: op,
          profile,
          venueId,
        })
      ).status,
    ).toBe(201);
  for (let i = 1; i <= 5; i++)
    await call('POST', '/v1/cards', { cardNumber: `OCC0000${i}`, region: '110000', balanceFen: 0 });
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
});

describe('occupancy from committed visits', () => {
  it('counts each entry once, however often the batch is resent, and warns at 80 % once', async () => {
    const batch = [1, 2, 3, 4].map((i) => visit(i, `OCC0000${i}`, 'park'));
    await sendAndAck('park-gate', batch);
    await sendAndAck('park-gate', batch);
    const occ = await call('GET', '/v1/venues/park/occupancy');
    expect(occ.body).toMatchObject({
      inside: 4,
      entriesToday: 4,
      levels: { instant: 'warning', daily: 'normal' },
    });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('onecard_venue_capacity_warnings_total{venue="park",level="warning"} 1');
  });

  it('exits counted by a device that reads no card bring the visitors inside down, once per id', async () => {
    const exit = (id: string) =>
      call('POST', '/v1/venues/park/passages', { id, at: now(), direction: 'exit' });
    expect(await exit('exit-gate-1:1')).toMatchObject({
      status: 200,
      body: { applied: true, inside: 3, entriesToday: 4 },
    });
    expect(await exit('exit-gate-1:1')).toMatchObject({ status: 200, body: { applied: false, inside: 3 } });
    const r = await call('POST', '/v1/venues/park/passages', { id: 'x', at: now(), direction: 'entry' });
    expect(r).toMatchObject({ status: 200, body: { applied: true, inside: 4, entriesToday: 5 } });
  });

  it('denied taps and taps at venues not described in files are not counted', async () => {
    await sendAndAck('park-gate', [
      visit(10, 'OCC00005', 'park', {
        decision: v1.Decision.DECISION_DENY,
        reason: v1.Reason.REASON_NO_TICKET,
      }),
    ]);
    expect((await call('GET', '/v1/venues/park/occupancy')).body).toMatchObject({ entriesToday: 5 });
  });

  it('an entry on a reservation marks it used (so it is never a no-show)', async () => {
    const booked = await call<{ id: string; status: string }>(
      'POST',
      '/v1/holder/venues/museum/bookings',
      {
        requestId: 'museum-visit-1',
        productId: 'visit',
        date: dateOf(localDay(start)),
        slotStartMin: slotStart,
      },
      'OCC00001',
    );
    expect(booked).toMatchObject({ status: 200, body: { status: 'confirmed' } });
    await sendAndAck('museum-gate', [
      visit(1, 'OCC00001', 'museum', {
        reason: v1.Reason.REASON_RESERVATION_ADMITTED,
        entitlementId: booked.body.id,
      }),
    ]);
    const mine = await call<Array<{ status: string }>>(
      'GET',
      '/v1/holder/venues/museum/my-bookings',
      undefined,
      'OCC00001',
    );
    expect(mine.body.map((b) => b.status)).toEqual(['used']);
  });

  it('the desk admits walk-ins to the slot running now, and a day is settled for no-shows', async () => {
    const walkIn = await call<Record<string, unknown>>('POST', '/v1/venues/museum/walk-ins', {
      cardNumbers: ['OCC00002', 'OCC00003'],
      requestId: 'desk-walk-in-1',
      productId: 'visit',
    });
    expect(walkIn).toMatchObject({
      status: 200,
      body: { status: 'confirmed', channel: 'walk_in', holders: 2, slotStartMin: slotStart },
    });
    const avail = await call<{ slots: Array<{ booked: number }> }>('GET', '/v1/venues/museum/availability');
    expect(avail.body.slots[0]!.booked).toBe(3);
    const settled = await call('POST', '/v1/venues/museum/no-shows', { date: dateOf(localDay(start) - 1) });
    expect(settled).toMatchObject({ status: 200, body: { marked: 0 } });
    const bad = await call('POST', '/v1/venues/museum/walk-ins', {
      cardNumbers: ['OCC00004'],
      requestId: 'desk-walk-in-2',
      productId: 'no-such-product',
    });
    expect(bad).toMatchObject({ status: 404, body: { code: 'VENUE_PRODUCT_UNKNOWN' } });
  });
});
