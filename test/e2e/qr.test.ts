// E-card QR codes end to end with real processes: the holder's app gets its credential from a
// gateway process; an agent process, cut off from broker and gateway, verifies the app's code
// offline and admits; back online, the gateway records the scan as credential QR.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReferenceApp } from '../support/app.js';
import { testEnv, uniqueId } from '../support/env.js';
import { holderBearer } from '../support/operators.js';
import {
  type AgentProc,
  api,
  type GatewayProc,
  startAgentProcess,
  startGatewayProcess,
  waitFor,
} from './harness.js';

const procs: Array<{ kill(signal?: NodeJS.Signals): Promise<void> }> = [];
const services = (...args: string[]) =>
  execFileSync('bash', [join(testEnv.root, 'scripts/services.sh'), ...args], { stdio: 'ignore' });

afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
  services('up', 'mosquitto');
});

interface Rec {
  seq: number;
  credential: string;
  edgeDecision: string;
  edgeReason: string;
  offline: boolean;
  cardToken: string;
}

describe('e-card QR codes with real processes', () => {
  it('admits a dynamic code with no network and records it at the gateway as credential QR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onecard-e2e-qr-'));
    const env = {
      ONECARD_STORE: 'sqlite',
      ONECARD_SQLITE_FILE: join(dir, 'gw.db'),
      ONECARD_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
      ONECARD_QR_SIGNING_KEYS: `3:${'33'.repeat(32)}`,
    };
    let g: GatewayProc = await startGatewayProcess('gw-qr', env);
    procs.push(g);
    const op = uniqueId('op');
    await api(g.url, 'POST', '/v1/devices', {
      deviceId: 'museum-gate',
      operatorId: op,
      profile: 'metro_entry_gate',
      stationId: 'S1',
      venueId: 'M1',
    });
    const card = await api<{ token: string }>(g.url, 'POST', '/v1/cards', {
      cardNumber: 'E2EQR0001',
      region: '500228',
    });
    const app = new ReferenceApp();
    await app.fetchCredential(g.url, 'E2EQR0001', await holderBearer(g.url, 'E2EQR0001'));
    const keys = await api<{ keys: Array<{ keyId: number; publicKey: string }> }>(
      g.url,
      'GET',
      '/v1/qr/keys',
    );

    const gate: AgentProc = startAgentProcess({
      deviceId: 'museum-gate',
      operatorId: op,
      profile: 'metro_entry_gate',
      location: { stationId: 'S1', venueId: 'M1' },
      gatewayUrl: g.url,
      journalFile: join(dir, 'gate.db'),
      extra: { ONECARD_EDGE_QR_ISSUER_KEYS: keys.keys.map((k) => `${k.keyId}:${k.publicKey}`).join(',') },
    });
    procs.push(gate);
    await waitFor('the agent is online', () => gate.lines.some((l) => l.includes('"online"')));

    // Cut off: no gateway, no broker.
    await g.kill('SIGKILL');
    services('stop', 'mosquitto');
    await waitFor('the agent sees it is offline', () => gate.lines.some((l) => l.includes('"offline"')));
    const code = app.code();
    gate.scan(code);
    gate.scan(code);
    gate.scan(`${code.slice(0, 100)}${code[100] === 'X' ? 'Y' : 'X'}${code.slice(101)}`);
    await waitFor('three decisions', () => gate.decisions().length === 3);
    expect(gate.decisions().map((d) => [d.decision, d.reason, d.offline])).toEqual([
      ['allow', 'ENTRY_RECORDED', true],
      ['deny', 'QR_REPLAYED', true],
      ['deny', expect.stringMatching(/^QR_(CODE_)?FORGED$|^QR_MALFORMED$/), true],
    ]);

    services('up', 'mosquitto');
    g = await startGatewayProcess('gw-qr-2', env);
    procs.push(g);
    const records = await waitFor(
      'the scans reach the gateway',
      async () => {
        const page = await api<{ items: Rec[] }>(g.url, 'GET', '/v1/records?device=museum-gate');
        return page.items.length === 3 ? page.items : undefined;
      },
      60_000,
    );
    const bySeq = records.sort((a, b) => a.seq - b.seq);
    expect(bySeq.map((r) => [r.credential, r.edgeDecision, r.edgeReason, r.offline])).toEqual([
      ['qr', 'allow', 'ENTRY_RECORDED', true],
      ['qr', 'deny', 'QR_REPLAYED', true],
      ['qr', 'deny', gate.decisions()[2]!.reason, true],
    ]);
    expect(bySeq[0]!.cardToken).toBe(card.token);
  });
});
