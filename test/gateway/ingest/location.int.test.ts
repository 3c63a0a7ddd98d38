// A tap is priced where the device is (docs/decisions/0161), on the real ingest path (validate,
// registry, plan, commit, reconcile, ack) with the Beijing tariff, over SQLite and Redis. The
// attack: a bus validator of bj-bus registered on route 101 (single fare) reports route bus-1
// (a distance network whose board taps the tariff cannot price) or a route nobody knows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../../core/topics.js';
import { DeviceRegistry } from '../../../gateway/src/ingest/devices.js';
import { Ingest } from '../../../gateway/src/ingest/ingest.js';
import { DenyListPublisher } from '../../../gateway/src/lists/deny.js';
import { ListPublisher } from '../../../gateway/src/lists/publisher.js';
import { silentLogger } from '../../../gateway/src/log.js';
import { createMetrics } from '../../../gateway/src/metrics.js';
import { Reconciler } from '../../../gateway/src/reconcile/reconciler.js';
import type { Device, Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { loadTariff } from '../../../gateway/src/tariff/load.js';
import { type BatchAck, v1 } from '../../../protos/wire.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { testSigner } from '../../support/lists.js';
import { publicKeyOf, signedBatch } from '../../support/signing.js';
import { issue, load, T0, token } from '../store/fixtures.js';

const OP = 'bj-bus';
const tariff = loadTariff('beijing', { busFlatFen: 200, metroFlatFen: 300 });
const dir = mkdtempSync(join(tmpdir(), 'onecard-location-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stores: Array<[string, () => Promise<{ store: Store; drop: () => Promise<void> }>]> = [
  [
    'sqlite',
    async () => ({
      store: await openSqliteStore({ file: join(dir, `${uniqueId('l')}.db`) }),
      drop: async () => {},
    }),
  ],
  [
    'redis',
    async () => {
      const prefix = uniqueId('oc');
      const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix });
      return {
        store,
        drop: async () => {
          const admin = new Redis(testEnv.redisUrl());
          const keys = await admin.keys(`${prefix}:*`);
          if (keys.length > 0) await admin.unlink(...keys);
          await admin.quit();
        },
      };
    },
  ],
];

describe.each(stores)('tap locations on the ingest path (%s store)', (_name, open) => {
  let store: Store;
  let drop: () => Promise<void>;
  let ingest: Ingest;
  let metrics: ReturnType<typeof createMetrics>;
  let acks: BatchAck[];

  beforeEach(async () => {
    ({ store, drop } = await open());
    acks = [];
    metrics = createMetrics();
    const now = () => T0 + 60_000;
    const lists = new ListPublisher(store, testSigner, async () => {}, silentLogger, now);
    ingest = new Ingest({
      store,
      devices: new DeviceRegistry(store, now),
      fare: tariff.price,
      limits: { maxBatchBytes: 65_536, maxTapsPerBatch: 100 },
      deadLetterBounds: { maxCount: 100, maxBytes: 1_000_000, maxPayloadBytes: 4096 },
      ackSigner: { keyId: testSigner.keyId, sign: (bytes) => testSigner.sign(bytes) },
      sendAck: (_topic, payload) => void acks.push(v1.BatchAck.decode(payload)),
      metrics,
      log: silentLogger,
      now,
      reconciler: new Reconciler({
        store,
        deny: new DenyListPublisher(store, lists, now),
        log: silentLogger,
        now,
        onFinding: (kind) => metrics.findings.inc({ kind }),
      }),
    });
  });
  afterEach(async () => {
    await store.close();
    await drop();
  });

  async function register(deviceId: string, over: Partial<Device> = {}): Promise<void> {
    await store.upsertDevice({
      deviceId,
      operatorId: OP,
      profile: 'bus_validator',
      routeId: '101',
      stationId: '',
      venueId: '',
      publicKey: publicKeyOf(deviceId),
      ...over,
    });
  }

  /**
   * One batch of taps of card n (board taps on the given route, unless the tap says otherwise);
   * answers the batch's ack results.
   */
  async function send(
    deviceId: string,
    taps: Array<{ seq: number; routeId?: string; card: number; tap?: Record<string, unknown> }>,
  ) {
    const payload = signedBatch({
      deviceId,
      operatorId: OP,
      sentAtMs: T0,
      taps: taps.map((t) => ({
        seq: t.seq,
        deviceTimeMs: T0 + t.seq * 1000,
        credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
        cardToken: Buffer.from(token(t.card), 'hex'),
        issuingRegion: '110000',
        location: { routeId: t.routeId ?? '', stopId: 's1' },
        direction: v1.Direction.DIRECTION_BOARD,
        decision: v1.Decision.DECISION_ALLOW,
        reason: v1.Reason.REASON_OK,
        ...t.tap,
      })),
    });
    const before = acks.length;
    await ingest.handle(topics.taps(OP, deviceId), Buffer.from(payload));
    expect(acks).toHaveLength(before + 1);
    return acks[acks.length - 1]!.results.map((r) => ({
      seq: Number(r.seq),
      reason: r.reason,
      chargedFen: Number(r.chargedFen),
      duplicate: r.duplicate,
    }));
  }

  async function refused(reason: string): Promise<number> {
    const m = await metrics.tapsRefused.get();
    return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }

  /** Taps committed by outcome and reason, and redeliveries: counted per batch (docs/decisions/0205). */
  async function counted(outcome: string, reason: string): Promise<number> {
    const m = await metrics.taps.get();
    return m.values.find((v) => v.labels.outcome === outcome && v.labels.reason === reason)?.value ?? 0;
  }

  it('refuses a route the device is not registered for: recorded, not charged, counted, reported', async () => {
    const dev = uniqueId('bus');
    await register(dev);
    const before = await issue(store, 1, 1_000);
    const results = await send(dev, [
      { seq: 1, routeId: '101', card: 1 },
      { seq: 2, routeId: 'bus-1', card: 1 },
      { seq: 3, routeId: 'no-such-route', card: 1 },
    ]);
    expect(results).toEqual([
      { seq: 1, reason: v1.Reason.REASON_OK, chargedFen: 100, duplicate: false },
      { seq: 2, reason: v1.Reason.REASON_LOCATION_NOT_ALLOWED, chargedFen: 0, duplicate: false },
      { seq: 3, reason: v1.Reason.REASON_LOCATION_NOT_ALLOWED, chargedFen: 0, duplicate: false },
    ]);
    // Only the ride on route 101 moved the card (one version, 100 fen: the card's 50 % off).
    const after = await load(store, token(1));
    expect({ balance: after.balanceFen, version: after.version }).toEqual({
      balance: 900,
      version: before.version + 1,
    });
    const records = (await store.queryRecords({ deviceId: dev, limit: 10 })).items;
    expect(
      records
        .map((r) => [r.seq, r.routeId, r.outcome, r.reason, r.chargedFen])
        .sort((a, b) => +a[0]! - +b[0]!),
    ).toEqual([
      [1, '101', 'charged', 'OK', 100],
      [2, 'bus-1', 'recorded', 'LOCATION_NOT_ALLOWED', 0],
      [3, 'no-such-route', 'recorded', 'LOCATION_NOT_ALLOWED', 0],
    ]);
    expect(await refused('LOCATION_NOT_ALLOWED')).toBe(2);
    expect([await counted('charged', 'OK'), await counted('recorded', 'LOCATION_NOT_ALLOWED')]).toEqual([
      1, 2,
    ]);
    const findings = await store.findings({ limit: 10 });
    expect(findings.map((f) => [f.seq, f.kind, f.reason, f.action, f.routeId, f.chargedFen]).sort()).toEqual([
      [2, 'location_not_allowed', 'LOCATION_NOT_ALLOWED', 'marked', 'bus-1', 0],
      [3, 'location_not_allowed', 'LOCATION_NOT_ALLOWED', 'marked', 'no-such-route', 0],
    ]);
    expect(findings.every((f) => f.deviceId === dev && f.operatorId === OP)).toBe(true);
  });

  it('answers a redelivered batch with the same refusal, counting and reporting it once', async () => {
    const dev = uniqueId('bus');
    await register(dev);
    await issue(store, 2, 1_000);
    const first = await send(dev, [{ seq: 1, routeId: 'bus-1', card: 2 }]);
    const again = await send(dev, [{ seq: 1, routeId: 'bus-1', card: 2 }]);
    expect(again).toEqual([{ ...first[0]!, duplicate: true }]);
    expect(await refused('LOCATION_NOT_ALLOWED')).toBe(1);
    expect(await counted('recorded', 'LOCATION_NOT_ALLOWED')).toBe(1);
    expect((await metrics.tapsDuplicate.get()).values[0]?.value).toBe(1);
    expect(await store.findings({ limit: 10 })).toHaveLength(1);
    expect((await load(store, token(2))).balanceFen).toBe(1_000);
  });

  it('lets a device report the extra routes of its registration', async () => {
    const dev = uniqueId('bus');
    await register(dev, { routes: ['102'] });
    await issue(store, 3, 1_000);
    const results = await send(dev, [
      { seq: 1, routeId: '102', card: 3 },
      { seq: 2, routeId: '103', card: 3 },
    ]);
    expect(results.map((r) => [r.reason, r.chargedFen])).toEqual([
      [v1.Reason.REASON_OK, 100],
      [v1.Reason.REASON_LOCATION_NOT_ALLOWED, 0],
    ]);
  });

  it('never gives a silent free ride where the tariff prices nothing: not priced, counted, reported', async () => {
    // Registered on route bus-1 (allowed), whose board taps no rule of the tariff prices; and a
    // device of an operator no network names, on a route the tariff does not know.
    const dev = uniqueId('bus');
    await register(dev, { routeId: 'bus-1' });
    await issue(store, 4, 1_000);
    expect(await send(dev, [{ seq: 1, routeId: 'bus-1', card: 4 }])).toEqual([
      { seq: 1, reason: v1.Reason.REASON_LOCATION_NOT_PRICED, chargedFen: 0, duplicate: false },
    ]);
    expect(await refused('LOCATION_NOT_PRICED')).toBe(1);
    expect((await store.findings({ limit: 10 })).map((f) => [f.kind, f.routeId])).toEqual([
      ['location_not_priced', 'bus-1'],
    ]);
    const record = (await store.queryRecords({ deviceId: dev, limit: 10 })).items[0]!;
    expect(record).toMatchObject({ outcome: 'recorded', reason: 'LOCATION_NOT_PRICED', chargedFen: 0 });
    expect(record.reason).not.toBe('TARIFF_NO_FARE_RULE');
  });

  it('refuses a visit at a venue the gate is not registered at, and does not count it as a use', async () => {
    const dev = uniqueId('turnstile');
    await register(dev, { profile: 'scenic_turnstile', routeId: '', venueId: 'park-a' });
    await issue(store, 5, 1_000);
    const visit = (venueId: string) => ({
      location: { venueId },
      direction: v1.Direction.DIRECTION_ENTRY,
      reason: v1.Reason.REASON_TICKET_ADMITTED,
      entitlementId: 'ticket-1',
    });
    // The single-use ticket, first claimed at another venue, then used at the gate's own.
    expect(await send(dev, [{ seq: 1, card: 5, tap: visit('park-b') }])).toMatchObject([
      { reason: v1.Reason.REASON_LOCATION_NOT_ALLOWED, chargedFen: 0 },
    ]);
    expect(await send(dev, [{ seq: 2, card: 5, tap: visit('park-a') }])).toMatchObject([
      { reason: v1.Reason.REASON_TICKET_ADMITTED, chargedFen: 0 },
    ]);
    const records = (await store.queryRecords({ deviceId: dev, limit: 10 })).items;
    expect(records.map((r) => [r.seq, r.kind, r.venueId, r.reason]).sort()).toEqual([
      [1, 'visit', 'park-b', 'LOCATION_NOT_ALLOWED'],
      [2, 'visit', 'park-a', 'TICKET_ADMITTED'],
    ]);
    expect((await store.findings({ limit: 10 })).map((f) => [f.kind, f.venueId])).toEqual([
      ['location_not_allowed', 'park-b'],
    ]);
  });
});
