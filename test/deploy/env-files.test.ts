// The environment files a city starts from (deploy/env/): every key is one the program reads,
// every value is one its schema accepts, secrets are placeholders, and the files together are a
// configuration the program starts with once the placeholders are filled in (decision 0200).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigKey, checkValue } from '../../core/config/schema.js';
import { edgeConfigSchema, loadEdgeConfig } from '../../edge-agent/src/config.js';
import { configSchema, loadGatewayConfig } from '../../gateway/src/config.js';
import { deployDir, parseEnvFile, placeholders, read, root } from './files.js';

const envDir = join(deployDir, 'env');

/** What the tests put where a file has a placeholder: well-formed, obviously not real. */
const fills: Record<string, string> = {
  TOKEN_KEY: 'ab'.repeat(32),
  LIST_SIGNING_KEY: 'cd'.repeat(32),
  AUTH_KEY: 'ef'.repeat(32),
  MQTT_PASSWORD: 'p'.repeat(43),
  PG_PASSWORD: 'pgpass',
  DEVICE_ID: 'bus-0001',
  ROUTE_ID: '300',
  GATEWAY_CREDENTIAL: `bus-0001.${'A'.repeat(43)}`,
  LIST_PUBLIC_KEYS: `k1:${'12'.repeat(32)}`,
};

function filled(value: string): string {
  return value.replace(/@([A-Z][A-Z0-9_]*)@/g, (_, name: string) => {
    const v = fills[name];
    if (v === undefined) throw new Error(`placeholder @${name}@ has no test value: add one to fills`);
    return v;
  });
}

function envFile(name: string): Map<string, string> {
  const { values, problems } = parseEnvFile(read(join(envDir, name)));
  expect(problems, name).toEqual([]);
  return values;
}

const byEnv = (schema: Record<string, ConfigKey>) =>
  new Map(Object.values(schema).map((k) => [k.env, k] as const));
const gatewayKeys = byEnv(configSchema);
const edgeKeys = byEnv(edgeConfigSchema);

/** The history process reads its own few variables (gateway/src/history/main.ts) and no schema. */
const historyOwn = new Set(
  [
    ...read(join(root, 'gateway/src/history/main.ts')).matchAll(
      /(?:process\.env\.|\(\s*')(ONECARD_[A-Z_]+)/g,
    ),
  ].map((m) => m[1]!),
);

/** Problems of one file's keys and values against the keys its program knows. */
function problemsOf(values: Map<string, string>, known: Map<string, ConfigKey>, own = new Set<string>()) {
  const problems: string[] = [];
  for (const [env, raw] of values) {
    const key = known.get(env);
    if (!key) {
      if (own.has(env)) {
        if (!/^\d+$|^[A-Za-z0-9_.-]+$/.test(raw)) problems.push(`${env}: "${raw}"`);
        continue;
      }
      problems.push(`${env} is not a setting of this program`);
      continue;
    }
    if (key.secret) {
      // A real secret never goes into the repository; a forgotten placeholder must stop the
      // program rather than run with a known key (where the key has a form to check).
      if (!/^@[A-Z][A-Z0-9_]*@$/.test(raw)) problems.push(`${env} is a secret: write a placeholder`);
      else if (key.kind === 'string' && key.pattern && checkValue(key, raw).ok)
        problems.push(`${env}: the placeholder itself would be accepted`);
    }
    const checked = checkValue(key, filled(raw));
    if (!checked.ok) problems.push(`${env}: ${checked.problem}`);
  }
  return problems;
}

/** The gateway unit's Environment= defaults for instance `n`. */
function unitDefaults(n: string): Record<string, string> {
  const unit = read(join(deployDir, 'systemd/onecard-gateway@.service'));
  const line = /^Environment=(.*)$/m.exec(unit)?.[1] ?? '';
  return Object.fromEntries(
    line
      .split(' ')
      .filter((p) => p !== '')
      .map((p) => p.replaceAll('%i', n).split('=', 2) as [string, string]),
  );
}

const gatewayInstances = readdirSync(envDir).filter((f) => /^gateway-\d+\.env$/.test(f));

describe('deploy/env', () => {
  it('has a file for each program and one per gateway instance', () => {
    expect(readdirSync(envDir).filter((f) => f.endsWith('.env'))).toEqual(
      expect.arrayContaining([
        'gateway.env',
        'history.env',
        'edge-agent.env',
        'gateway-1.env',
        'gateway-2.env',
      ]),
    );
  });

  it.each(['gateway.env', ...gatewayInstances])('%s: known gateway keys, values the schema accepts', (f) => {
    expect(problemsOf(envFile(f), gatewayKeys)).toEqual([]);
  });

  it.each(gatewayInstances)('gateway.env + %s + the unit defaults: the gateway starts with them', (f) => {
    const n = /\d+/.exec(f)![0];
    const env = { ...unitDefaults(n), ...Object.fromEntries(envFile('gateway.env')) };
    for (const [k, v] of envFile(f)) env[k] = v;
    const config = loadGatewayConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, filled(v)])));
    // One MQTT user per instance (decision 0170): the username is the client id.
    expect(config.mqttUsername).toBe(`gateway-${n}`);
    expect(config.instanceId).toBe(`gateway-${n}`);
    expect(config.store).toBe('redis');
  });

  it('gateway instances do not share an HTTP port', () => {
    const ports = gatewayInstances.map((f) => envFile(f).get('ONECARD_HTTP_PORT'));
    expect(new Set(ports).size).toBe(gatewayInstances.length);
  });

  it('history.env: keys the history process reads, values the schema accepts', () => {
    expect(historyOwn).toContain('ONECARD_HISTORY_RETENTION_DAYS');
    expect(problemsOf(envFile('history.env'), gatewayKeys, historyOwn)).toEqual([]);
    for (const required of ['ONECARD_PG_URL', 'ONECARD_KAFKA_BROKERS'])
      expect(envFile('history.env').get(required)).toBeTruthy();
  });

  it('edge-agent.env: known edge keys, and the agent starts with them', () => {
    const values = envFile('edge-agent.env');
    expect(problemsOf(values, edgeKeys)).toEqual([]);
    const config = loadEdgeConfig({
      env: Object.fromEntries([...values].map(([k, v]) => [k, filled(v)])),
    });
    expect(config.journalFile.startsWith('/var/lib/onecard-edge/')).toBe(true);
  });

  it('finds what it must refuse: an unknown key, a real-looking secret, a value out of form', () => {
    const bad = new Map([
      ['ONECARD_NO_SUCH_KEY', '1'],
      ['ONECARD_TOKEN_KEY', 'ab'.repeat(32)],
      ['ONECARD_HTTP_PORT', '70000'],
    ]);
    expect(problemsOf(bad, gatewayKeys)).toEqual([
      'ONECARD_NO_SUCH_KEY is not a setting of this program',
      'ONECARD_TOKEN_KEY is a secret: write a placeholder',
      'ONECARD_HTTP_PORT: 70000 is outside 0..65535',
    ]);
    expect(parseEnvFile('A="b"\nB=1\nB=2\n').problems).toHaveLength(2);
    expect(placeholders(read(join(envDir, 'gateway.env')))).toContain('TOKEN_KEY');
  });
});
