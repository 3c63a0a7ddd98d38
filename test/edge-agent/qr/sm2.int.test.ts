// A gateway whose QR issuer key is SM2 over SM3 (key id 200, decision 0164), with an Ed25519 key
// still published, and a device configured from GET /v1/qr/keys: the holder's credential comes
// over HTTP signed with SM2, and the device admits its code with no network.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sm2PrivateKey } from '../../../core/sm2.js';
import { type Agent, startAgent } from '../../../edge-agent/src/agent.js';
import { ManualReader } from '../../../edge-agent/src/reader/simulated.js';
import type { Gateway } from '../../../gateway/src/app.js';
import { ReferenceApp } from '../../support/app.js';
import { uniqueId } from '../../support/env.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';
import { edgeConfig, TOKEN_KEY_HEX } from '../support.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-qr-sm2-'));
let gw: Gateway;
let agent: Agent | undefined;
let auth = '';

beforeAll(async () => {
  ({ gw } = await startTestGateway(
    {
      tokenKeyHex: TOKEN_KEY_HEX,
      // The first key signs: SM2 now, the Ed25519 one still trusted by devices.
      qrSigningKeys: `200:${Sm2PrivateKey.generateRaw().toString('hex')},5:${'55'.repeat(32)}`,
    },
    { dir },
  ));
  auth = await bearerFor(gw.url, 'admin');
  const r = await fetch(`${gw.url}/v1/cards`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ cardNumber: 'QRSM20001', region: '500228' }),
  });
  expect(r.status).toBe(201);
});

afterAll(async () => {
  await agent?.stop();
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('QR credentials signed with SM2, gateway → app → offline device', () => {
  it('publishes both keys, issues with the SM2 one, and the device admits the code offline', async () => {
    const keys = (await (await fetch(`${gw.url}/v1/qr/keys`)).json()) as {
      signingKeyId: number;
      keys: Array<{ keyId: number; publicKey: string }>;
    };
    expect(keys.signingKeyId).toBe(200);
    expect(keys.keys.map((k) => [k.keyId, k.publicKey.length])).toEqual([
      [200, 130],
      [5, 64],
    ]);
    const app = new ReferenceApp();
    const answer = await app.fetchCredential(gw.url, 'QRSM20001', await holderBearer(gw.url, 'QRSM20001'));
    expect(answer.keyId).toBe(200);

    const reader = new ManualReader();
    agent = await startAgent(
      edgeConfig({
        deviceId: uniqueId('gate'),
        operatorId: uniqueId('op'),
        profile: 'metro_entry_gate',
        stationId: 'st-1',
        mqttUrl: 'mqtt://127.0.0.1:1',
        gatewayHttpUrl: 'http://127.0.0.1:1',
        journalFile: join(dir, `${uniqueId('j')}.db`),
        qrIssuerKeys: keys.keys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
      }),
      reader,
    );
    expect(await reader.scan(app.code())).toMatchObject({ seq: 1, decision: 'allow' });
  });
});
