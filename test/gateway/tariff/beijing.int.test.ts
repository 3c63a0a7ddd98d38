// The gateway with its default tariff (Beijing) against the real Mosquitto and the SQLite store:
// a metro journey from two gates, a missing tap-out charged on the next tap and corrected by the
// late exit, all explained line by line in the acks and the records API.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { cardToken } from '../../../core/pii.js';
import { topics } from '../../../core/topics.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { type BatchAck, v1 } from '../../../protos/wire.js';
import { uniqueId } from '../../support/env.js';
import { startTestGateway, until } from '../../support/gateway.js';
import { connectAsService } from '../../support/mqtt.js';
import { bearerFor } from '../../support/operators.js';
import { publicKeyOf, signedBatch } from '../../support/signing.js';

const KEY = 'b2'.repeat(32);
const OP = 'bj-metro';
type Station = 'pingguoyuan' | 'xidan' | 'guomao';
type Dir = 'entry' | 'exit';
const gates = new Map<string, string>();
const gate = (station: Station, dir: Dir) => {
  const key = `${station}-${dir}`;
  if (!gates.has(key)) gates.set(key, uniqueId(`gate-${key}`));
  return gates.get(key)!;
};
const stations: [Station, Dir][] = [
  ['pingguoyuan', 'entry'],
  ['xidan', 'entry'],
  ['xidan', 'exit'],
  ['guomao', 'exit'],
];
let gw: Gateway;
let client: MqttClient;
const acks: BatchAck[] = [];
const T = Date.UTC(2025, 5, 2, 0, 0); // 08:00 in Beijing

/** Operator calls go as the admin. */
let auth = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: (await r.json()) as T };
}

async function gateTap(station: Station, seq: number, dir: Dir, at: number, card: string) {
  const deviceId = gate(station, dir);
  const tap = {
    seq,
    deviceTimeMs: at,
    credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
    cardToken: cardToken(Buffer.from(KEY, 'hex'), card),
    issuingRegion: '110000',
    location: { stationId: `bj-${station}` },
    direction: dir === 'entry' ? v1.Direction.DIRECTION_ENTRY : v1.Direction.DIRECTION_EXIT,
    decision: v1.Decision.DECISION_ALLOW,
    reason: v1.Reason.REASON_OK,
  };
  const payload = signedBatch({
    deviceId,
    operatorId: OP,
    taps: [tap],
    sentAtMs: Date.now(),
  });
  await client.publishAsync(topics.taps(OP, deviceId), Buffer.from(payload), { qos: 1 });
  return until(
    `ack ${deviceId}:${seq}`,
    () => acks.find((a) => a.deviceId === deviceId && Number(a.toSeq) === seq)?.results[0],
  );
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-tariff-'));
  // No tariff given: the default is the shipped Beijing tariff.
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: KEY,
    },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
  client = await connectAsService('gates');
  client.on('message', (_topic, payload) => acks.push(v1.BatchAck.decode(payload)));
  for (const [station, dir] of stations) {
    const deviceId = gate(station, dir);
    await client.subscribeAsync(topics.ack(OP, deviceId), { qos: 1 });
    const profile = dir === 'entry' ? 'metro_entry_gate' : 'metro_exit_gate';
    const r = await call('POST', '/v1/devices', {
      publicKey: publicKeyOf(deviceId),
      deviceId,
      operatorId: OP,
      profile,
      stationId: `bj-${station}`,
    });
    expect(r.status).toBeLessThan(300);
  }
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
});

describe('gateway with the Beijing tariff (SQLite store, real Mosquitto)', () => {
  it('says which tariff it uses, and where its rules come from', async () => {
    const r = await call<{ id: string; sources: string[]; networks: { id: string }[] }>('GET', '/v1/tariff');
    expect(r.status).toBe(200);
    expect(r.body.id).toBe('beijing-2014');
    expect(r.body.sources[0]).toContain('京发改〔2014〕2526号');
    expect(r.body.networks.map((n) => n.id)).toEqual(['bj-metro', 'bj-bus', 'bj-bus-distance']);
  });

  it('charges a metro journey by distance at the exit gate and explains it in the record', async () => {
    const issued = await call<{ token: string }>('POST', '/v1/cards', {
      cardNumber: 'B20000001',
      region: '110000',
      balanceFen: 2000,
    });
    const entry = await gateTap('pingguoyuan', 1, 'entry', T, 'B20000001');
    expect([Number(entry.chargedFen), entry.reason]).toEqual([0, v1.Reason.REASON_ENTRY_RECORDED]);
    const exit = await gateTap('xidan', 1, 'exit', T + 40 * 60_000, 'B20000001');
    expect([Number(exit.chargedFen), Number(exit.balanceAfterFen)]).toEqual([500, 1500]);
    const page = await call<{ items: LedgerRecord[] }>(
      'GET',
      `/v1/records?card=${issued.body.token}&limit=5`,
    );
    expect(page.body.items[0]).toMatchObject({
      id: `tap:${gate('xidan', 'exit')}:1`,
      chargedFen: 500,
      baseFen: 500,
      lines: [{ kind: 'base', fen: 500, note: '18.5 km, band up to 22 km' }],
    });
  });

  it('charges a missing tap-out on the next entry and gives it back when the late exit arrives', async () => {
    await call('POST', '/v1/cards', { cardNumber: 'B20000002', region: '110000', balanceFen: 2000 });
    await gateTap('pingguoyuan', 2, 'entry', T, 'B20000002');
    const next = await gateTap('xidan', 2, 'entry', T + 6 * 3600_000, 'B20000002');
    expect([Number(next.chargedFen), next.reason]).toEqual([700, v1.Reason.REASON_TARIFF_MISSING_TAP_OUT]);
    // The Guomao gate was offline: its exit (device time 08:50) arrives now.
    const late = await gateTap('guomao', 1, 'exit', T + 50 * 60_000, 'B20000002');
    expect([Number(late.chargedFen), Number(late.balanceAfterFen), late.reason]).toEqual([
      -100,
      1400,
      v1.Reason.REASON_TARIFF_LATE_TAP_CORRECTED,
    ]);
  });
});
