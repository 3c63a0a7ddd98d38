// Issue 8 item 8, seq reuse across an epoch change (docs/decisions/0175). The attack worked as
// the same (device, seq) sent with another card: charged again on Redis (two records with one
// id), answered on SQLite as a duplicate with the other card's balance. It happens for real when
// a device loses its journal and restarts at seq 1, and an enrolled device (its own broker
// credentials and signing key, through the real Mosquitto with the shipped configuration) can
// do it on purpose. On each store, the gateway in process:
// - a new epoch's seq 1 is charged as the new tap it is;
// - an old epoch's seq sent again with other content (or the new epoch's with the old content)
//   is quarantined: acked SEQ_CONFLICT with no charge and no balance, counted, reported, and
//   no balance or record changes; the original content is still answered as its duplicate;
// - an epoch that is not 8 bytes is refused before the commit (BAD_EPOCH), acking nothing.
// A real agent that lost its journal: test/gateway/ingest/epochs.int.test.ts.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardToken } from '../../core/pii.js';
import { topics } from '../../core/topics.js';
import type { Gateway } from '../../gateway/src/app.js';
import { partitionOf } from '../../gateway/src/store/redis-keys.js';
import { type BatchAck, v1 } from '../../protos/wire.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway, until } from '../support/gateway.js';
import { connectWhenAccepted, enrolDevice } from '../support/mqtt.js';
import { bearerFor } from '../support/operators.js';
import { publicKeyOf, signedBatch } from '../support/signing.js';
import { eventually, metric } from './attacker.js';

const KEY_HEX = 'a7'.repeat(32);
const KEY = Buffer.from(KEY_HEX, 'hex');
const FARE = 200;
const E1 = Buffer.from('0123456789abcdef', 'hex');
const E2 = Buffer.from('fedcba9876543210', 'hex');

/** Card numbers of this run whose tokens sit in different Redis partitions (of the default 16). */
function twoCardsApart(prefix: string): [string, string] {
  const a = `${prefix}A0001`;
  const partA = partitionOf(cardToken(KEY, a).toString('hex'), 16);
  for (let i = 2; ; i++) {
    const b = `${prefix}A${String(i).padStart(4, '0')}`;
    if (partitionOf(cardToken(KEY, b).toString('hex'), 16) !== partA) return [a, b];
  }
}

describe.each(['sqlite', 'redis'] as const)('seq reuse by an enrolled device (%s store)', (store) => {
  const op = uniqueId('op');
  const deviceId = uniqueId('bus');
  let gw: Gateway;
  let admin = '';
  let device: MqttClient;
  const acks: BatchAck[] = [];

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${gw.url}${path}`, {
      method,
      headers: { authorization: admin, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  }
  const issueCard = async (cardNumber: string) =>
    (await call<{ token: string }>('POST', '/v1/cards', { cardNumber, region: '500228', balanceFen: 1_000 }))
      .token;
  const balance = async (token: string) =>
    (await call<{ balanceFen: number }>('GET', `/v1/cards/${token}`)).balanceFen;
  const recordIds = async (token: string) =>
    (await call<{ items: Array<{ id: string }> }>('GET', `/v1/cards/${token}/records?limit=50`)).items
      .map((r) => r.id)
      .sort();
  const conflicts = () => metric(gw.url, 'onecard_taps_seq_conflict_total');

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
  /** Sends one batch, signed with the device's own key, on its own topic; returns its ack. */
  const send = async (taps: object[], journalEpoch: Uint8Array): Promise<BatchAck> => {
    const n = acks.length;
    const payload = signedBatch({ deviceId, operatorId: op, taps, sentAtMs: Date.now(), journalEpoch });
    await device.publishAsync(topics.taps(op, deviceId), payload, { qos: 1 });
    return until('the ack', () => acks[n]);
  };
  const results = (ack: BatchAck) =>
    ack.results.map((r) => [
      Number(r.seq),
      r.outcome,
      r.reason,
      Number(r.chargedFen),
      Number(r.balanceAfterFen),
      r.duplicate,
    ]);
  const charged = (seq: number, balanceAfter: number, duplicate = false) => [
    [seq, v1.Outcome.OUTCOME_CHARGED, v1.Reason.REASON_OK, FARE, balanceAfter, duplicate],
  ];
  const quarantined = (seq: number) => [
    [seq, v1.Outcome.OUTCOME_RECORDED, v1.Reason.REASON_SEQ_CONFLICT, 0, 0, false],
  ];
  /** The operator's findings of seq conflicts for a card. */
  const findings = async (token: string) =>
    (
      await call<{ items: Array<Record<string, unknown>> }>('GET', '/v1/reports/reconciliation?limit=1000')
    ).items.filter((f) => f.kind === 'seq_conflict' && f.cardToken === token);

  beforeAll(async () => {
    ({ gw } = await startTestGateway({
      tokenKeyHex: KEY_HEX,
      tariff: 'flat',
      ...(store === 'redis'
        ? { store: 'redis', redisUrl: `${testEnv.redisUrl()}/9`, redisPrefix: uniqueId('oc') }
        : {}),
    }));
    admin = await bearerFor(gw.url, 'admin');
    const enrolled = await enrolDevice(gw.url, admin, {
      deviceId,
      operatorId: op,
      profile: 'bus_validator',
      routeId: 'r12',
      publicKey: publicKeyOf(deviceId),
    });
    device = await connectWhenAccepted(enrolled);
    device.on('message', (_t, payload) => acks.push(v1.BatchAck.decode(payload)));
    await device.subscribeAsync(topics.ack(op, deviceId), { qos: 1 });
  });

  afterAll(async () => {
    await device?.endAsync();
    await gw?.stop();
  });

  it('charges a new epoch’s seq 1 as new, and quarantines either epoch’s seq 1 sent with the other card', async () => {
    const [cardA, cardB] = twoCardsApart(uniqueId('R'));
    const [a, b] = [await issueCard(cardA), await issueCard(cardB)];
    // Half a minute before a UTC midnight (time passed in; the test gateway's window is years):
    // the other card's tap a minute later falls on the next day, as an attacker would date it
    // to escape a check kept per day (0220).
    const t = Date.UTC(2026, 0, 15, 23, 59, 30);
    const seq = 1;
    expect(results(await send([tap(seq, cardA, t)], E1))).toEqual(charged(seq, 1_000 - FARE));
    // The journal was lost: a new epoch, seq 1 again, another card. A new tap, charged.
    expect(results(await send([tap(seq, cardB, t + 60_000)], E2))).toEqual(charged(seq, 1_000 - FARE));
    const idsA = await recordIds(a);
    const idsB = await recordIds(b);
    expect(idsA).toEqual([`tap:${deviceId}:${E1.toString('hex')}:1`]);
    expect(idsB).toEqual([`tap:${deviceId}:${E2.toString('hex')}:1`]);

    // The attack: each epoch's seq 1 again with the other epoch's card.
    const before = await conflicts();
    expect(results(await send([tap(seq, cardB, t + 60_000)], E1))).toEqual(quarantined(seq));
    expect(results(await send([tap(seq, cardA, t)], E2))).toEqual(quarantined(seq));
    await eventually('both counted', async () => (await conflicts()) === before + 2);
    expect([await balance(a), await balance(b)]).toEqual([1_000 - FARE, 1_000 - FARE]);
    expect([await recordIds(a), await recordIds(b)]).toEqual([idsA, idsB]);
    expect(await findings(a)).toEqual([
      expect.objectContaining({
        deviceId,
        seq,
        reason: 'SEQ_CONFLICT',
        action: 'quarantined',
        chargedFen: 0,
      }),
    ]);
    expect(await findings(b)).toHaveLength(1);
  });

  it.each([
    ['an epoch', E1],
    ['no epoch (legacy firmware)', new Uint8Array(0)],
  ])(
    'quarantines the same seq with another card, never charged, never answered with the other tap (%s)',
    async (_name, epoch) => {
      const [cardA, cardB] = twoCardsApart(uniqueId('Q'));
      const [a, b] = [await issueCard(cardA), await issueCard(cardB)];
      // Half a second before a UTC midnight: the conflicting tap is dated on the next day (0220).
      const t = Date.UTC(2026, 0, 16, 23, 59, 59, 500);
      const seq = acks.length + 10; // a seq of its own for each case
      const before = await conflicts();

      expect(results(await send([tap(seq, cardA, t)], epoch))).toEqual(charged(seq, 1_000 - FARE));
      const conflict = await send([tap(seq, cardB, t + 1_000)], epoch);
      expect(Buffer.from(conflict.journalEpoch).equals(Buffer.from(epoch))).toBe(true);
      expect(results(conflict)).toEqual(quarantined(seq));
      // Sent again (a device resends until acked): still quarantined, still nothing charged.
      expect(results(await send([tap(seq, cardB, t + 1_000)], epoch))).toEqual(quarantined(seq));
      // The original content sent again is the duplicate it is, with its own result.
      expect(results(await send([tap(seq, cardA, t)], epoch))).toEqual(charged(seq, 1_000 - FARE, true));
      await eventually('every quarantined delivery counted', async () => (await conflicts()) === before + 2);

      expect([await balance(a), await balance(b)]).toEqual([1_000 - FARE, 1_000]);
      expect(await recordIds(b)).toEqual([]);
      expect(await recordIds(a)).toHaveLength(1);
      const found = await findings(b);
      expect(found).toEqual([
        expect.objectContaining({
          kind: 'seq_conflict',
          reason: 'SEQ_CONFLICT',
          action: 'quarantined',
          deviceId,
          seq,
          chargedFen: 0,
        }),
      ]);
      const prefix =
        epoch.byteLength > 0 ? `tap:${deviceId}:${E1.toString('hex')}:${seq}#` : `tap:${deviceId}:${seq}#`;
      expect(String(found[0]!.id).startsWith(prefix)).toBe(true);
    },
  );

  it('refuses a batch whose epoch is not 8 bytes (BAD_EPOCH), acking nothing', async () => {
    const n = acks.length;
    const before = await metric(gw.url, 'onecard_batches_rejected_total{reason="BAD_EPOCH"}');
    const payload = signedBatch({
      deviceId,
      operatorId: op,
      taps: [tap(999, 'X0000001', Date.now())],
      sentAtMs: Date.now(),
      journalEpoch: Buffer.alloc(4),
    });
    await device.publishAsync(topics.taps(op, deviceId), payload, { qos: 1 });
    await eventually(
      'BAD_EPOCH counted',
      async () => (await metric(gw.url, 'onecard_batches_rejected_total{reason="BAD_EPOCH"}')) === before + 1,
    );
    // Refused before the commit: no ack went out for it, nothing kept of it but the dead letter
    // (counted first; on Redis the letter is written a moment later).
    await eventually('its dead letter', async () =>
      (await gw.store.deadLetters(10)).some((l) => l.reason.startsWith('BAD_EPOCH')),
    );
    expect(acks.length).toBe(n);
  });
});
