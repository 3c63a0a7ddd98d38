// One single-use ticket admitted at two offline turnstiles eleven days apart, by real edge
// agents (lists from the gateway's admin API, journals on disk, their clocks passed in) and
// uploaded to a real gateway over the real broker: the first visit counts the ticket until the
// last day its tap names (entitlement_to_day, docs/decisions/0215), so the second is marked
// ENTITLEMENT_REUSED_OFFLINE and reported, where the 8 days kept without that day had let it go.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../core/time.js';
import { USE_KEEP_DAYS } from '../../core/uses.js';
import { type Agent, startAgent } from '../../edge-agent/src/agent.js';
import type { EdgeConfig } from '../../edge-agent/src/config.js';
import { ManualReader } from '../../edge-agent/src/reader/simulated.js';
import type { Gateway } from '../../gateway/src/app.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf } from '../support/signing.js';
import { until } from './fake-gateway.js';
import { edgeConfig, TOKEN_KEY_HEX } from './support.js';

const DAY_MS = 24 * 3600_000;
// A list key of this suite's own: deltas other suites sign on the shared broker do not reach it.
const seed = randomBytes(32).toString('hex');
const keyId = uniqueId('k').slice(0, 32);
const listKeys = `${keyId}:${new ListSigner(seed, keyId).publicKeyHex()}`;
const VENUE = uniqueId('park');
const OFFLINE = { mqttUrl: 'mqtt://127.0.0.1:1', gatewayHttpUrl: 'http://127.0.0.1:1' };

let dir: string;
let gw: Gateway;
let auth = '';
const running: Agent[] = [];

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
  dir = mkdtempSync(join(tmpdir(), 'onecard-offline-reuse-'));
  ({ gw } = await startTestGateway(
    { tokenKeyHex: TOKEN_KEY_HEX, listSigningKeyHex: seed, listKeyId: keyId },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
});

afterAll(async () => {
  for (const a of running.splice(0)) await a.stop();
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A scenic turnstile of the venue, registered; its secret is in the config it returns. */
async function turnstile(): Promise<EdgeConfig> {
  const base = edgeConfig({
    deviceId: uniqueId('turnstile'),
    operatorId: uniqueId('op'),
    profile: 'scenic_turnstile',
    routeId: '',
    venueId: VENUE,
    mqttUrl: testEnv.mqttUrl(),
    mqttReconnectMs: 200,
    gatewayHttpUrl: gw.url,
    journalFile: join(dir, `${uniqueId('j')}.db`),
    listKeys,
    denyResyncRetryMs: 200,
    batchMaxDelayMs: 20,
  });
  const { credential } = await call<{ credential: string }>('POST', '/v1/devices', {
    publicKey: publicKeyOf(base.deviceId),
    deviceId: base.deviceId,
    operatorId: base.operatorId,
    profile: base.profile,
    venueId: VENUE,
  });
  return { ...base, gatewayCredential: credential };
}

async function start(cfg: EdgeConfig, now: () => number = Date.now) {
  const reader = new ManualReader();
  const agent = await startAgent(cfg, reader, { now });
  running.push(agent);
  return { agent, reader };
}

async function stop(agent: Agent): Promise<void> {
  running.splice(running.indexOf(agent), 1);
  await agent.stop();
}

const entitlementsVersion = (agent: Agent) =>
  agent.listVersions().find((l) => l.kind === 'entitlements')?.version ?? 0;

describe('a single-use ticket admitted at two offline turnstiles', () => {
  it('is marked reused on its second entry 11 days after the first: the count lives to the ticket’s last day', async () => {
    const card = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'R30000001',
      region: '500228',
    });
    const first = Date.now() - 12 * DAY_MS;
    const firstDay = localDay(first);
    // A 30-day ticket from the first visit's day.
    await call('PUT', `/v1/admin/lists/entitlements/${VENUE}`, {
      put: [
        {
          token: card.token,
          kind: 'ticket',
          id: 'tkt-30d',
          fromDay: firstDay,
          toDay: firstDay + 29,
          slotStartMin: 0,
          slotEndMin: 1440,
          maxEntries: 1,
        },
      ],
    });
    const gates = [await turnstile(), await turnstile()];
    // Online once, to take the venue's entitlements; then each gate alone, with no network, on
    // its own day: 11 days apart, beyond the 8 a count was kept when taps did not say.
    expect(11).toBeGreaterThan(USE_KEEP_DAYS);
    for (const cfg of gates) {
      const { agent } = await start(cfg);
      await until('the ticket on the gate', () => entitlementsVersion(agent) >= 1);
      await stop(agent);
    }
    const decided = [];
    for (const [i, at] of [first, first + 11 * DAY_MS].entries()) {
      const { agent, reader } = await start({ ...gates[i]!, ...OFFLINE }, () => at);
      decided.push(reader.tap('R30000001', '500228'));
      await stop(agent);
    }
    // Each gate knows only its own passages: both admit, the first tap of each journal.
    expect(decided).toMatchObject([
      { decision: 'allow', seq: 1 },
      { decision: 'allow', seq: 1 },
    ]);

    // Back online, one after the other: each journal drains into the gateway.
    for (const cfg of gates) {
      const { agent } = await start(cfg);
      await until('the journal acked', () => agent.lastAckedSeq() === 1 && agent.journalDepth() === 0);
      await stop(agent);
    }
    const records = await call<{
      items: Array<{ deviceId: string; reason: string; entitlementId: string; offline: boolean }>;
    }>('GET', `/v1/records?card=${card.token}&limit=10`);
    const byGate = gates.map((g) => records.items.find((r) => r.deviceId === g.deviceId));
    expect(byGate.map((r) => [r?.reason, r?.entitlementId, r?.offline])).toEqual([
      ['TICKET_ADMITTED', 'tkt-30d', true],
      ['ENTITLEMENT_REUSED_OFFLINE', 'tkt-30d', true],
    ]);
    const report = await call<{ items: Array<{ kind: string; deviceId?: string }> }>(
      'GET',
      '/v1/reports/reconciliation?limit=50',
    );
    expect(report.items).toContainEqual(
      expect.objectContaining({ kind: 'entitlement_reused', deviceId: gates[1]!.deviceId }),
    );
  });
});
