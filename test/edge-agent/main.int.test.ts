// The runnable agent as a child process: stdin reader, one stdout line per decision, a clean
// stop on SIGTERM, and a configuration error that names every problem.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devicePublicKeyHex } from '../../core/device-keys.js';
import { testEnv, uniqueId } from '../support/env.js';
import { LIST_KEYS } from '../support/lists.js';
import { FakeGateway, until } from './fake-gateway.js';
import { TOKEN_KEY_HEX } from './support.js';

function run(args: string[], env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(testEnv.root, 'edge-agent/src/main.ts'), ...args],
    {
      cwd: testEnv.root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

describe('edge agent process (edge-agent/src/main.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'onecard-edge-main-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('decides taps read from stdin, prints one line per decision without the card number, and stops cleanly on SIGTERM', async () => {
    const deviceId = uniqueId('dev');
    const operatorId = uniqueId('op');
    const gateway = await FakeGateway.connect(testEnv.mqttUrl(), operatorId, deviceId);
    const configFile = join(dir, 'edge.json');
    writeFileSync(
      configFile,
      JSON.stringify({ profile: 'metro_entry_gate', stationId: 'st-7', batchMaxDelayMs: 10 }),
    );
    const proc = run(['--config', configFile], {
      ONECARD_EDGE_DEVICE_ID: deviceId,
      ONECARD_EDGE_OPERATOR_ID: operatorId,
      ONECARD_EDGE_TOKEN_KEY: TOKEN_KEY_HEX,
      ONECARD_EDGE_LIST_KEYS: LIST_KEYS,
      ONECARD_EDGE_MQTT_URL: testEnv.mqttUrl(),
      ONECARD_EDGE_MQTT_PASSWORD: gateway.device.password,
      ONECARD_EDGE_GATEWAY_HTTP_URL: 'http://127.0.0.1:1',
      ONECARD_EDGE_JOURNAL_FILE: join(dir, 'journal.db'),
      ONECARD_EDGE_LOG_LEVEL: 'info',
    });
    try {
      await until('agent online', () => proc.stdout.some((l) => l.includes('"event":"online"')), 30_000);
      proc.child.stdin.write('A12345678 500228\nB87654321\n');
      const decisions = await until('two decision lines', () => {
        const d = proc.stdout.filter((l) => l.includes('"event":"decision"')).map((l) => JSON.parse(l));
        return d.length === 2 ? d : undefined;
      });
      expect(decisions.map((d) => [d.seq, d.decision, d.reason])).toEqual([
        [1, 'allow', 'ENTRY_RECORDED'],
        [2, 'allow', 'ENTRY_RECORDED'],
      ]);
      expect(decisions[0].token).toMatch(/^[0-9a-f]{8}$/);
      await until('taps at the gateway', () => gateway.seqs().length === 2);
      expect(gateway.taps.map((t) => t.location?.stationId)).toEqual(['st-7', 'st-7']);

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      const everything = [...proc.stdout, ...proc.stderr].join('\n');
      expect(everything).not.toContain('12345678');
      expect(everything).not.toContain('87654321');
      // The key pair made at first start: the log names the public key, never the private one.
      const privateKey = readFileSync(join(dir, 'journal.db.key'), 'utf8').trim();
      expect(everything).toContain(`"publicKey":"${devicePublicKeyHex(privateKey)}"`);
      expect(everything).not.toContain(privateKey);
      await until('offline status', () => gateway.statuses.at(-1)?.online === false);
    } finally {
      proc.child.kill('SIGKILL');
      await gateway.close();
    }
  });

  it('prints its public key for enrolment, making the key file (mode 0600) on first use only', async () => {
    const env = {
      ONECARD_EDGE_DEVICE_ID: uniqueId('dev'),
      ONECARD_EDGE_OPERATOR_ID: uniqueId('op'),
      ONECARD_EDGE_PROFILE: 'bus_validator',
      ONECARD_EDGE_ROUTE_ID: 'r1',
      ONECARD_EDGE_TOKEN_KEY: TOKEN_KEY_HEX,
      ONECARD_EDGE_LIST_KEYS: LIST_KEYS,
      ONECARD_EDGE_DEVICE_KEY_FILE: join(dir, 'keys', 'device.key'),
    };
    const first = run(['--print-public-key'], env);
    expect(await first.exited).toBe(0);
    const privateKey = readFileSync(env.ONECARD_EDGE_DEVICE_KEY_FILE, 'utf8').trim();
    expect(statSync(env.ONECARD_EDGE_DEVICE_KEY_FILE).mode & 0o777).toBe(0o600);
    expect(first.stdout).toEqual([devicePublicKeyHex(privateKey)]);
    const second = run(['--print-public-key'], env);
    expect(await second.exited).toBe(0);
    expect(second.stdout).toEqual(first.stdout);
    // A key set in the configuration wins over the file, which it leaves alone.
    const configured = run(['--print-public-key'], { ...env, ONECARD_EDGE_DEVICE_KEY: '3c'.repeat(32) });
    expect(await configured.exited).toBe(0);
    expect(configured.stdout).toEqual([devicePublicKeyHex('3c'.repeat(32))]);
    expect(readFileSync(env.ONECARD_EDGE_DEVICE_KEY_FILE, 'utf8').trim()).toBe(privateKey);
  });

  it('refuses to start with a bad configuration and lists every problem', async () => {
    const proc = run([], { ONECARD_EDGE_PROFILE: 'metro_exit_gate', ONECARD_EDGE_BATCH_MAX_TAPS: '0' });
    expect(await proc.exited).toBe(1);
    const text = proc.stderr.join('\n');
    expect(text).toContain('The edge agent configuration has 6 problem(s)');
    expect(text).toContain('deviceId (ONECARD_EDGE_DEVICE_ID');
    expect(text).toContain('operatorId (ONECARD_EDGE_OPERATOR_ID');
    expect(text).toContain('tokenKeyHex (ONECARD_EDGE_TOKEN_KEY');
    expect(text).toContain('listKeys (ONECARD_EDGE_LIST_KEYS');
    expect(text).toContain('batchMaxTaps (ONECARD_EDGE_BATCH_MAX_TAPS');
    expect(text).toContain('stationId (ONECARD_EDGE_STATION_ID) is required for the metro_exit_gate profile');
  });
});
