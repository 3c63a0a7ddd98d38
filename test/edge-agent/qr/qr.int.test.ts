// QR scans through a real agent and a real gateway over Mosquitto: a dynamic code decided with
// no network by the gate's entry rules arrives at the gateway as a credential-QR record; a
// signed reservation admits on itself and its record names it; an outside issuer's code is
// checked online through the gateway and the fake issuer, and admitted-and-marked when the
// issuer fails at a venue whose policy says admit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardTokenHex } from '../../../core/pii.js';
import { localDay } from '../../../core/time.js';
import { type Agent, startAgent } from '../../../edge-agent/src/agent.js';
import type { EdgeConfig } from '../../../edge-agent/src/config.js';
import { ManualReader } from '../../../edge-agent/src/reader/simulated.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { dateOf } from '../../../gateway/src/http/routes/venue-schemas.js';
import { ReferenceApp } from '../../support/app.js';
import { clockAtLocalMinute } from '../../support/clock.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { type FakeIssuer, startFakeIssuer } from '../../support/fake-issuer.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';
import { publicKeyOf } from '../../support/signing.js';
import { until } from '../fake-gateway.js';
import { edgeConfig, TOKEN_KEY_HEX } from '../support.js';

const KEY = Buffer.from(TOKEN_KEY_HEX, 'hex');
const dir = mkdtempSync(join(tmpdir(), 'onecard-qr-int-'));
let gw: Gateway;
let issuer: FakeIssuer;
const running: Agent[] = [];

interface RecordJson {
  credential: string;
  cardToken: string;
  edgeDecision: string;
  edgeReason: string;
  offline: boolean;
  venueId: string;
  seq: number;
  entitlementId?: string;
}

/** Operator calls (registering devices, issuing cards, reading records) go as the admin. */
let auth = '';

async function records(deviceId: string): Promise<RecordJson[]> {
  const r = await fetch(`${gw.url}/v1/records?device=${deviceId}`, { headers: { authorization: auth } });
  return ((await r.json()) as { items: RecordJson[] }).items;
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function deviceConfig(
  over: Partial<EdgeConfig>,
  profile: 'metro_entry_gate' | 'museum_gate' = 'metro_entry_gate',
): Promise<EdgeConfig> {
  const keys = (await (await fetch(`${gw.url}/v1/qr/keys`)).json()) as {
    keys: Array<{ keyId: number; publicKey: string }>;
  };
  const ids = { deviceId: uniqueId('gate'), operatorId: uniqueId('op') };
  const registered = await post('/v1/devices', {
    ...ids,
    publicKey: publicKeyOf(ids.deviceId),
    profile,
    stationId: 'st-1',
    venueId: 'museum-9',
  });
  expect(registered.status).toBeLessThan(300);
  const { credential } = (await registered.json()) as { credential: string };
  return edgeConfig({
    gatewayCredential: credential,
    ...ids,
    profile,
    stationId: 'st-1',
    venueId: 'museum-9',
    mqttUrl: testEnv.mqttUrl(),
    gatewayHttpUrl: gw.url,
    journalFile: join(dir, `${uniqueId('j')}.db`),
    batchMaxDelayMs: 10,
    qrIssuerKeys: keys.keys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
    qrOutsidePrefixes: 'HSA:',
    ...over,
  });
}

async function start(config: EdgeConfig, now?: () => number) {
  const reader = new ManualReader();
  const agent = await startAgent(config, reader, now ? { now } : {});
  running.push(agent);
  return { agent, reader };
}

beforeAll(async () => {
  issuer = await startFakeIssuer({ latencyMs: 40, codes: { 'HSA:GOOD-1': 'NAT7654321' } });
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: TOKEN_KEY_HEX,
      qrSigningKeys: `5:${'55'.repeat(32)}`,
      qrOutsideIssuerUrl: issuer.url,
      qrOutsideTimeoutMs: 300,
    },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
  const r = await post('/v1/cards', { cardNumber: 'QRHOLDER1', region: '500228', concessions: ['SENIOR'] });
  expect(r.status).toBe(201);
});

afterAll(async () => {
  for (const a of running.splice(0)) await a.stop();
  await gw?.stop();
  await issuer?.close();
});

describe('QR scans, agent → Mosquitto → gateway', () => {
  it('a dynamic code scanned with no network is admitted and recorded at the gateway as credential QR', async () => {
    const app = new ReferenceApp();
    await app.fetchCredential(gw.url, 'QRHOLDER1', await holderBearer(gw.url, 'QRHOLDER1'));
    // The device has no broker and no gateway: nothing but its config and the code.
    const config = await deviceConfig({
      mqttUrl: 'mqtt://127.0.0.1:1',
      gatewayHttpUrl: 'http://127.0.0.1:1',
    });
    const offline = await start(config);
    expect(await offline.reader.scan(app.code())).toMatchObject({ seq: 1, decision: 'allow' });
    // A fresh code of the same holder, at once: the metro gate's anti-passback, as for the card.
    const code = app.code();
    expect(await offline.reader.scan(code)).toMatchObject({ seq: 2, decision: 'deny' });
    expect(await offline.reader.scan(code)).toMatchObject({ seq: 3, decision: 'deny' });
    running.splice(running.indexOf(offline.agent), 1);
    await offline.agent.stop();

    // Back in coverage: the journal drains to the gateway.
    const online = await start({ ...config, mqttUrl: testEnv.mqttUrl() });
    await until('journal drained', () => online.agent.journalDepth() === 0, 20_000);
    const recs = (await records(config.deviceId)).sort((a, b) => a.seq - b.seq);
    expect(recs.map((r) => [r.seq, r.credential, r.edgeDecision, r.edgeReason, r.offline])).toEqual([
      [1, 'qr', 'allow', 'ENTRY_RECORDED', true],
      [2, 'qr', 'deny', 'PASSBACK', true],
      [3, 'qr', 'deny', 'QR_REPLAYED', true],
    ]);
    expect(recs.every((r) => r.cardToken === cardTokenHex(KEY, 'QRHOLDER1'))).toBe(true);
  });

  it('a signed reservation at a museum gate admits on itself, and the record names it', async () => {
    // Today in China, the reservation for the whole day; the gate's clock at noon on it, so a run
    // that crosses midnight (16:00 UTC) between issuing and scanning still scans on its day.
    const now = clockAtLocalMinute(12 * 60);
    const date = dateOf(localDay(now()));
    const issued = await post('/v1/tickets', {
      kind: 'reservation',
      venueId: 'museum-9',
      date,
      cardNumber: 'QRHOLDER1',
    });
    expect(issued.status).toBe(200);
    const { code, ticketId } = (await issued.json()) as { code: string; ticketId: string };
    const { agent, reader } = await start(await deviceConfig({}, 'museum_gate'), now);
    await until('link up', () => agent.online());
    expect(await reader.scan(code)).toMatchObject({
      decision: 'allow',
      display: { en: 'Reservation confirmed, welcome' },
    });
    expect(await reader.scan(code)).toMatchObject({
      decision: 'deny',
      display: { en: 'Ticket already used' },
    });
    await until('journal drained', () => agent.journalDepth() === 0, 20_000);
    const recs = (await records(agent.config.deviceId)).sort((a, b) => a.seq - b.seq);
    expect(recs.map((r) => [r.credential, r.edgeDecision, r.edgeReason, r.entitlementId ?? ''])).toEqual([
      ['qr', 'allow', 'RESERVATION_ADMITTED', ticketId],
      ['qr', 'deny', 'QR_TICKET_USED', ''],
    ]);
    expect(recs[0]!.cardToken).toBe(cardTokenHex(KEY, 'QRHOLDER1'));
  });

  it("an outside issuer's code is checked online through the gateway", async () => {
    const { agent, reader } = await start(await deviceConfig({ qrOfflinePolicy: 'refuse' }));
    await until('link up', () => agent.online());
    expect(await reader.scan('HSA:GOOD-1')).toMatchObject({
      decision: 'allow',
      display: { en: 'Code confirmed' },
    });
    expect(await reader.scan('HSA:FAKE-2')).toMatchObject({ decision: 'deny' });
    issuer.fail(1, 'hang');
    expect(await reader.scan('HSA:GOOD-1')).toMatchObject({
      decision: 'deny',
      display: { en: 'Cannot check this code now, use your card' },
    });
    await until('journal drained', () => agent.journalDepth() === 0, 20_000);
    const recs = (await records(agent.config.deviceId)).sort((a, b) => a.seq - b.seq);
    expect(recs.map((r) => [r.edgeDecision, r.edgeReason, r.offline])).toEqual([
      ['allow', 'QR_OUTSIDE_CONFIRMED', false],
      ['deny', 'QR_OUTSIDE_REFUSED', false],
      ['deny', 'QR_NEEDS_ONLINE_CHECK', false],
    ]);
    expect(recs[0]!.cardToken).toBe(cardTokenHex(KEY, 'NAT7654321'));
  });

  it('at a venue whose policy admits, an issuer failure admits and the record is marked for reconciliation', async () => {
    const { agent, reader } = await start(await deviceConfig({ qrOfflinePolicy: 'admit' }));
    await until('link up', () => agent.online());
    issuer.fail(1, 'http500');
    expect(await reader.scan('HSA:GOOD-1')).toMatchObject({ decision: 'allow' });
    await until('journal drained', () => agent.journalDepth() === 0, 20_000);
    expect(await records(agent.config.deviceId)).toMatchObject([
      { credential: 'qr', edgeDecision: 'allow', edgeReason: 'QR_ADMITTED_UNCHECKED' },
    ]);
  });
});
