// The Python conformance kit (conformance/) against a real gateway and the real Mosquitto: it
// knows only docs/topics.md and the .proto files, as a validator vendor would, so a contract the
// docs no longer describe (or a gateway that no longer keeps it) fails here. The kit runs as a
// child process with the venv scripts/conformance-venv.sh makes (test.sh makes it before the
// tests; made here when missing).
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/src/app.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { LIST_KEYS } from '../support/lists.js';
import { TEST_PASSWORD } from '../support/operators.js';

const run = promisify(execFile);
const TOKEN_KEY = '5c'.repeat(32);
const kit = join(testEnv.root, 'conformance/kit.py');
let python = '';
let gw: Gateway;
let checks: string[] = [];

interface KitRun {
  code: number;
  out: string;
  rows: Map<string, string>;
}

/** Runs the kit (its own operator id each time) and reads its table: check name → PASS/FAIL. */
async function runKit(env: Record<string, string> = {}): Promise<KitRun> {
  const result = await run(python, [kit], {
    env: {
      ...process.env,
      ONECARD_KIT_GATEWAY_URL: gw.url,
      ONECARD_KIT_USERNAME: 'admin',
      ONECARD_KIT_PASSWORD: TEST_PASSWORD,
      ONECARD_KIT_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_KIT_TOKEN_KEY: TOKEN_KEY,
      ONECARD_KIT_LIST_KEYS: LIST_KEYS,
      ONECARD_KIT_OPERATOR_ID: uniqueId('kitop'),
      ONECARD_KIT_ROUTE_ID: 'kit-route-1',
      ...env,
    },
    timeout: 120_000,
  }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code?: number; stdout?: string; stderr?: string; message: string }) => ({
      code: typeof e.code === 'number' ? e.code : -1,
      out: `${e.stdout ?? ''}\n${e.stderr ?? e.message}`,
    }),
  );
  const rows = new Map<string, string>();
  for (const line of result.out.split('\n')) {
    const m = /^(.+?)\s+(PASS|FAIL)\s{4}/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  return { ...result, rows };
}

beforeAll(async () => {
  python = execFileSync('bash', [join(testEnv.root, 'scripts/conformance-venv.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  checks = execFileSync(python, [kit, '--list-checks'], { encoding: 'utf8' }).trim().split('\n');
  ({ gw } = await startTestGateway({ tokenKeyHex: TOKEN_KEY, tariff: 'flat' }));
}, 300_000);

afterAll(async () => {
  await gw?.stop();
});

describe('the conformance kit', () => {
  it('passes every check against the gateway and Mosquitto', async () => {
    const r = await runKit();
    expect(checks.length).toBeGreaterThan(40);
    expect([...r.rows.keys()], r.out).toEqual(checks);
    expect(
      [...r.rows].filter(([, result]) => result !== 'PASS'),
      r.out,
    ).toEqual([]);
    expect(r.out).toContain(`${checks.length} passed, 0 failed`);
    expect(r.code, r.out).toBe(0);
  });

  it('fails, and exits non-zero, when the list key is not the gateway’s', async () => {
    const other = `${LIST_KEYS.split(':')[0]}:${'ab'.repeat(32)}`;
    const r = await runKit({ ONECARD_KIT_LIST_KEYS: other });
    expect(r.rows.get('lists: flags snapshot verifies (Ed25519)'), r.out).toBe('FAIL');
    expect(r.out).toContain('signature does not verify');
    // Acks are signed with the list key too (docs/decisions/0174): a device holding the wrong
    // key deletes nothing, and the kit says so where it waits for an ack.
    expect(r.rows.get('taps: one tap charged once'), r.out).toBe('FAIL');
    expect(r.out).toContain("the ack's signature does not verify");
    expect(r.code, r.out).toBe(1);
  });
});
