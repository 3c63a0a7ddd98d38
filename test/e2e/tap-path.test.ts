// The tap path end to end with real processes: edge agents (child processes with SQLite
// journals) → Mosquitto → gateway processes (Redis store, Kafka relay), killed and restarted.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRecordDeduper } from '../../gateway/src/kafka/dedupe.js';
import { createTopic, readUntil, recordsIn } from '../gateway/kafka/kafka.js';
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

const BUS_FARE = 200;
const METRO_FARE = 300;
let dir: string;
let redisUrl: string;
let procs: Array<{ kill(signal?: NodeJS.Signals): Promise<void> }> = [];
let db = 0;

interface Page {
  items: Array<{
    id: string;
    seq: number;
    chargedFen: number;
    reason: string;
    edgeDecision: string;
    offline: boolean;
  }>;
  nextCursor?: string;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onecard-e2e-'));
  db = (db % 14) + 1;
  redisUrl = `${testEnv.redisUrl()}/${db}`;
  const r = new Redis(redisUrl);
  await r.flushdb();
  await r.quit();
  procs = [];
});

afterEach(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  // A test that stopped the broker must not leave it down for the next.
  execFileSync('bash', [join(testEnv.root, 'scripts/services.sh'), 'up', 'mosquitto'], { stdio: 'ignore' });
});

async function gateway(name: string, env: Record<string, string> = {}, port?: number): Promise<GatewayProc> {
  const g = await startGatewayProcess(
    name,
    {
      ONECARD_STORE: 'redis',
      ONECARD_REDIS_URL: redisUrl,
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: `g${db}`,
      ...env,
    },
    port,
  );
  procs.push(g);
  return g;
}

const NO_ENTRY_LIMITS = {
  ONECARD_EDGE_ENTRY_ANTI_PASSBACK_MIN: '0',
  ONECARD_EDGE_OFFLINE_MAX_TAPS_PER_CARD_PER_HOUR: '0',
  ONECARD_EDGE_OFFLINE_MAX_UNCONFIRMED_FEN: '0',
};

function agent(
  g: GatewayProc,
  operatorId: string,
  deviceId: string,
  profile: string,
  location: Record<string, string>,
  extra?: Record<string, string>,
): AgentProc {
  const a = startAgentProcess({
    deviceId,
    operatorId,
    profile,
    location,
    gatewayUrl: g.url,
    journalFile: join(dir, `${deviceId}.db`),
    ...(extra ? { extra } : {}),
  });
  procs.push(a);
  return a;
}

async function allRecords(g: GatewayProc, query: string): Promise<Page['items']> {
  const items: Page['items'] = [];
  let cursor: string | undefined;
  do {
    const page = await api<Page>(
      g.url,
      'GET',
      `/v1/records?${query}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function issue(
  g: GatewayProc,
  cardNumbers: string[],
  balanceFen: number,
): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const n of cardNumbers) {
    const c = await api<{ token: string }>(g.url, 'POST', '/v1/cards', {
      cardNumber: n,
      region: '500228',
      balanceFen,
    });
    tokens.set(n, c.token);
  }
  return tokens;
}

async function balance(g: GatewayProc, token: string): Promise<number> {
  return (await api<{ balanceFen: number }>(g.url, 'GET', `/v1/cards/${token}`)).balanceFen;
}

/** The cards as the money check takes them: each issued with the same balance. */
function issuedAs(tokens: Map<string, string>, issuedFen: number) {
  return [...tokens.values()].map((token) => ({ token, issuedFen }));
}

/** Every seq 1..n of the device has exactly one record. */
function expectEachTapOnce(records: Page['items'], n: number): void {
  const seqs = records.map((r) => r.seq).sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

const cards = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

describe('the tap path with real processes', () => {
  it('charges taps from two devices exactly once and relays every record to Kafka', async () => {
    const topic = await createTopic();
    const g = await gateway('gw-a', {
      ONECARD_KAFKA_BROKERS: testEnv.kafkaBrokers(),
      ONECARD_KAFKA_TOPIC: topic,
    });
    const op = uniqueId('op');
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: 'bus-1',
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r12',
    });
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: 'exit-1',
      operatorId: op,
      profile: 'metro_exit_gate',
      stationId: 'S05',
    });
    const numbers = cards('T', 10);
    const tokens = await issue(g, numbers, 10_000);
    const bus = agent(g, op, 'bus-1', 'bus_validator', { routeId: 'r12' });
    // Three rides per card within seconds: about exactly-once, not anti-passback (off here).
    const gate = agent(g, op, 'exit-1', 'metro_exit_gate', { stationId: 'S05' }, NO_ENTRY_LIMITS);
    for (let i = 0; i < 30; i++) {
      bus.tap(numbers[i % 10]!);
      gate.tap(numbers[(i + 3) % 10]!);
    }
    await waitFor('60 records', async () => (await allRecords(g, `operator=${op}`)).length === 60);
    expectEachTapOnce(await allRecords(g, 'device=bus-1'), 30);
    expectEachTapOnce(await allRecords(g, 'device=exit-1'), 30);
    for (const n of numbers)
      expect(await balance(g, tokens.get(n)!)).toBe(10_000 - 3 * BUS_FARE - 3 * METRO_FARE);

    const dedupe = createRecordDeduper(1000);
    const ids = new Set<string>();
    await readUntil(
      topic,
      (messages) => {
        for (const m of messages.splice(0)) {
          expect(m.value!.toString('latin1')).not.toMatch(/T0000\d\d/);
          for (const r of recordsIn([m])) if (!dedupe.seen(r.id)) ids.add(r.id);
        }
        return ids.size >= 60;
      },
      30_000,
    );
    // tap:<device>:<journal epoch>:<seq> (docs/decisions/0175): each agent's one journal, one epoch.
    const epochOf = (device: string) =>
      new RegExp(`^tap:${device}:([0-9a-f]{16}):1$`).exec(
        [...ids].find((id) => id.endsWith(':1') && id.startsWith(`tap:${device}:`)) ?? '',
      )?.[1];
    const busEpoch = epochOf('bus-1');
    const exitEpoch = epochOf('exit-1');
    expect(busEpoch).toBeDefined();
    expect(exitEpoch).toBeDefined();
    expect([...ids].sort()).toEqual(
      [
        ...Array.from({ length: 30 }, (_, i) => `tap:bus-1:${busEpoch}:${i + 1}`),
        ...Array.from({ length: 30 }, (_, i) => `tap:exit-1:${exitEpoch}:${i + 1}`),
      ].sort(),
    );
    await expectMoneyBalanced(g.url, issuedAs(tokens, 10_000));
  });

  it('loses no tap and charges none twice when a gateway is killed mid-stream and restarted', async () => {
    const g1 = await gateway('gw-k1');
    const g2 = await gateway('gw-k2');
    const op = uniqueId('op');
    await api(g1.url, 'POST', '/v1/devices', {
      deviceId: 'bus-k',
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r1',
    });
    const numbers = cards('K', 5);
    const tokens = await issue(g1, numbers, 100_000);
    // 60 rides per card in seconds, some before the first connect: about exactly-once, so the
    // offline limits are off.
    const bus = agent(g1, op, 'bus-k', 'bus_validator', { routeId: 'r1' }, NO_ENTRY_LIMITS);
    const total = 300;
    for (let i = 0; i < total; i++) {
      bus.tap(numbers[i % 5]!);
      if (i === 100) await g1.kill('SIGKILL'); // mid-stream, no goodbye
      if (i === 200) await gateway('gw-k1'); // the same instance comes back
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor(
      'all taps committed',
      async () => (await allRecords(g2, 'device=bus-k')).length >= total,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 3000)); // resends still in flight must change nothing
    expectEachTapOnce(await allRecords(g2, 'device=bus-k'), total);
    for (const n of numbers) expect(await balance(g2, tokens.get(n)!)).toBe(100_000 - (total / 5) * BUS_FARE);
    expect(bus.decisions()).toHaveLength(total);
    await expectMoneyBalanced(g2.url, issuedAs(tokens, 100_000));
  });

  it('keeps deciding while the broker is down and drains the backlog when it returns', async () => {
    const g = await gateway('gw-b');
    const op = uniqueId('op');
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: 'entry-b',
      operatorId: op,
      profile: 'metro_entry_gate',
      stationId: 'S01',
    });
    const numbers = cards('B', 4);
    const tokens = await issue(g, numbers, 5_000);
    // Eleven entries per card: about the offline backlog, not entry rules or offline limits.
    const gate = agent(g, op, 'entry-b', 'metro_entry_gate', { stationId: 'S01' }, NO_ENTRY_LIMITS);
    await waitFor('the agent is online', () => gate.lines.some((l) => l.includes('"online"')));
    gate.tap(...numbers);
    await waitFor('4 records', async () => (await allRecords(g, 'device=entry-b')).length === 4);

    execFileSync('bash', [join(testEnv.root, 'scripts/services.sh'), 'stop', 'mosquitto'], {
      stdio: 'ignore',
    });
    await waitFor('the agent sees it is offline', () => gate.lines.some((l) => l.includes('"offline"')));
    for (let i = 0; i < 40; i++) gate.tap(numbers[i % 4]!);
    await waitFor('40 more decisions', () => gate.decisions().length === 44);
    expect(
      gate
        .decisions()
        .slice(4)
        .every((d) => d.offline),
    ).toBe(true);
    expect(gate.decisions().every((d) => d.decision === 'allow')).toBe(true);

    execFileSync('bash', [join(testEnv.root, 'scripts/services.sh'), 'up', 'mosquitto'], { stdio: 'ignore' });
    await waitFor(
      'the backlog drained',
      async () => (await allRecords(g, 'device=entry-b')).length === 44,
      60_000,
    );
    const records = await allRecords(g, 'device=entry-b');
    expectEachTapOnce(records, 44);
    expect(records.filter((r) => r.offline)).toHaveLength(40);
    await expectMoneyBalanced(g.url, issuedAs(tokens, 5_000));
  });

  it('denies the next tap of a card reported lost at the device, with no network round trip', async () => {
    const g = await gateway('gw-l');
    const op = uniqueId('op');
    // A fresh MQTT client id: a session the broker kept for an earlier run's device would hand
    // it deny-list deltas other gateways (other tests) published on the shared topic meanwhile.
    const busId = uniqueId('bus-l');
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: busId,
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r9',
    });
    const [lostCard, otherCard] = cards('L', 2) as [string, string];
    const tokens = await issue(g, [lostCard, otherCard], 5_000);
    const bus = agent(g, op, busId, 'bus_validator', { routeId: 'r9' });
    bus.tap(lostCard);
    await waitFor('first tap allowed', () => bus.decisions()[0]?.decision === 'allow');

    const { denyListVersion } = await api<{ denyListVersion: number }>(
      g.url,
      'POST',
      `/v1/cards/${tokens.get(lostCard)}/lost`,
    );
    await waitFor(
      'the device holds the new list',
      async () => {
        const { items } = await api<{ items: Array<{ deviceId: string; denyListVersion?: number }> }>(
          g.url,
          'GET',
          '/v1/devices',
        );
        return (items.find((d) => d.deviceId === busId)?.denyListVersion ?? 0) >= denyListVersion;
      },
      15_000,
    );

    // Cut the device off: the gateway is gone and the broker too. The decision is local.
    await g.kill('SIGKILL');
    execFileSync('bash', [join(testEnv.root, 'scripts/services.sh'), 'stop', 'mosquitto'], {
      stdio: 'ignore',
    });
    bus.tap(lostCard, otherCard);
    await waitFor('two more decisions', () => bus.decisions().length === 3);
    expect(
      bus
        .decisions()
        .slice(1)
        .map((d) => [d.decision, d.reason]),
    ).toEqual([
      ['deny', 'CARD_LOST'],
      ['allow', 'OK'],
    ]);
  });
});
