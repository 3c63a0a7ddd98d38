// Lists from the gateway's admin API to a device's decision, over the real broker and HTTP:
// a device with no lists fetches signed snapshots; later changes arrive as signed deltas; a
// rebooted device decides from its persisted lists before it reconnects, then catches up.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardTokenHex } from '../../../core/pii.js';
import { localDay } from '../../../core/time.js';
import { type Agent, startAgent } from '../../../edge-agent/src/agent.js';
import { ManualReader } from '../../../edge-agent/src/reader/simulated.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { ListSigner } from '../../../gateway/src/lists/signer.js';
import { clockAtLocalMinute } from '../../support/clock.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor } from '../../support/operators.js';
import { publicKeyOf } from '../../support/signing.js';
import { until } from '../fake-gateway.js';
import { edgeConfig, TOKEN_KEY_HEX } from '../support.js';

// A key of this suite's own: other suites on the shared broker sign with the common test key,
// and their deltas must not reach this suite's device.
const seed = randomBytes(32).toString('hex');
const keyId = uniqueId('k').slice(0, 32);
const listKeys = `${keyId}:${new ListSigner(seed, keyId).publicKeyHex()}`;
const KEY = Buffer.from(TOKEN_KEY_HEX, 'hex');
const VENUE = uniqueId('museum');

let dir: string;
let gw: Gateway;
const running: Agent[] = [];

/** Operator calls (devices, list changes) go as the admin. */
let auth = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onecard-lists-int-'));
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: TOKEN_KEY_HEX,
      listSigningKeyHex: seed,
      listKeyId: keyId,
    },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
});

afterAll(async () => {
  for (const a of running.splice(0)) await a.stop();
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const config = () =>
  edgeConfig({
    deviceId: uniqueId('gate'),
    operatorId: uniqueId('op'),
    venueId: VENUE,
    mqttUrl: testEnv.mqttUrl(),
    mqttReconnectMs: 200,
    gatewayHttpUrl: gw.url,
    journalFile: join(dir, `${uniqueId('j')}.db`),
    listKeys,
    denyResyncRetryMs: 200,
  });

/**
 * Registers the device and starts it. List resync and the broker need its secret, answered on
 * the first registration only (decision 0170): a restart passes the cfg it got then.
 */
async function start(base = config(), now?: () => number) {
  const { credential = base.gatewayCredential } = await call<{ credential?: string }>('POST', '/v1/devices', {
    publicKey: publicKeyOf(base.deviceId),
    deviceId: base.deviceId,
    operatorId: base.operatorId,
    profile: base.profile,
    routeId: base.routeId,
    stationId: base.stationId,
    venueId: base.venueId,
  });
  const cfg = { ...base, gatewayCredential: credential };
  const reader = new ManualReader();
  const agent = await startAgent(cfg, reader, now ? { now } : {});
  running.push(agent);
  return { agent, reader, cfg };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const version = (agent: Agent, kind: string) =>
  agent.listVersions().find((l) => l.kind === kind)?.version ?? 0;

describe('lists from the gateway to the device', () => {
  it('a fresh device fetches signed snapshots; later changes arrive as deltas; a reboot keeps them', async () => {
    const senior = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'L10000001',
      region: '500228',
      concessions: ['SENIOR'],
    });
    const lost = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'L10000002',
      region: '500228',
    });
    await call('POST', `/v1/cards/${lost.token}/lost`, {});

    const { agent, reader, cfg } = await start();
    // No explicit resync: the retained signed heads tell the fresh device it is behind.
    await until(
      'snapshots from the heads',
      () => version(agent, 'flags') === 1 && version(agent, 'deny') === 1,
    );
    expect(agent.cardFacts(senior.token, '500228').flags).toBe(1);
    expect(reader.tap('L10000002')?.decision).toBe('deny');
    expect(agent.denyListVersion()).toBe(1);

    // Regions and entitlements: one admin call each, a signed delta over MQTT each.
    await until('link up', () => agent.online());
    await call('PUT', '/v1/admin/lists/regions', { regions: [{ region: '500228', recognised: true }] });
    const ticket = {
      token: senior.token,
      kind: 'ticket',
      id: 'tk-1',
      fromDay: 20_000,
      toDay: 20_001,
      slotStartMin: 540,
      slotEndMin: 600,
      maxEntries: 1,
    };
    const put = await call<{ changed: boolean; version: number }>(
      'PUT',
      `/v1/admin/lists/entitlements/${VENUE}`,
      {
        put: [ticket],
      },
    );
    expect(put).toEqual({ changed: true, version: 1 });
    await until(
      'region and entitlement deltas',
      () => version(agent, 'regions') === 1 && version(agent, 'entitlements') === 1,
    );
    const { token: _t, ...entitlement } = ticket;
    expect(agent.cardFacts(senior.token, '500228')).toEqual({
      deny: undefined,
      flags: 1,
      regionRecognised: true,
      entitlements: [{ ...entitlement, venueId: VENUE }],
    });
    expect(agent.cardFacts(senior.token, '110000').regionRecognised).toBe(false);

    // Down: the flags change twice meanwhile. Back up: decides from disk at once, then catches up.
    running.splice(running.indexOf(agent), 1);
    await agent.stop();
    const other = cardTokenHex(KEY, 'L10000003');
    await call('PUT', '/v1/admin/lists/flags', { cards: [{ token: other, flags: 2 }] });
    await call('PUT', '/v1/admin/lists/flags', { cards: [{ token: senior.token, flags: 0 }] });
    // First with no network at all: the persisted lists decide.
    const offline = await start({
      ...cfg,
      mqttUrl: 'mqtt://127.0.0.1:1',
      gatewayHttpUrl: 'http://127.0.0.1:1',
    });
    expect(offline.agent.cardFacts(senior.token, '500228').flags).toBe(1);
    expect(offline.reader.tap('L10000002')?.decision).toBe('deny');
    running.splice(running.indexOf(offline.agent), 1);
    await offline.agent.stop();
    const again = await start(cfg);
    await until('flags caught up', () => version(again.agent, 'flags') === 3);
    expect(again.agent.cardFacts(senior.token, '500228').flags).toBe(0);
    expect(again.agent.cardFacts(other, '').flags).toBe(2);

    // The device reports its list versions; the gateway's device API shows them.
    await call('POST', '/v1/devices', {
      publicKey: publicKeyOf(cfg.deviceId),
      deviceId: cfg.deviceId,
      operatorId: cfg.operatorId,
      profile: 'bus_validator',
      routeId: 'r12',
      venueId: VENUE,
    });
    const reported = await poll('list versions in the fleet', async () => {
      const { items } = await call<{
        items: Array<{ deviceId: string; lists?: Array<{ kind: string; version: number }> }>;
      }>('GET', '/v1/devices');
      const lists = items.find((d) => d.deviceId === cfg.deviceId)?.lists;
      return lists?.find((l) => l.kind === 'flags')?.version === 3 ? lists : undefined;
    });
    expect(reported.map((l) => [l.kind, l.version])).toEqual([
      ['deny', 1],
      ['flags', 3],
      ['regions', 1],
      ['entitlements', 1],
    ]);
  });

  it('a museum gate admits a reservation booked through the list service, offline, and nobody else', async () => {
    const venue = uniqueId('museum');
    const visitor = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'L20000001',
      region: '500228',
    });
    // The gate's clock at noon (local) of the reservation's day: a run that crosses midnight
    // (16:00 UTC) while the device syncs would otherwise tap on the day after it.
    const now = clockAtLocalMinute(12 * 60);
    const today = localDay(now());
    await call('PUT', `/v1/admin/lists/entitlements/${venue}`, {
      put: [
        {
          token: visitor.token,
          kind: 'reservation',
          id: 'rv-today',
          fromDay: today,
          toDay: today,
          slotStartMin: 0,
          slotEndMin: 1440,
          maxEntries: 1,
        },
      ],
    });
    const cfg = { ...config(), profile: 'museum_gate' as const, routeId: '', venueId: venue };
    const online = await start(cfg);
    await until('the venue entitlements', () => version(online.agent, 'entitlements') === 1);
    running.splice(running.indexOf(online.agent), 1);
    await online.agent.stop();
    // No network at all: the persisted reservation admits its holder, and nobody else.
    const gate = await start(
      { ...cfg, mqttUrl: 'mqtt://127.0.0.1:1', gatewayHttpUrl: 'http://127.0.0.1:1' },
      now,
    );
    expect(gate.reader.tap('L20000001', '500228')).toMatchObject({
      decision: 'allow',
      display: { en: 'Reservation confirmed, welcome' },
    });
    expect(gate.reader.tap('L20000002', '500228')).toMatchObject({
      decision: 'deny',
      display: { en: 'No reservation for today' },
    });
  });

  it('the admin API refuses malformed list changes with problem details and changes nothing', async () => {
    const before = await call<{ items: Array<{ kind: string; version: number }> }>('GET', '/v1/admin/lists');
    const r = await fetch(`${gw.url}/v1/admin/lists/flags`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ cards: [{ token: 'not-a-token', flags: 1 }] }),
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 'BAD_REQUEST' });
    const bad = await fetch(`${gw.url}/v1/admin/lists/entitlements/${VENUE}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        put: [
          {
            token: '0'.repeat(32),
            kind: 'ticket',
            id: 'x',
            fromDay: 9,
            toDay: 1,
            slotStartMin: 0,
            slotEndMin: 1440,
            maxEntries: 1,
          },
        ],
      }),
    });
    expect(bad.status).toBe(400);
    // A ticket valid 32 days: its taps' last day would be beyond what the gateway takes (0215).
    const long = await fetch(`${gw.url}/v1/admin/lists/entitlements/${VENUE}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        put: [
          {
            token: '0'.repeat(32),
            kind: 'ticket',
            id: 'month-and-a-day',
            fromDay: 20_000,
            toDay: 20_031,
            slotStartMin: 0,
            slotEndMin: 1440,
            maxEntries: 1,
          },
        ],
      }),
    });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { detail: string }).detail).toContain('valid over 31 days');
    expect(await call('GET', '/v1/admin/lists')).toEqual(before);
  });
});
