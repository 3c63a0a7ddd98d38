// The test services run on the configuration a city starts from (decision 0200): the files
// scripts/services.sh and scripts/redis-sentinel.sh render are deploy/'s templates with values
// put in, then test-only lines; and the running Redis, Mosquitto and PostgreSQL use them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.js';
import { type SentinelSet, startSentinelSet } from '../support/redis-topology.js';
import { deployDir, matchTemplate, read, splitTestOnly } from './files.js';

const template = (path: string) => read(join(deployDir, path));
const port = (url: string) => new URL(url).port;

/** The template's values in a rendered file; fails the test when the text differs. */
function valuesIn(templatePath: string, rendered: string): Map<string, string> {
  const values = matchTemplate(template(templatePath), splitTestOnly(rendered).shipped);
  if (!values) expect(splitTestOnly(rendered).shipped).toBe(template(templatePath));
  return values!;
}

/** Directive lines of a Redis config part: [name, value as CONFIG GET shows it]. */
function directives(text: string): [string, string][] {
  const bytes: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return text
    .split('\n')
    .filter((l) => /^[a-z]/.test(l))
    .map((l) => {
      const [name, ...rest] = l.split(' ');
      let value = rest.join(' ').replace(/^"(.*)"$/, '$1');
      const size = /^(\d+)(kb|mb|gb)$/.exec(value);
      if (size) value = String(Number(size[1]) * bytes[size[2]!]!);
      return [name!, value];
    });
}

/** The node loaded onecard's module from the file its config names (docs/decisions/0232). */
async function expectModule(redis: Redis, file: string): Promise<void> {
  const modules = (await redis.call('MODULE', 'LIST')) as string[][];
  const fields = modules.map((m) => Object.fromEntries(m.flatMap((v, i) => (i % 2 ? [] : [[v, m[i + 1]]]))));
  expect(fields).toEqual([expect.objectContaining({ name: 'onecard', path: file })]);
}

/**
 * Every shipped directive (of `rendered`, or of `shipped` when the node started from a file that
 * includes it) the test-only lines leave alone has the shipped value in Redis.
 */
async function expectShippedValues(redis: Redis, rendered: string, included?: string): Promise<void> {
  const { testOnly } = splitTestOnly(rendered);
  const shipped = splitTestOnly(included ?? rendered).shipped;
  const overridden = new Set(directives(testOnly).map(([n]) => n));
  // include and loadmodule are no settings CONFIG GET shows: the module is checked by MODULE LIST.
  const checked = directives(shipped).filter(
    ([n]) => !overridden.has(n) && n !== 'include' && n !== 'loadmodule',
  );
  expect(checked.length).toBeGreaterThan(20);
  for (const [name, value] of checked) {
    const got = (await redis.config('GET', name)) as string[];
    expect([name, got[1]]).toEqual([name, value]);
  }
}

describe('services.sh: Redis from deploy/redis/redis.conf', () => {
  const redis = new Redis(testEnv.redisUrl(), { lazyConnect: true });
  afterAll(() => redis.quit());

  it('runs on the rendered template, with the shipped settings', async () => {
    const info = await redis.info('server');
    const file = /config_file:(.*)\r?\n/.exec(info)?.[1] ?? '';
    expect(file).toBe(join(testEnv.root, '.run/redis/redis.conf'));
    const rendered = readFileSync(file, 'utf8');
    const values = valuesIn('redis/redis.conf', rendered);
    expect(Object.fromEntries(values)).toEqual({
      BIND: '127.0.0.1',
      PORT: port(testEnv.redisUrl()),
      DATA_DIR: dirname(file),
      MAXMEMORY: '0',
      REDIS_MODULE: join(testEnv.root, '.run/redis-module/onecard-redis.so'),
    });
    await expectShippedValues(redis, rendered);
    await expectModule(redis, values.get('REDIS_MODULE')!);
    // What an ack promises (docs/operations.md) stays true of the test instance.
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  });
});

describe('services.sh: Mosquitto from deploy/mosquitto/', () => {
  const conf = () =>
    process.env.ONECARD_TEST_MOSQUITTO_CONF ?? join(testEnv.root, '.run/mosquitto/mosquitto.conf');

  it('runs on the rendered mosquitto.conf', () => {
    const values = valuesIn('mosquitto/mosquitto.conf', read(conf()));
    expect(values.get('MQTT_PORT')).toBe(port(testEnv.mqttUrl()));
    expect(values.get('MQTTS_PORT')).toBe(port(testEnv.mqttsUrl()));
    expect(values.get('PASSWORD_FILE')).toBe(testEnv.mqttPasswordFile());
    expect(values.get('ACL_FILE')).toBe(testEnv.mqttAclFile());
    expect(values.get('CA_FILE')).toBe(testEnv.mqttCaFile());
    // The broker the supervisor runs was started with that file.
    const pid = read(testEnv.mqttPidFile()).trim();
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(0, 3)).toEqual(['mosquitto', '-c', conf()]);
    // Under the supervisor, called as deploy/systemd/onecard-mosquitto.service calls it.
    const dir = dirname(testEnv.mqttPidFile());
    const sup = read(join(dir, 'supervisor.pid')).trim();
    const supArgv = readFileSync(`/proc/${sup}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
    expect(supArgv).toEqual(['bash', join(testEnv.root, 'scripts/mosquitto-supervise.sh'), dir, conf()]);
  });

  it('its ACL parts are the shipped device patterns and one rendered block per service user', () => {
    const parts = `${testEnv.mqttAclFile()}.d`;
    expect(read(join(parts, '00-devices.acl'))).toBe(template('mosquitto/acl'));
    const blocks = read(join(parts, '10-services.acl')).split(/(?=^# One gateway instance)/m);
    const users = blocks.map((b) => valuesIn('mosquitto/gateway-user.acl', b).get('USER'));
    expect(users).toEqual(['onecard-admin', 'gateway-1', 'gateway-2']);
  });
});

describe('services.sh: PostgreSQL with deploy/postgresql/onecard.conf', () => {
  const pool = new pg.Pool({ connectionString: testEnv.pgUrl(), max: 1 });
  afterAll(() => pool.end());

  it('takes every shipped setting from the rendered file, line for line', async () => {
    const { rows } = await pool.query<{ name: string; sourcefile: string; sourceline: number }>(
      "select name, sourcefile, sourceline from pg_settings where name = 'listen_addresses'",
    );
    const file = rows[0]!.sourcefile;
    expect(file).toBe(join(testEnv.root, '.run/postgres/onecard.conf'));
    const rendered = read(file);
    const values = valuesIn('postgresql/onecard.conf', rendered);
    expect(values.get('PORT')).toBe(port(testEnv.pgUrl()));
    const lines = splitTestOnly(rendered).shipped.split('\n');
    const expected = lines.flatMap((l, i) => {
      const m = /^([a-z_]+) = /.exec(l);
      return m ? [{ name: m[1]!, sourcefile: file, sourceline: i + 1 }] : [];
    });
    expect(expected.length).toBeGreaterThan(10);
    const got = await pool.query<{ name: string; sourcefile: string; sourceline: number }>(
      'select name, sourcefile, sourceline from pg_settings where name = any($1) order by sourceline',
      [expected.map((e) => e.name)],
    );
    expect(got.rows).toEqual(expected);
  });
});

describe('redis-sentinel.sh: nodes and Sentinels from deploy/redis/', () => {
  let set: SentinelSet;
  beforeAll(async () => {
    set = await startSentinelSet(1);
  });
  afterAll(() => set?.down());

  it('starts the primary from redis.conf, the replica from replica.conf, the Sentinels from sentinel.conf', async () => {
    const [primary, replica] = set.redisPorts as [number, number];
    const dir = join(testEnv.root, '.run', `redis-sentinel-${primary}`);
    const replicaConf = read(join(dir, String(replica), 'replica.conf'));
    expect(Object.fromEntries(valuesIn('redis/replica.conf', replicaConf))).toEqual({
      REDIS_CONF: join(dir, String(replica), 'redis.conf'),
      PRIMARY_HOST: '127.0.0.1',
      PRIMARY_PORT: String(primary),
    });
    for (const p of [primary, replica]) {
      const rendered = read(join(dir, String(p), 'redis.conf'));
      expect(valuesIn('redis/redis.conf', rendered).get('PORT')).toBe(String(p));
      const node = new Redis(p, '127.0.0.1');
      try {
        if (p === primary) await expectShippedValues(node, rendered);
        else await expectShippedValues(node, replicaConf, rendered);
        // Every node loads the module: a replica may be promoted.
        await expectModule(node, valuesIn('redis/redis.conf', rendered).get('REDIS_MODULE')!);
      } finally {
        node.disconnect();
      }
    }
    const [host, sport] = set.sentinels.split(',')[0]!.split(':') as [string, string];
    const sentinel = new Redis(Number(sport), host);
    try {
      const fields = (await sentinel.call('SENTINEL', 'MASTER', set.master)) as string[];
      const master = Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]]])));
      // quorum and parallel-syncs as shipped; down-after and failover-timeout the tests' own.
      expect(master).toMatchObject({ port: String(primary), quorum: '2', 'parallel-syncs': '1' });
      expect(master['down-after-milliseconds']).toBe('1000');
    } finally {
      sentinel.disconnect();
    }
  });
});
