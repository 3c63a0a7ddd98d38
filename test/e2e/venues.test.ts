// Venue reservations end to end with real processes: a gateway process loads a museum from its
// venue file; holders reserve slots through the API; the reservations reach a real museum gate
// (edge agent process, rules from the venue file via gate-config) as signed entitlement deltas;
// the gate, its clock moved to the visit day, admits a card in its slot and refuses one outside
// the slot's tolerance, and a cancelled reservation is refused. A ticket and an annual pass bought
// with the card open a real scenic turnstile.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CST_OFFSET_MS, localDay } from '../../core/time.js';
import { edgeConfigSchema } from '../../edge-agent/src/config.js';
import { dateOf } from '../../gateway/src/http/routes/venue-schemas.js';
import { testEnv, uniqueId } from '../support/env.js';
import { holderBearer } from '../support/operators.js';
import {
  type AgentProc,
  api,
  expectMoneyBalanced,
  startAgentProcess,
  startGatewayProcess,
  waitFor,
} from './harness.js';

const procs: Array<{ kill(signal?: NodeJS.Signals): Promise<void> }> = [];

/** A holder's call with the holder token the e-card app would hold for the card. */
async function asHolder<T>(url: string, cardNumber: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: await holderBearer(url, cardNumber),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`POST ${path} → ${r.status}: ${text}`);
  return JSON.parse(text) as T;
}

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
});

const MUSEUM = 'e2e-museum';
const museum = {
  id: MUSEUM,
  name: 'E2E museum',
  kind: 'museum',
  operatorId: 'museums',
  openMin: 540,
  closeMin: 1020,
  slots: [
    { startMin: 540, endMin: 660, capacity: 10 },
    { startMin: 660, endMin: 780, capacity: 10 },
  ],
  booking: { horizonDays: 7, maxParty: 2, seniorWalkInQuota: 2 },
  products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
  // The gates of this museum admit 10 minutes early and 20 late (profile default 15/30).
  entryRules: { slotToleranceBeforeMin: 10, slotToleranceAfterMin: 20 },
};

interface DeviceJson {
  deviceId: string;
  lists?: Array<{ kind: string; scope: string; version: number }>;
}

describe('a reservation made through the API at a real museum gate', () => {
  it('is admitted in its slot, refused outside the tolerance, and gone once cancelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onecard-e2e-venues-'));
    mkdirSync(join(dir, 'venues'));
    writeFileSync(join(dir, 'venues', 'museum.json'), JSON.stringify(museum));
    const g = await startGatewayProcess('gw-venues', {
      ONECARD_STORE: 'sqlite',
      ONECARD_SQLITE_FILE: join(dir, 'gw.db'),
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
      ONECARD_VENUES_DIR: join(dir, 'venues'),
    });
    procs.push(g);
    const op = uniqueId('op');
    const gateId = uniqueId('museum-gate');
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: gateId,
      operatorId: op,
      profile: 'museum_gate',
      venueId: MUSEUM,
    });
    const cards = ['E2EV00001', 'E2EV00002', 'E2EV00003', 'E2EV00004'];
    for (const cardNumber of cards) await api(g.url, 'POST', '/v1/cards', { cardNumber, region: '110000' });

    const day = localDay(Date.now()) + 1;
    const book = (cardNumber: string, slotStartMin: number) =>
      asHolder<{ id: string; status: string }>(g.url, cardNumber, `/v1/holder/venues/${MUSEUM}/bookings`, {
        requestId: `e2e-${cardNumber}`,
        productId: 'visit',
        date: dateOf(day),
        slotStartMin,
      });
    const [a, , c] = cards as [string, string, string, string];
    expect((await book(a, 540)).status).toBe('confirmed'); // 09:00–11:00
    expect((await book(cards[1]!, 660)).status).toBe('confirmed'); // 11:00–13:00
    const cancelled = await book(c, 540);
    await asHolder(g.url, c, `/v1/holder/venues/${MUSEUM}/bookings/${cancelled.id}/cancel`);

    // The gate's rules come from the venue file.
    const gateConfig = await api<Record<string, string>>(g.url, 'GET', `/v1/venues/${MUSEUM}/gate-config`);
    const ruleEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(gateConfig))
      if (key.startsWith('entry'))
        ruleEnv[edgeConfigSchema[key as keyof typeof edgeConfigSchema].env] = value;
    expect(ruleEnv.ONECARD_EDGE_ENTRY_SLOT_BEFORE_MIN).toBe('10');

    const clockFile = join(dir, 'clock');
    const setClock = (localMinute: number) => {
      const target = day * 86_400_000 - CST_OFFSET_MS + localMinute * 60_000;
      writeFileSync(clockFile, String(target - Date.now()));
      return new Promise((r) => setTimeout(r, 60));
    };
    await setClock(9 * 60 + 5);
    const gate: AgentProc = startAgentProcess({
      deviceId: gateId,
      operatorId: op,
      profile: gateConfig.profile!,
      location: { venueId: gateConfig.venueId! },
      gatewayUrl: g.url,
      journalFile: join(dir, 'gate.db'),
      extra: {
        ...ruleEnv,
        NODE_OPTIONS: `--import=${join(testEnv.root, 'test/e2e/fake-clock.mjs')}`,
        ONECARD_TEST_CLOCK_FILE: clockFile,
      },
    });
    procs.push(gate);
    // Three bookings and a cancellation: version 4 of the museum's entitlement list.
    await waitFor('the reservations on the gate', async () => {
      const devices = await api<{ items: DeviceJson[] }>(g.url, 'GET', '/v1/devices');
      const mine = devices.items.find((d) => d.deviceId === gateId);
      return mine?.lists?.some((l) => l.kind === 'entitlements' && l.scope === MUSEUM && l.version >= 4);
    });

    const tap = async (card: string) => {
      const before = gate.decisions().length;
      gate.tap(card);
      await waitFor(`decision ${before + 1}`, () => gate.decisions().length === before + 1);
      const d = gate.decisions()[before]!;
      return [d.decision, d.reason];
    };
    // 09:05: A in its slot; B's slot starts at 11:00, more than 10 minutes away; C cancelled;
    // D never booked.
    expect(await tap(a)).toEqual(['allow', 'RESERVATION_ADMITTED']);
    expect(await tap(cards[1]!)).toEqual(['deny', 'SLOT_NOT_STARTED']);
    expect(await tap(c)).toEqual(['deny', 'NO_RESERVATION']);
    expect(await tap(cards[3]!)).toEqual(['deny', 'NO_RESERVATION']);
    // 10:50, within the 10 minutes before B's slot: admitted.
    await setClock(10 * 60 + 50);
    expect(await tap(cards[1]!)).toEqual(['allow', 'RESERVATION_ADMITTED']);
  });

  it('refuses a card after its slot and the tolerance are over', async () => {
    // Covered with its own gate: a card that entered once would be refused for the entry
    // limit first, so the late card is one that never entered.
    const dir = mkdtempSync(join(tmpdir(), 'onecard-e2e-venues-'));
    mkdirSync(join(dir, 'venues'));
    writeFileSync(join(dir, 'venues', 'museum.json'), JSON.stringify(museum));
    const g = await startGatewayProcess('gw-venues-late', {
      ONECARD_STORE: 'sqlite',
      ONECARD_SQLITE_FILE: join(dir, 'gw.db'),
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
      ONECARD_VENUES_DIR: join(dir, 'venues'),
    });
    procs.push(g);
    const op = uniqueId('op');
    const gateId = uniqueId('museum-gate');
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: gateId,
      operatorId: op,
      profile: 'museum_gate',
      venueId: MUSEUM,
    });
    await api(g.url, 'POST', '/v1/cards', { cardNumber: 'E2EV00009', region: '110000' });
    const day = localDay(Date.now()) + 1;
    await asHolder(g.url, 'E2EV00009', `/v1/holder/venues/${MUSEUM}/bookings`, {
      requestId: 'e2e-late-1',
      productId: 'visit',
      date: dateOf(day),
      slotStartMin: 540,
    });
    const clockFile = join(dir, 'clock');
    // 11:21: the 09:00–11:00 slot ended 21 minutes ago, one past the file's 20-minute tolerance.
    writeFileSync(clockFile, String(day * 86_400_000 - CST_OFFSET_MS + (11 * 60 + 21) * 60_000 - Date.now()));
    const gate = startAgentProcess({
      deviceId: gateId,
      operatorId: op,
      profile: 'museum_gate',
      location: { venueId: MUSEUM },
      gatewayUrl: g.url,
      journalFile: join(dir, 'gate.db'),
      extra: {
        ONECARD_EDGE_ENTRY_SLOT_BEFORE_MIN: '10',
        ONECARD_EDGE_ENTRY_SLOT_AFTER_MIN: '20',
        NODE_OPTIONS: `--import=${join(testEnv.root, 'test/e2e/fake-clock.mjs')}`,
        ONECARD_TEST_CLOCK_FILE: clockFile,
      },
    });
    procs.push(gate);
    await waitFor('the reservation on the gate', async () => {
      const devices = await api<{ items: DeviceJson[] }>(g.url, 'GET', '/v1/devices');
      return devices.items
        .find((d) => d.deviceId === gateId)
        ?.lists?.some((l) => l.kind === 'entitlements' && l.scope === MUSEUM && l.version >= 1);
    });
    gate.tap('E2EV00009');
    await waitFor('a decision', () => gate.decisions().length === 1);
    expect(gate.decisions()[0]).toMatchObject({ decision: 'deny', reason: 'SLOT_ENDED' });
  });

  it('a ticket and an annual pass bought with the card open a real scenic turnstile; money moved once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onecard-e2e-venues-'));
    mkdirSync(join(dir, 'venues'));
    const PARK = 'e2e-park';
    writeFileSync(
      join(dir, 'venues', 'park.json'),
      JSON.stringify({
        id: PARK,
        name: 'E2E park',
        kind: 'scenic',
        operatorId: 'parks',
        openMin: 480,
        closeMin: 1080,
        booking: { horizonDays: 7, maxParty: 5 },
        capacity: { daily: 100, instant: 50 },
        products: [
          { id: 'day', name: 'Day ticket', kind: 'ticket', priceFen: 3000 },
          { id: 'pass', name: '旅游年卡', kind: 'annual_pass', priceFen: 12000 },
        ],
      }),
    );
    const g = await startGatewayProcess('gw-venues-park', {
      ONECARD_STORE: 'sqlite',
      ONECARD_SQLITE_FILE: join(dir, 'gw.db'),
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
      ONECARD_VENUES_DIR: join(dir, 'venues'),
    });
    procs.push(g);
    const op = uniqueId('op');
    const gateId = uniqueId('park-gate');
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: gateId,
      operatorId: op,
      profile: 'scenic_turnstile',
      venueId: PARK,
    });
    const money: Array<{ token: string; issuedFen: number }> = [];
    for (const cardNumber of ['E2EP00001', 'E2EP00002', 'E2EP00003']) {
      const c = await api<{ token: string }>(g.url, 'POST', '/v1/cards', {
        cardNumber,
        region: '110000',
        balanceFen: 20_000,
      });
      money.push({ token: c.token, issuedFen: 20_000 });
    }
    const day = localDay(Date.now()) + 1;
    const buy = (cardNumber: string, productId: string) =>
      asHolder<{ status: string; priceFen: number }>(
        g.url,
        cardNumber,
        `/v1/holder/venues/${PARK}/bookings`,
        {
          requestId: `e2e-buy-${cardNumber}`,
          productId,
          date: dateOf(day),
        },
      );
    expect(await buy('E2EP00001', 'day')).toMatchObject({ status: 'confirmed', priceFen: 3000 });
    expect(await buy('E2EP00001', 'day')).toMatchObject({ status: 'confirmed' }); // a retry: charged once
    expect(await buy('E2EP00002', 'pass')).toMatchObject({ status: 'confirmed', priceFen: 12000 });
    const balance = async (cardNumber: string) => {
      const r = await fetch(`${g.url}/v1/holder/card`, {
        headers: { authorization: await holderBearer(g.url, cardNumber) },
      });
      return ((await r.json()) as { balanceFen: number }).balanceFen;
    };
    expect([await balance('E2EP00001'), await balance('E2EP00002')]).toEqual([17_000, 8_000]);

    const clockFile = join(dir, 'clock');
    writeFileSync(clockFile, String(day * 86_400_000 - CST_OFFSET_MS + 10 * 60 * 60_000 - Date.now()));
    const gate = startAgentProcess({
      deviceId: gateId,
      operatorId: op,
      profile: 'scenic_turnstile',
      location: { venueId: PARK },
      gatewayUrl: g.url,
      journalFile: join(dir, 'gate.db'),
      extra: {
        NODE_OPTIONS: `--import=${join(testEnv.root, 'test/e2e/fake-clock.mjs')}`,
        ONECARD_TEST_CLOCK_FILE: clockFile,
      },
    });
    procs.push(gate);
    await waitFor('the purchases on the turnstile', async () => {
      const devices = await api<{ items: DeviceJson[] }>(g.url, 'GET', '/v1/devices');
      return devices.items
        .find((d) => d.deviceId === gateId)
        ?.lists?.some((l) => l.kind === 'entitlements' && l.scope === PARK && l.version >= 2);
    });
    const decisions: string[][] = [];
    for (const card of ['E2EP00001', 'E2EP00002', 'E2EP00003']) {
      const before = gate.decisions().length;
      gate.tap(card);
      await waitFor(`decision ${before + 1}`, () => gate.decisions().length === before + 1);
      const d = gate.decisions()[before]!;
      decisions.push([d.decision, d.reason]);
    }
    expect(decisions).toEqual([
      ['allow', 'TICKET_ADMITTED'],
      ['allow', 'ANNUAL_PASS_ADMITTED'],
      ['deny', 'NO_TICKET'],
    ]);
    await expectMoneyBalanced(g.url, money);
  });
});
