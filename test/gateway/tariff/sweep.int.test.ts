// The missing tap-out sweep (docs/decisions/0113) in a gateway with the Beijing tariff, the
// SQLite store and the real Mosquitto: a card enters the metro and never taps again; once 4
// hours have passed (the sweepers' clock is set by the test) the maximum fare is charged once,
// however many sweeps run and on how many instances, and the exit that arrives late from an
// offline gate corrects it.
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { cardToken } from '../../../core/pii.js';
import { topics } from '../../../core/topics.js';
import type { Gateway } from '../../../gateway/src/app.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { readTariff, tariffPath } from '../../../gateway/src/tariff/load.js';
import { MissingTapOutSweeper } from '../../../gateway/src/tariff/sweep.js';
import { type BatchAck, v1 } from '../../../protos/wire.js';
import { uniqueId } from '../../support/env.js';
import { startTestGateway, until } from '../../support/gateway.js';
import { connectAsService } from '../../support/mqtt.js';
import { bearerFor } from '../../support/operators.js';
import { publicKeyOf, signedBatch } from '../../support/signing.js';

const KEY = 'b3'.repeat(32);
const OP = 'bj-metro';
const MIN = 60_000;
const T = Date.UTC(2025, 5, 2, 0, 0); // 08:00 in Beijing
const tariff = readTariff(tariffPath('beijing'));
const ENTRY = uniqueId('gate-pingguoyuan-in');
const EXIT = uniqueId('gate-guomao-out');

interface Running {
  gw: Gateway;
  dir: string;
  auth: string;
}
let client: MqttClient;
const acks: BatchAck[] = [];

async function start(tapOutSweepSec: number): Promise<Running> {
  const { gw, dir } = await startTestGateway({ tokenKeyHex: KEY, tapOutSweepSec });
  const auth = await bearerFor(gw.url, 'admin');
  for (const [deviceId, profile, stationId] of [
    [ENTRY, 'metro_entry_gate', 'bj-pingguoyuan'],
    [EXIT, 'metro_exit_gate', 'bj-guomao'],
  ] as const) {
    const r = await call({ gw, dir, auth }, 'POST', '/v1/devices', {
      publicKey: publicKeyOf(deviceId),
      deviceId,
      operatorId: OP,
      profile,
      stationId,
    });
    expect(r.status).toBeLessThan(300);
  }
  return { gw, dir, auth };
}

async function call<T>(at: Running, method: string, path: string, body?: unknown) {
  const r = await fetch(`${at.gw.url}${path}`, {
    method,
    headers: { authorization: at.auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as T };
}

async function issue(at: Running, cardNumber: string): Promise<string> {
  const r = await call<{ token: string }>(at, 'POST', '/v1/cards', {
    cardNumber,
    region: '110000',
    balanceFen: 2000,
  });
  expect(r.status).toBe(201);
  return r.body.token;
}

async function gateTap(deviceId: string, seq: number, direction: 'entry' | 'exit', at: number, card: string) {
  const payload = signedBatch({
    deviceId,
    operatorId: OP,
    taps: [
      {
        seq,
        deviceTimeMs: at,
        credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
        cardToken: cardToken(Buffer.from(KEY, 'hex'), card),
        issuingRegion: '110000',
        location: { stationId: deviceId === ENTRY ? 'bj-pingguoyuan' : 'bj-guomao' },
        direction: direction === 'entry' ? v1.Direction.DIRECTION_ENTRY : v1.Direction.DIRECTION_EXIT,
        decision: v1.Decision.DECISION_ALLOW,
        reason: v1.Reason.REASON_OK,
      },
    ],
    sentAtMs: Date.now(),
  });
  await client.publishAsync(topics.taps(OP, deviceId), Buffer.from(payload), { qos: 1 });
  return until(
    `ack ${deviceId}:${seq}`,
    () => acks.find((a) => a.deviceId === deviceId && Number(a.toSeq) === seq)?.results[0],
  );
}

const records = async (at: Running, token: string) =>
  (await call<{ items: LedgerRecord[] }>(at, 'GET', `/v1/records?card=${token}&limit=20`)).body.items;

const balance = async (at: Running, token: string) =>
  (await call<{ balanceFen: number }>(at, 'GET', `/v1/cards/${token}`)).body.balanceFen;

beforeAll(async () => {
  client = await connectAsService('gates');
  client.on('message', (_topic, payload) => acks.push(v1.BatchAck.decode(payload)));
  for (const deviceId of [ENTRY, EXIT]) await client.subscribeAsync(topics.ack(OP, deviceId), { qos: 1 });
});

afterAll(async () => {
  await client?.endAsync();
});

describe('missing tap-out sweep with the Beijing tariff (SQLite store, real Mosquitto)', () => {
  let at: Running;
  let second: Store;
  let clock = T;
  const sweeper = (store: Store) =>
    new MissingTapOutSweeper({
      store,
      tariff,
      log: pino({ level: 'silent' }),
      now: () => clock,
      intervalMs: 60_000,
    });

  beforeAll(async () => {
    at = await start(0);
    // A second gateway instance's connection to the same database file.
    second = await openSqliteStore({ file: join(at.dir, 'gw.db') });
  });

  afterAll(async () => {
    await second?.close();
    await at?.gw.stop();
  });

  it('charges the maximum fare once after 4 hours, then the late exit corrects it', async () => {
    const token = await issue(at, 'B30000001');
    const entry = await gateTap(ENTRY, 1, 'entry', T, 'B30000001');
    expect(entry.reason).toBe(v1.Reason.REASON_ENTRY_RECORDED);

    // A minute before the limit: nothing is due.
    clock = T + 239 * MIN;
    expect(await sweeper(at.gw.store).sweep()).toMatchObject({ charged: 0 });
    expect(await balance(at, token)).toBe(2000);

    // An hour past it: two sweeps in a row, then two instances at once.
    clock = T + 5 * 60 * MIN;
    const reports = [await sweeper(at.gw.store).sweep(), await sweeper(at.gw.store).sweep()];
    reports.push(...(await Promise.all([sweeper(at.gw.store).sweep(), sweeper(second).sweep()])));
    expect(reports.map((r) => r.charged)).toEqual([1, 0, 0, 0]);
    expect(await balance(at, token)).toBe(1300);
    const adjustments = (await records(at, token)).filter((r) => r.kind === 'adjustment');
    expect(adjustments).toEqual([
      expect.objectContaining({
        id: `sweep:${token}:${T}`,
        operatorId: OP,
        stationId: 'bj-pingguoyuan',
        at: T + 240 * MIN,
        chargedFen: 700,
        amountFen: -700,
        balanceAfterFen: 1300,
        reason: 'TARIFF_MISSING_TAP_OUT',
        lines: [expect.objectContaining({ kind: 'missing_tap_out', fen: 700 })],
      }),
    ]);

    // The Guomao exit gate was offline: its exit (device time 08:50) arrives now.
    const late = await gateTap(EXIT, 1, 'exit', T + 50 * MIN, 'B30000001');
    expect([Number(late.chargedFen), Number(late.balanceAfterFen), late.reason]).toEqual([
      -100,
      1400,
      v1.Reason.REASON_TARIFF_LATE_TAP_CORRECTED,
    ]);
    expect(await sweeper(second).sweep()).toMatchObject({ charged: 0 });
    expect(await balance(at, token)).toBe(1400);
  });

  it('does not charge the journey again when the card taps after the sweep', async () => {
    const token = await issue(at, 'B30000002');
    await gateTap(ENTRY, 2, 'entry', T, 'B30000002');
    clock = T + 5 * 60 * MIN;
    expect(await sweeper(at.gw.store).sweep()).toMatchObject({ charged: 1 });
    // Its next entry, 6 hours later, is an entry like any other.
    const next = await gateTap(ENTRY, 3, 'entry', T + 6 * 60 * MIN, 'B30000002');
    expect([Number(next.chargedFen), next.reason]).toEqual([0, v1.Reason.REASON_ENTRY_RECORDED]);
    expect(await balance(at, token)).toBe(1300);
  });
});

describe('the gateway sweeping on its own (ONECARD_TAP_OUT_SWEEP_SEC=1)', () => {
  let at: Running;

  beforeAll(async () => {
    at = await start(1);
  });

  afterAll(async () => {
    await at?.gw.stop();
  });

  it('charges an entry made more than 4 hours ago without any tap of the card', async () => {
    const token = await issue(at, 'B30000003');
    // Device time 5 hours ago on the gateway's own clock (an entry gate's delayed journal).
    await gateTap(ENTRY, 4, 'entry', Date.now() - 5 * 60 * MIN, 'B30000003');
    // Polled, as `until` does: the sweep runs every second on the gateway's timer.
    let adjustment: LedgerRecord | undefined;
    for (const end = Date.now() + 10_000; !adjustment && Date.now() < end; ) {
      adjustment = (await records(at, token)).find((r) => r.kind === 'adjustment');
      if (!adjustment) await new Promise((r) => setTimeout(r, 50));
    }
    expect(adjustment).toMatchObject({ chargedFen: 700, reason: 'TARIFF_MISSING_TAP_OUT' });
    expect(await balance(at, token)).toBe(1300);
  });
});
