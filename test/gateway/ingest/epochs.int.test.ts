// Issue 8 item 4, end to end (docs/decisions/0175): the exactly-once key is (device, journal
// epoch, seq). The whole gateway on each store with the real Mosquitto: a real edge agent whose
// journal file is deleted between two runs starts again at seq 1 under a new epoch, and its new
// taps are charged as what they are. The same (device, epoch, seq) sent again with another card
// (quarantined, SEQ_CONFLICT) and a malformed epoch (BAD_EPOCH), played by an enrolled device as
// an attacker: test/security/seq-reuse.int.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../../core/pii.js';
import { type AckEvent, startAgent } from '../../../edge-agent/src/agent.js';
import { ManualReader } from '../../../edge-agent/src/reader/simulated.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { partitionOf } from '../../../gateway/src/store/redis-keys.js';
import { edgeConfig, TOKEN_KEY_HEX } from '../../edge-agent/support.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { startTestGateway, until } from '../../support/gateway.js';
import { bearerFor } from '../../support/operators.js';
import { publicKeyOf } from '../../support/signing.js';

const KEY = Buffer.from(TOKEN_KEY_HEX, 'hex');
const FARE = 200;

/** Card numbers of this run whose tokens sit in different Redis partitions (of the default 16). */
function twoCardsApart(prefix: string): [string, string] {
  const a = `${prefix}A0001`;
  const partA = partitionOf(cardToken(KEY, a).toString('hex'), 16);
  for (let i = 2; ; i++) {
    const b = `${prefix}A${String(i).padStart(4, '0')}`;
    if (partitionOf(cardToken(KEY, b).toString('hex'), 16) !== partA) return [a, b];
  }
}

describe.each(['sqlite', 'redis'] as const)('journal epochs (%s store)', (store) => {
  const op = uniqueId('op');
  const dir = mkdtempSync(join(tmpdir(), 'onecard-epochs-'));
  let gw: Gateway;
  let admin = '';

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: admin, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (path === '/metrics' ? text : JSON.parse(text)) as T;
  }

  const registerDevice = (deviceId: string) =>
    call('POST', '/v1/devices', {
      deviceId,
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r12',
      publicKey: publicKeyOf(deviceId),
    });
  const issueCard = (cardNumber: string) =>
    call<{ token: string }>('POST', '/v1/cards', { cardNumber, region: '500228', balanceFen: 1_000 });
  const balance = async (token: string) =>
    (await call<{ balanceFen: number }>('GET', `/v1/cards/${token}`)).balanceFen;
  const recordIds = async (token: string) =>
    (await call<{ items: Array<{ id: string }> }>('GET', `/v1/cards/${token}/records?limit=50`)).items
      .map((r) => r.id)
      .sort();

  beforeAll(async () => {
    ({ gw } = await startTestGateway(
      {
        tokenKeyHex: TOKEN_KEY_HEX,
        tariff: 'flat',
        ...(store === 'redis' ? { store: 'redis', redisUrl: `${testEnv.redisUrl()}/9` } : {}),
      },
      { dir },
    ));
    admin = await bearerFor(gw.url, 'admin');
  });

  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('charges the taps of a device that lost its journal and restarted at seq 1 as new taps', async () => {
    const deviceId = uniqueId('bus');
    // Its secret is its broker password (decision 0170).
    const { credential } = (await registerDevice(deviceId)) as { credential: string };
    const [cardA, cardB] = twoCardsApart(uniqueId('E'));
    const a = (await issueCard(cardA)).token;
    const b = (await issueCard(cardB)).token;
    const journalFile = join(dir, `${deviceId}.db`);
    const config = edgeConfig({
      deviceId,
      operatorId: op,
      mqttUrl: testEnv.mqttUrl(),
      gatewayCredential: credential,
      gatewayHttpUrl: gw.url,
      journalFile,
      batchMaxTaps: 10,
      batchMaxDelayMs: 20,
      ackTimeoutMs: 2_000,
    });

    /** One run of the device: taps the cards in order and waits until every one is acked. */
    const run = async (cards: string[]) => {
      const reader = new ManualReader();
      const agent = await startAgent(config, reader);
      const acks: AckEvent[] = [];
      agent.events.on('ack', (a) => acks.push(a));
      try {
        await until('link up', () => agent.online() || undefined);
        for (const card of cards) expect(reader.tap(card, '500228')?.decision).toBe('allow');
        await until('journal empty', () => agent.journalDepth() === 0 || undefined);
        return acks.flatMap((a) => a.results);
      } finally {
        await agent.stop();
      }
    };

    const first = await run([cardA, cardA]);
    // The journal is lost: its file (and its WAL) deleted, as a replaced storage card would be.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${journalFile}${suffix}`, { force: true });
    const second = await run([cardB, cardA]);

    const seen = (results: AckEvent['results']) =>
      results.map((r) => [r.seq, r.outcome, r.chargedFen, r.duplicate]);
    expect(seen(first)).toEqual([
      [1, 'charged', FARE, false],
      [2, 'charged', FARE, false],
    ]);
    expect(seen(second)).toEqual([
      [1, 'charged', FARE, false],
      [2, 'charged', FARE, false],
    ]);
    expect(second.map((r) => r.balanceAfterFen)).toEqual([1_000 - FARE, 1_000 - 3 * FARE]);
    expect(await balance(a)).toBe(1_000 - 3 * FARE);
    expect(await balance(b)).toBe(1_000 - FARE);
    // Two epochs, each its own record ids: tap:<device>:<epoch>:<seq>.
    const idsA = await recordIds(a);
    const idsB = await recordIds(b);
    expect(idsB).toHaveLength(1);
    const e2 = /^tap:[^:]+:([0-9a-f]{16}):1$/.exec(idsB[0]!)?.[1];
    const e1 = idsA.map((id) => /^tap:[^:]+:([0-9a-f]{16}):1$/.exec(id)?.[1]).find(Boolean);
    expect(e1).toBeDefined();
    expect(e2).toBeDefined();
    expect(e1).not.toBe(e2);
    expect(idsA).toEqual(
      [`tap:${deviceId}:${e1}:1`, `tap:${deviceId}:${e1}:2`, `tap:${deviceId}:${e2}:2`].sort(),
    );
    expect(idsB).toEqual([`tap:${deviceId}:${e2}:1`]);
  });
});
