// A concession the tariff defines, end to end (docs/decisions/0186): the tariff file names it
// and lets it ride free; the card API issues a card holding it; the flags list carries it to a
// real device (real broker, HTTP, the SQLite store), which decides the ride free offline-capable;
// the tap goes up and the gateway prices it with the tariff's rider category. The holder's
// e-card QR code carries the same byte, so it is decided the same way (decision 0070).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import type { TariffDoc } from '../../../core/tariff/model.js';
import { type AckEvent, type Agent, startAgent } from '../../../edge-agent/src/agent.js';
import { ManualReader } from '../../../edge-agent/src/reader/simulated.js';
import type { DecisionEvent } from '../../../edge-agent/src/verifier.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { ListSigner } from '../../../gateway/src/lists/signer.js';
import { beijingDoc } from '../../core/tariff/support.js';
import { ReferenceApp } from '../../support/app.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';
import { publicKeyOf } from '../../support/signing.js';
import { until } from '../fake-gateway.js';
import { edgeConfig, TOKEN_KEY_HEX } from '../support.js';

// A list key of this suite's own: other suites' deltas on the shared broker do not verify here.
const seed = randomBytes(32).toString('hex');
const keyId = uniqueId('k').slice(0, 32);
const listKeys = `${keyId}:${new ListSigner(seed, keyId).publicKeyHex()}`;

/** Beijing's tariff with one concession of its own: blood donors (无偿献血者) ride the buses free. */
function donorTariff(): TariffDoc {
  const doc = beijingDoc();
  return {
    ...doc,
    concessions: [{ id: 'BLOOD_DONOR', name: '无偿献血者 / blood donor', bit: 256 }],
    riderCategories: [
      ...doc.riderCategories,
      {
        id: 'blood_donor_free',
        name: '无偿献血者 / blood donor',
        eligibleFlags: ['BLOOD_DONOR'],
        networkIds: ['bj-bus'],
        discount: { kind: 'free' },
      },
    ],
  };
}

let dir: string;
let gw: Gateway;
let agent: Agent | undefined;
let auth = '';

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
  dir = mkdtempSync(join(tmpdir(), 'onecard-concession-int-'));
  const tariff = join(dir, 'tariff.json');
  writeFileSync(tariff, JSON.stringify(donorTariff()));
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: TOKEN_KEY_HEX,
      listSigningKeyHex: seed,
      listKeyId: keyId,
      tariff,
      qrSigningKeys: `6:${'66'.repeat(32)}`,
    },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
});

afterAll(async () => {
  await agent?.stop();
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a concession the tariff defines', () => {
  it('reaches the device with the flags list, is decided free there and priced free by the gateway', async () => {
    const donorNumber = uniqueId('D').slice(0, 18);
    const plainNumber = uniqueId('P').slice(0, 18);
    const donor = await call<{ token: string; concessions: string[] }>('POST', '/v1/cards', {
      cardNumber: donorNumber,
      region: '110000',
      concessions: ['BLOOD_DONOR'],
      balanceFen: 1_000,
    });
    expect(donor.concessions).toEqual(['BLOOD_DONOR']);
    await call('POST', '/v1/cards', { cardNumber: plainNumber, region: '110000', balanceFen: 1_000 });

    const base = edgeConfig({
      deviceId: uniqueId('bus'),
      operatorId: 'bj-bus',
      routeId: uniqueId('route'),
      mqttUrl: testEnv.mqttUrl(),
      mqttReconnectMs: 200,
      gatewayHttpUrl: gw.url,
      journalFile: join(dir, `${uniqueId('j')}.db`),
      listKeys,
      denyResyncRetryMs: 200,
      batchMaxDelayMs: 20,
    });
    const qrKeys = await call<{ keys: Array<{ keyId: number; publicKey: string }> }>('GET', '/v1/qr/keys');
    const { credential } = await call<{ credential: string }>('POST', '/v1/devices', {
      publicKey: publicKeyOf(base.deviceId),
      deviceId: base.deviceId,
      operatorId: base.operatorId,
      profile: base.profile,
      routeId: base.routeId,
    });
    const reader = new ManualReader();
    const qrIssuerKeys = qrKeys.keys.map((k) => `${k.keyId}:${k.publicKey}`).join(',');
    agent = await startAgent({ ...base, gatewayCredential: credential, qrIssuerKeys }, reader);
    const decisions: DecisionEvent[] = [];
    const acks: AckEvent[] = [];
    agent.events.on('decision', (d) => decisions.push(d));
    agent.events.on('ack', (a) => acks.push(a));

    // The device holds no name for it, only what it decides with: "rides free under the tariff".
    await until('the flags list', () =>
      agent!.cardFacts(donor.token, '110000').flags === 16 ? true : undefined,
    );
    await until('link up', () => agent!.online());

    expect(reader.tap(donorNumber, '110000')?.decision).toBe('allow');
    expect(reader.tap(plainNumber, '110000')?.decision).toBe('allow');
    expect(decisions.map((d) => d.reason)).toEqual(['CONCESSION_FREE', 'OK']);
    // The holder's e-card: the credential the gateway signs holds the flags list's byte.
    const app = new ReferenceApp();
    await app.fetchCredential(gw.url, donorNumber, await holderBearer(gw.url, donorNumber));
    expect((await reader.scan(app.code())).decision).toBe('allow');
    expect(decisions[2]?.reason).toBe('CONCESSION_FREE');

    const results = await until('both taps acked', () => {
      const all = acks.flatMap((a) => a.results);
      return all.length >= 3 ? all : undefined;
    });
    const bySeq = new Map(results.map((r) => [r.seq, r]));
    expect(bySeq.get(decisions[0]!.seq)).toMatchObject({
      outcome: 'charged',
      chargedFen: 0,
      reason: 'CONCESSION_FREE',
    });
    const plain = bySeq.get(decisions[1]!.seq);
    expect(plain).toMatchObject({ outcome: 'charged', reason: 'OK' });
    expect(plain!.chargedFen).toBeGreaterThan(0);

    expect(bySeq.get(decisions[2]!.seq)).toMatchObject({ chargedFen: 0, reason: 'CONCESSION_FREE' });

    const page = await call<{ items: LedgerRecord[] }>('GET', `/v1/cards/${donor.token}/records?limit=10`);
    expect(page.items.map((r) => [r.credential, r.concession, r.chargedFen])).toEqual([
      ['qr', 'blood_donor_free', 0],
      ['card', 'blood_donor_free', 0],
    ]);
    expect(page.items[1]!.subsidyFen).toBe(plain!.chargedFen);
  });
});
