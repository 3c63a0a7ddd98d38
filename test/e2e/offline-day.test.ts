// A bus validator offline for a simulated day (its clock moved through the day by
// fake-clock.mjs, nothing sleeps), restarted while offline, keeps deciding from its persisted
// deny list and card history under its entry rules and offline limits; then the broker comes
// back, the backlog drains, and the gateway reconciles: the card that ran out of balance
// offline ends on the deny list and in the operator report, and the device refuses it next.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueId } from '../support/env.js';
import {
  type AgentProc,
  api,
  expectMoneyBalanced,
  type GatewayProc,
  startAgentProcess,
  startGatewayProcess,
  waitFor,
} from './harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const services = (...args: string[]) =>
  execFileSync('bash', [join(testEnv.root, 'scripts/services.sh'), ...args], { stdio: 'ignore' });

let dir: string;
let clockFile: string;
let g: GatewayProc;
const procs: Array<{ kill(signal?: NodeJS.Signals): Promise<void> }> = [];
const op = uniqueId('op');
// A fresh MQTT client id per run: a session the broker kept from an earlier run would deliver
// deny-list deltas other tests' gateways published on the shared topic.
const busId = uniqueId('bus-day');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onecard-e2e-day-'));
  clockFile = join(dir, 'clock');
  // Pinned: .run/services.env drops the broker while it is stopped, and the agent restarts then.
  process.env.ONECARD_TEST_MQTT_URL = testEnv.mqttUrl();
  const redisUrl = `${testEnv.redisUrl()}/15`;
  const r = new Redis(redisUrl);
  await r.flushdb();
  await r.quit();
  g = await startGatewayProcess('gw-day', {
    ONECARD_STORE: 'redis',
    ONECARD_REDIS_URL: redisUrl,
    ONECARD_MQTT_URL: testEnv.mqttUrl(),
    ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
  });
  procs.push(g);
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  services('up', 'mosquitto');
});

/** The device's clock: `ms` from real time (negative: the simulated day is yesterday). */
function setClock(ms: number): Promise<void> {
  writeFileSync(clockFile, String(ms));
  return new Promise((r) => setTimeout(r, 60));
}

function bus(): AgentProc {
  const a = startAgentProcess({
    deviceId: busId,
    operatorId: op,
    profile: 'bus_validator',
    location: { routeId: 'r7' },
    gatewayUrl: g.url,
    journalFile: join(dir, `${busId}.db`),
    extra: {
      NODE_OPTIONS: `--import=${join(testEnv.root, 'test/e2e/fake-clock.mjs')}`,
      ONECARD_TEST_CLOCK_FILE: clockFile,
      // The gate's rules and offline limits, as data.
      ONECARD_EDGE_ENTRY_ANTI_PASSBACK_MIN: '5',
      ONECARD_EDGE_OFFLINE_MAX_TAPS_PER_CARD_PER_HOUR: '3',
      ONECARD_EDGE_OFFLINE_MAX_UNCONFIRMED_FEN: '1000',
      ONECARD_EDGE_OFFLINE_FARE_ESTIMATE_FEN: '200',
    },
  });
  procs.push(a);
  return a;
}

/** Taps one card and waits for its decision. */
async function tap(a: AgentProc, card: string): Promise<[string, string, boolean]> {
  const before = a.decisions().length;
  a.tap(card);
  await waitFor(`decision ${before + 1}`, () => a.decisions().length === before + 1);
  const d = a.decisions()[before]!;
  return [d.decision, d.reason, d.offline];
}

describe('a device offline for a day', () => {
  it('decides from persisted state across a restart, then syncs and the gateway reconciles', async () => {
    const rider = 'D10000001';
    const senior = 'D10000002';
    const lost = 'D10000003';
    const issued = new Map<string, string>();
    const money: Array<{ token: string; issuedFen: number }> = [];
    for (const [n, balanceFen, concessions] of [
      [rider, 500, []],
      [senior, 0, ['SENIOR']],
      [lost, 1000, []],
    ] as const) {
      const c = await api<{ token: string }>(g.url, 'POST', '/v1/cards', {
        cardNumber: n,
        region: '500228',
        balanceFen,
        concessions,
      });
      issued.set(n, c.token);
      money.push({ token: c.token, issuedFen: balanceFen });
    }
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: busId,
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r7',
    });
    await api(g.url, 'POST', `/v1/cards/${issued.get(lost)}/lost`);

    // Online first: the device fetches the deny list (the lost card) and persists it.
    // Yesterday, at the start of a clock hour (the offline tap limit counts per clock hour).
    const t = Date.now();
    const day0 = Math.floor((t - 24 * HOUR) / HOUR) * HOUR - t;
    await setClock(day0);
    let a = bus();
    await waitFor('online', () => a.lines.some((l) => l.includes('"online"')));
    await waitFor('the lost card is on the device list', async () => (await tap(a, lost))[0] === 'deny');

    services('stop', 'mosquitto');
    await waitFor('offline', () => a.lines.some((l) => l.includes('"offline"')));
    await setClock(day0 + 10 * MIN);
    expect(await tap(a, rider)).toEqual(['allow', 'OK', true]);
    await setClock(day0 + 11 * MIN);
    expect(await tap(a, rider)).toEqual(['deny', 'PASSBACK', true]);

    // A reboot while offline: the anti-passback window is not reopened, the deny list is kept.
    const firstRun = a.decisions().length;
    await a.kill('SIGTERM');
    a = bus();
    await waitFor('restarted', () => a.lines.some((l) => l.includes('"started"')));
    await setClock(day0 + 12 * MIN);
    expect(await tap(a, rider)).toEqual(['deny', 'PASSBACK', true]);
    expect(await tap(a, lost)).toEqual(['deny', 'CARD_LOST', true]);

    await setClock(day0 + 20 * MIN);
    expect(await tap(a, rider)).toEqual(['allow', 'OK', true]);
    await setClock(day0 + 30 * MIN);
    expect(await tap(a, rider)).toEqual(['allow', 'OK', true]);
    await setClock(day0 + 40 * MIN);
    expect(await tap(a, rider)).toEqual(['deny', 'OFFLINE_TAP_LIMIT', true]); // 3 this hour
    await setClock(day0 + 2 * HOUR);
    expect(await tap(a, rider)).toEqual(['allow', 'OK', true]);
    await setClock(day0 + 3 * HOUR);
    expect(await tap(a, rider)).toEqual(['allow', 'OK', true]); // 5 × 200 = 1000 unconfirmed
    await setClock(day0 + 4 * HOUR);
    expect(await tap(a, rider)).toEqual(['deny', 'OFFLINE_SPEND_LIMIT', true]);
    await setClock(day0 + 23 * HOUR);
    // The senior's concession flag came with the signed flags list and was persisted: the device
    // says so offline, and the gateway, which knows the card, charges nothing (checked below).
    expect(await tap(a, senior)).toEqual(['allow', 'CONCESSION_FREE', true]);

    // Back online (and on time): the backlog drains and the gateway reconciles.
    await setClock(0);
    services('up', 'mosquitto');
    const taps = firstRun + a.decisions().length;
    await waitFor(
      'every tap at the gateway',
      async () => {
        const page = await api<{ items: unknown[] }>(g.url, 'GET', `/v1/records?device=${busId}&limit=100`);
        return page.items.length === taps;
      },
      60_000,
    );
    const card = await api<{ balanceFen: number }>(g.url, 'GET', `/v1/cards/${issued.get(rider)}`);
    expect(card.balanceFen).toBe(500 - 5 * 200);
    const records = await api<{
      items: Array<{ seq: number; reason: string; offline: boolean; chargedFen: number }>;
    }>(g.url, 'GET', `/v1/records?card=${issued.get(rider)}&limit=100`);
    expect(records.items.every((r) => r.offline)).toBe(true);
    expect(records.items.sort((x, y) => x.seq - y.seq).map((r) => [r.reason, r.chargedFen])).toEqual([
      ['OK', 200],
      ['PASSBACK', 0],
      ['PASSBACK', 0],
      ['OK', 200],
      ['CHARGED_INTO_NEGATIVE', 200],
      ['OFFLINE_TAP_LIMIT', 0],
      ['CHARGED_INTO_NEGATIVE', 200],
      ['CHARGED_INTO_NEGATIVE', 200],
      ['OFFLINE_SPEND_LIMIT', 0],
    ]);

    const seniorRides = await api<{ items: Array<{ reason: string; chargedFen: number }> }>(
      g.url,
      'GET',
      `/v1/records?card=${issued.get(senior)}&limit=10`,
    );
    expect(seniorRides.items.map((r) => [r.reason, r.chargedFen])).toEqual([['CONCESSION_FREE', 0]]);

    // Findings are written after the records' commit and before the ack: wait for them.
    type Report = { items: Array<{ cardToken: string; kind: string; action: string; offline: boolean }> };
    const mine = await waitFor('the findings of the card that ran out', async () => {
      const report = await api<Report>(g.url, 'GET', '/v1/reports/reconciliation?limit=100');
      const found = report.items.filter((f) => f.cardToken === issued.get(rider));
      return found.length >= 3 ? found : undefined;
    });
    expect(mine).toHaveLength(3);
    expect(mine.every((f) => f.kind === 'negative_balance' && f.offline)).toBe(true);
    expect(mine.some((f) => f.action === 'deny_listed')).toBe(true);

    // The deny delta reaches the device: the card that ran out is refused from now on.
    await waitFor(
      'the device refuses the card that ran out',
      async () => {
        const d = await tap(a, rider);
        return d[0] === 'deny' && d[1] === 'BALANCE_NEGATIVE' ? true : undefined;
      },
      20_000,
    );
    await expectMoneyBalanced(g.url, money);
  });
});
