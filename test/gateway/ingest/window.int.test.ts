// Issue 10 item 1, end to end (docs/decisions/0196): a tap older than the dedupe window is never
// charged twice. The whole gateway on each store with the real Mosquitto and a clock passed in:
// a tap charged on day 0 and resent on day 5 with a window of 2 days is answered duplicate with
// nothing charged, after SQLite pruned its key; a tap as old whose seq the device never sent is
// refused BEYOND_WINDOW; both counted. Nothing sleeps.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../core/dedupe-window.js';
import { cardToken } from '../../../core/pii.js';
import { topics } from '../../../core/topics.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { type BatchAck, v1 } from '../../../protos/wire.js';
import { TOKEN_KEY_HEX } from '../../edge-agent/support.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { startTestGateway, until } from '../../support/gateway.js';
import { connectAsService } from '../../support/mqtt.js';
import { bearerFor } from '../../support/operators.js';
import { publicKeyOf, signedBatch } from '../../support/signing.js';

const KEY = Buffer.from(TOKEN_KEY_HEX, 'hex');
const FARE = 200;
const EPOCH = Buffer.from('0123456789abcdef', 'hex');
const T = Date.UTC(2026, 2, 2, 1, 0); // 09:00 in Beijing

describe.each(['sqlite', 'redis'] as const)('taps older than the dedupe window (%s store)', (store) => {
  const op = uniqueId('op');
  const deviceId = uniqueId('bus');
  let clock = T;
  let gw: Gateway;
  let admin = '';
  let client: MqttClient;
  const acks: BatchAck[] = [];

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

  const tap = (seq: number, cardNumber: string, t: number) => ({
    seq,
    deviceTimeMs: t,
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: cardToken(KEY, cardNumber),
    issuingRegion: '500228',
    location: { routeId: 'r12', stopId: 's3' },
    direction: v1.Direction.DIRECTION_BOARD,
    decision: v1.Decision.DECISION_ALLOW,
    reason: v1.Reason.REASON_OK,
  });
  const send = async (taps: object[]): Promise<BatchAck> => {
    const n = acks.length;
    const payload = signedBatch({ deviceId, operatorId: op, taps, sentAtMs: clock, journalEpoch: EPOCH });
    await client.publishAsync(topics.taps(op, deviceId), payload, { qos: 1 });
    return until('the ack', () => acks[n]);
  };
  const results = (ack: BatchAck) =>
    ack.results.map((r) => [Number(r.seq), r.outcome, r.reason, Number(r.chargedFen), r.duplicate]);

  beforeAll(async () => {
    ({ gw } = await startTestGateway(
      {
        tokenKeyHex: TOKEN_KEY_HEX,
        tariff: 'flat',
        dedupeWindowDays: 2,
        ...(store === 'redis'
          ? { store: 'redis', redisUrl: `${testEnv.redisUrl()}/9`, redisPrefix: uniqueId('oc') }
          : {}),
      },
      { deps: { now: () => clock } },
    ));
    admin = await bearerFor(gw.url, 'admin');
    await call('POST', '/v1/devices', {
      deviceId,
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r12',
      publicKey: publicKeyOf(deviceId),
    });
    // One connection with gateway rights plays the device (the shipped broker's users).
    client = await connectAsService('window');
    client.on('message', (_t, payload) => acks.push(v1.BatchAck.decode(payload)));
    await client.subscribeAsync(topics.ack(op, deviceId), { qos: 1 });
  });

  afterAll(async () => {
    await client?.endAsync();
    await gw?.stop();
  });

  it('answers a resend past the window as a duplicate, charges nothing again, and refuses an unknown seq', async () => {
    const cardNumber = uniqueId('W');
    const { token } = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber,
      region: '500228',
      balanceFen: 1_000,
    });
    const balance = async () => (await call<{ balanceFen: number }>('GET', `/v1/cards/${token}`)).balanceFen;

    expect(results(await send([tap(1, cardNumber, T), tap(2, cardNumber, T + 60_000)]))).toEqual([
      [1, v1.Outcome.OUTCOME_CHARGED, v1.Reason.REASON_OK, FARE, false],
      [2, v1.Outcome.OUTCOME_CHARGED, v1.Reason.REASON_OK, FARE, false],
    ]);
    expect(await balance()).toBe(1_000 - 2 * FARE);

    // Five days on, past the window of two; SQLite's prune has taken the taps' keys.
    clock = T + 5 * DAY_MS;
    admin = await bearerFor(gw.url, 'admin'); // the day-0 session has lapsed
    const pruned = await gw.store.pruneDedupe(clock);
    expect(pruned).toBe(store === 'sqlite' ? 4 : 0);

    // The device resends seq 2 (its ack was lost) and sends seq 3, made as long ago, for the first time.
    expect(results(await send([tap(2, cardNumber, T + 60_000), tap(3, cardNumber, T + 120_000)]))).toEqual([
      [2, v1.Outcome.OUTCOME_RECORDED, v1.Reason.REASON_DUPLICATE, 0, true],
      [3, v1.Outcome.OUTCOME_RECORDED, v1.Reason.REASON_BEYOND_WINDOW, 0, false],
    ]);
    expect(await balance()).toBe(1_000 - 2 * FARE);

    // A tap of today is charged as ever.
    expect(results(await send([tap(4, cardNumber, clock)]))).toEqual([
      [4, v1.Outcome.OUTCOME_CHARGED, v1.Reason.REASON_OK, FARE, false],
    ]);
    expect(await balance()).toBe(1_000 - 3 * FARE);

    const metrics = await call<string>('GET', '/metrics');
    expect(metrics).toContain('onecard_taps_beyond_window_total{came="before"} 1');
    expect(metrics).toContain('onecard_taps_beyond_window_total{came="unknown"} 1');
  });
});
