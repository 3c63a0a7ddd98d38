import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadGatewayConfig } from '../../gateway/src/config.js';

const key = 'ab'.repeat(32);
const listKey = 'cd'.repeat(32);
const keys = { ONECARD_TOKEN_KEY: key, ONECARD_LIST_SIGNING_KEY: listKey };

describe('gateway configuration', () => {
  it('takes defaults for everything but the token and list signing keys', () => {
    const c = loadGatewayConfig(keys);
    expect(c).toMatchObject({
      store: 'sqlite',
      mqttProtocolVersion: 5,
      httpPort: 8080,
      busFlatFen: 200,
      tokenKeyHex: key,
      listSigningKeyHex: listKey,
      listKeyId: 'k1',
    });
  });
  it('takes a Redis Cluster or Sentinels in place of ONECARD_REDIS_URL, not both (decision 0193)', () => {
    const cluster = loadGatewayConfig({
      ...keys,
      ONECARD_STORE: 'redis',
      ONECARD_REDIS_CLUSTER: '10.0.0.1:7001,10.0.0.2:7001',
      ONECARD_REDIS_WAIT_REPLICAS: '1',
    });
    expect(cluster).toMatchObject({ redisCluster: '10.0.0.1:7001,10.0.0.2:7001', redisWaitReplicas: 1 });
    expect(() =>
      loadGatewayConfig({
        ...keys,
        ONECARD_STORE: 'redis',
        ONECARD_REDIS_CLUSTER: '10.0.0.1:7001',
        ONECARD_REDIS_SENTINELS: '10.0.0.1:26379',
      }),
    ).toThrow(/ONECARD_REDIS_CLUSTER and ONECARD_REDIS_SENTINELS: set one/);
    expect(() => loadGatewayConfig({ ...keys, ONECARD_REDIS_SENTINELS: '10.0.0.1' })).toThrow(
      /ONECARD_REDIS_SENTINELS .*has the wrong form/,
    );
  });
  it('reports every problem at once, in words a person understands', () => {
    let error: unknown;
    try {
      loadGatewayConfig({
        ONECARD_STORE: 'postgres',
        ONECARD_HTTP_PORT: 'eighty',
        ONECARD_BUS_FARE_FEN: '-1',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/ONECARD_STORE .*"postgres" is not one of sqlite, redis/);
    expect(problems.join('\n')).toMatch(/ONECARD_HTTP_PORT .*"eighty" is not a whole number/);
    expect(problems.join('\n')).toMatch(/ONECARD_BUS_FARE_FEN .*-1 is outside 0\.\.100000/);
    expect(problems.join('\n')).toMatch(/ONECARD_TOKEN_KEY .*is required/);
    expect(problems.join('\n')).toMatch(/ONECARD_LIST_SIGNING_KEY .*is required/);
  });
  it('takes SM2 keys by id (sm2- list ids, QR ids 128-255) and refuses 32 bytes that are no SM2 key', () => {
    const sm2 = {
      ...keys,
      ONECARD_LIST_KEY_ID: 'sm2-2026',
      ONECARD_QR_SIGNING_KEYS: `200:${listKey},1:${key}`,
    };
    expect(loadGatewayConfig(sm2)).toMatchObject({ listKeyId: 'sm2-2026' });
    let error: unknown;
    try {
      loadGatewayConfig({
        ...sm2,
        ONECARD_LIST_SIGNING_KEY: 'ff'.repeat(32),
        ONECARD_QR_SIGNING_KEYS: `200:${'00'.repeat(32)}`,
      });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'ONECARD_QR_SIGNING_KEYS: key id 200: an SM2 private key lies in [1, n-2]',
      'ONECARD_LIST_SIGNING_KEY: an SM2 private key lies in [1, n-2]',
    ]);
  });
  it('sweeps for missing tap-outs every minute unless told otherwise, and 0 turns the sweep off', () => {
    expect(loadGatewayConfig(keys).tapOutSweepSec).toBe(60);
    expect(loadGatewayConfig({ ...keys, ONECARD_TAP_OUT_SWEEP_SEC: '0' }).tapOutSweepSec).toBe(0);
    expect(() => loadGatewayConfig({ ...keys, ONECARD_TAP_OUT_SWEEP_SEC: '-5' })).toThrow(
      /ONECARD_TAP_OUT_SWEEP_SEC .*-5 is outside 0\.\.86400/,
    );
  });

  it('groups the Redis calls of one turn up to 1,000 effects unless told otherwise, 0 turns it off, nothing non-finite', () => {
    expect(loadGatewayConfig(keys).redisGroupEffects).toBe(1000);
    expect(loadGatewayConfig({ ...keys, ONECARD_REDIS_GROUP_EFFECTS: '0' }).redisGroupEffects).toBe(0);
    for (const bad of ['-1', 'Infinity', '1e9', '2.5', 'NaN', ''])
      expect(() => loadGatewayConfig({ ...keys, ONECARD_REDIS_GROUP_EFFECTS: bad })).toThrow(
        /ONECARD_REDIS_GROUP_EFFECTS/,
      );
  });

  it('explains that the embedded broker needs MQTT 3.1.1 and a plain subscription', () => {
    expect(() => loadGatewayConfig({ ...keys, ONECARD_EMBEDDED_BROKER_PORT: '1883' })).toThrow(
      /aedes broker speaks MQTT 3\.1\.1[\s\S]*no shared subscriptions/,
    );
  });
  it('trusts no proxy unless told which, by address, CIDR or name; never all', () => {
    expect(loadGatewayConfig(keys).trustProxy).toBe('');
    for (const ok of ['127.0.0.1', 'loopback', '10.0.0.0/8, fd00::/8', '192.0.2.1,uniquelocal'])
      expect(loadGatewayConfig({ ...keys, ONECARD_TRUST_PROXY: ok }).trustProxy).toBe(ok);
    for (const bad of ['true', '*', '1', 'proxy.example', '10.0.0.0/33', '127.0.0.1,'])
      expect(() => loadGatewayConfig({ ...keys, ONECARD_TRUST_PROXY: bad })).toThrow(/ONECARD_TRUST_PROXY/);
  });
  it('keeps holder tokens 30 minutes unless told otherwise, between a minute and 12 hours', () => {
    expect(loadGatewayConfig(keys).holderTokenTtlSec).toBe(1800);
    expect(loadGatewayConfig({ ...keys, ONECARD_HOLDER_TOKEN_TTL_SEC: '600' }).holderTokenTtlSec).toBe(600);
    expect(() => loadGatewayConfig({ ...keys, ONECARD_HOLDER_TOKEN_TTL_SEC: '86400' })).toThrow(
      /ONECARD_HOLDER_TOKEN_TTL_SEC .*86400 is outside 60\.\.43200/,
    );
  });
  it('bounds dead letters and per-device memory by default, and wants room for one letter', () => {
    expect(loadGatewayConfig(keys)).toMatchObject({
      deadLetterMaxCount: 10_000,
      deadLetterMaxBytes: 16 * 1024 * 1024,
      deadLetterMaxPayloadBytes: 4096,
      fleetMaxDevices: 100_000,
      deviceMissCacheMax: 10_000,
    });
    expect(() =>
      loadGatewayConfig({
        ...keys,
        ONECARD_DEAD_LETTER_MAX_BYTES: '65536',
        ONECARD_DEAD_LETTER_MAX_PAYLOAD_BYTES: '65536',
      }),
    ).toThrow(
      'ONECARD_DEAD_LETTER_MAX_BYTES must exceed ONECARD_DEAD_LETTER_MAX_PAYLOAD_BYTES by 2048 (one letter must fit)',
    );
  });

  it('requires a Redis URL when the Redis store is chosen', () => {
    expect(() => loadGatewayConfig({ ...keys, ONECARD_STORE: 'redis' })).toThrow(/ONECARD_REDIS_URL/);
  });
  it('reads history from the store unless told postgres, which needs a URL and a plain schema name', () => {
    expect(loadGatewayConfig(keys)).toMatchObject({ history: 'store', pgSchema: 'onecard_history' });
    expect(() => loadGatewayConfig({ ...keys, ONECARD_HISTORY: 'postgres' })).toThrow(/ONECARD_PG_URL/);
    const url = 'postgres://onecard@127.0.0.1:5432/onecard';
    expect(loadGatewayConfig({ ...keys, ONECARD_HISTORY: 'postgres', ONECARD_PG_URL: url })).toMatchObject({
      history: 'postgres',
      pgUrl: url,
    });
    // Redis keeps no records then (0204): they reach PostgreSQL only through the relay.
    const redis = { ...keys, ONECARD_STORE: 'redis', ONECARD_REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(() => loadGatewayConfig({ ...redis, ONECARD_HISTORY: 'postgres', ONECARD_PG_URL: url })).toThrow(
      /ONECARD_KAFKA_BROKERS: required when ONECARD_HISTORY=postgres with ONECARD_STORE=redis/,
    );
    expect(() => loadGatewayConfig({ ...keys, ONECARD_PG_SCHEMA: 'x; DROP TABLE records' })).toThrow(
      /ONECARD_PG_SCHEMA/,
    );
  });
  it('never echoes a malformed QR signing key (a private key) in the error', () => {
    const secret = `1:${'ab'.repeat(31)}`;
    let message = '';
    try {
      loadGatewayConfig({ ONECARD_TOKEN_KEY: key, ONECARD_QR_SIGNING_KEYS: secret });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/ONECARD_QR_SIGNING_KEYS .*the value has the wrong form/);
    expect(message).not.toContain('abab');
  });
  it('marks every private key secret, and echoes none of them', () => {
    // Public keys, key ids, lifetimes and the paths of files holding hashes are not secret;
    // anything else named like a key is.
    const publicOnes = [
      'listKeyId',
      'paymentProviderPublicKeyHex',
      'qrCredentialTtlSec',
      'brokerPasswordFile',
      'brokerPasswordPart',
    ];
    for (const [name, k] of Object.entries(configSchema))
      if (/key|credential|password|secret/i.test(name) && !publicOnes.includes(name))
        expect('secret' in k && k.secret, name).toBe(true);
    let message = '';
    try {
      loadGatewayConfig({ ONECARD_TOKEN_KEY: `${key}zz`, ONECARD_LIST_SIGNING_KEY: `${listKey}zz` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/ONECARD_TOKEN_KEY .*the value has the wrong form/);
    expect(message).toMatch(/ONECARD_LIST_SIGNING_KEY .*the value has the wrong form/);
    expect(message).not.toContain('abab');
    expect(message).not.toContain('cdcd');
  });
  it('refuses a QR key id listed twice', () => {
    const seed = 'cd'.repeat(32);
    expect(() =>
      loadGatewayConfig({ ONECARD_TOKEN_KEY: key, ONECARD_QR_SIGNING_KEYS: `1:${seed},1:${seed}` }),
    ).toThrow(/ONECARD_QR_SIGNING_KEYS: key id 1 appears twice/);
  });
});
