// Gateway configuration: one schema, a default and a description per key, read from the
// environment (ONECARD_*) and validated once at start-up with every problem reported at once.
import { isIP } from 'node:net';
import { type ConfigOf, type ConfigSchema, readConfig } from '../../core/config/schema.js';
import { issuerPrivateKey, parseKeyList } from '../../core/credentials/keys.js';
import { listPrivateKey } from '../../core/lists/keys.js';
import { paymentConfigKeys, paymentConfigProblems } from './payments/config-schema.js';

/** "host:port,host:port" or empty. */
const NODE_LIST = /^$|^[^:,\s]+:\d{1,5}(,[^:,\s]+:\d{1,5})*$/;

/** The schema (format: core/config/schema.ts): README's configuration table is this list. */
export const configSchema = {
  instanceId: {
    env: 'ONECARD_INSTANCE_ID',
    kind: 'string',
    default: `gw-${process.pid}`,
    shownDefault: 'gw-<pid>',
    description: 'Instance id (MQTT client id, outbox lease owner)',
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
  },
  store: {
    env: 'ONECARD_STORE',
    kind: 'enum',
    values: ['sqlite', 'redis'],
    default: 'sqlite',
    description: 'sqlite (one file, embedded) or redis (Lua commits, for scale)',
  },
  sqliteFile: {
    env: 'ONECARD_SQLITE_FILE',
    kind: 'string',
    default: '.run/gateway.db',
    description: 'SQLite database file',
  },
  redisUrl: {
    env: 'ONECARD_REDIS_URL',
    kind: 'string',
    default: 'redis://127.0.0.1:6379',
    description: 'Redis URL',
    pattern: /^rediss?:\/\//,
  },
  redisPartitions: {
    env: 'ONECARD_REDIS_PARTITIONS',
    kind: 'int',
    default: '16',
    min: 1,
    max: 1024,
    description:
      'Hash-slot partitions of card keys (on a Cluster one Lua call per batch and partition, on one Redis one per batch); stored with the data, changed only offline (docs/operations.md)',
  },
  redisPrefix: {
    env: 'ONECARD_REDIS_KEY_PREFIX',
    kind: 'string',
    default: 'oc',
    description:
      'First part of every Redis key (a re-partitioned copy lives under another prefix: docs/operations.md)',
    pattern: /^[A-Za-z0-9_.-]{1,32}$/,
  },
  redisCluster: {
    env: 'ONECARD_REDIS_CLUSTER',
    kind: 'string',
    default: '',
    description:
      'Redis Cluster seed nodes "host:port,host:port"; set: the store uses a Cluster client (ONECARD_REDIS_URL unused)',
    pattern: NODE_LIST,
  },
  redisSentinels: {
    env: 'ONECARD_REDIS_SENTINELS',
    kind: 'string',
    default: '',
    description:
      'Redis Sentinels "host:port,host:port"; set: the store writes to the primary they name (ONECARD_REDIS_SENTINEL_MASTER)',
    pattern: NODE_LIST,
  },
  redisSentinelMaster: {
    env: 'ONECARD_REDIS_SENTINEL_MASTER',
    kind: 'string',
    default: 'onecard',
    description: 'The master name the Sentinels monitor',
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
  },
  redisWaitReplicas: {
    env: 'ONECARD_REDIS_WAIT_REPLICAS',
    kind: 'int',
    default: '0',
    min: 0,
    max: 16,
    description:
      'Replicas each commit must reach (WAIT) before taps are acked; 0: none (one Redis). With a replica: 1, so a failover loses no acked tap',
  },
  redisWaitTimeoutMs: {
    env: 'ONECARD_REDIS_WAIT_TIMEOUT_MS',
    kind: 'int',
    default: '1000',
    min: 1,
    max: 60000,
    description: 'How long a commit waits for its replicas; then the batch fails and the device resends it',
  },
  redisModule: {
    env: 'ONECARD_REDIS_MODULE',
    kind: 'enum',
    values: ['auto', 'off'],
    default: 'auto',
    description:
      "auto: claims and commits run as onecard's Redis module's commands where Redis has it loaded (commits with the history in PostgreSQL; not on a Cluster); off: always the Lua scripts",
  },
  mqttUrl: {
    env: 'ONECARD_MQTT_URL',
    kind: 'string',
    default: 'mqtt://127.0.0.1:1883',
    description: 'MQTT broker URL',
    pattern: /^(mqtts?|wss?|tcp):\/\//,
  },
  mqttProtocolVersion: {
    env: 'ONECARD_MQTT_PROTOCOL_VERSION',
    kind: 'enum',
    values: [4, 5],
    default: '5',
    description: 'MQTT protocol: 5 (Mosquitto/EMQX) or 4 (3.1.1, embedded aedes)',
  },
  mqttShareGroup: {
    env: 'ONECARD_MQTT_SHARE_GROUP',
    kind: 'string',
    default: 'gateway',
    description: 'Shared subscription group ($share/<group>/...); empty for a plain subscription',
    pattern: /^[A-Za-z0-9_-]{0,64}$/,
  },
  mqttUsername: {
    env: 'ONECARD_MQTT_USERNAME',
    kind: 'string',
    default: '',
    description:
      "This instance's MQTT username: one per instance on the shipped broker (it is the client id); empty: anonymous (embedded broker only)",
    pattern: /^[A-Za-z0-9_.-]{0,64}$/,
  },
  mqttPassword: {
    env: 'ONECARD_MQTT_PASSWORD',
    kind: 'string',
    secret: true,
    default: '',
    description: 'MQTT password of ONECARD_MQTT_USERNAME (never logged)',
  },
  mqttCaFile: {
    env: 'ONECARD_MQTT_CA_FILE',
    kind: 'string',
    default: '',
    description:
      "CA certificate (PEM) the mqtts:// broker's certificate must chain to; empty: the system CAs",
  },
  brokerPasswordFile: {
    env: 'ONECARD_BROKER_PASSWORD_FILE',
    kind: 'string',
    default: '',
    description:
      "Mosquitto's password_file, kept in step with the device registry (parts in <file>.d/, docs/decisions/0170); empty: not managed",
  },
  brokerAclFile: {
    env: 'ONECARD_BROKER_ACL_FILE',
    kind: 'string',
    default: '',
    description:
      "Mosquitto's acl_file, rebuilt from its parts in <file>.d/ with the password file; empty: not managed",
  },
  brokerPidFile: {
    env: 'ONECARD_BROKER_PID_FILE',
    kind: 'string',
    default: '',
    description:
      "Mosquitto's pid file: signalled (SIGHUP) to reload after a rewrite; empty: the broker's supervisor reloads it when the files change (scripts/mosquitto-supervise.sh)",
  },
  brokerPasswordPart: {
    env: 'ONECARD_BROKER_PASSWORD_PART',
    kind: 'string',
    default: 'devices',
    description:
      "This device registry's part of the password file: the same on every instance sharing the store",
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
  },
  embeddedBrokerPort: {
    env: 'ONECARD_EMBEDDED_BROKER_PORT',
    kind: 'int',
    default: '0',
    min: 0,
    max: 65535,
    description: 'Run an embedded aedes MQTT broker on this port (0: none)',
  },
  httpHost: {
    env: 'ONECARD_HTTP_HOST',
    kind: 'string',
    default: '127.0.0.1',
    description: 'HTTP listen address',
  },
  httpPort: {
    env: 'ONECARD_HTTP_PORT',
    kind: 'int',
    default: '8080',
    min: 0,
    max: 65535,
    description: 'HTTP port (API, console, metrics)',
  },
  tokenKeyHex: {
    env: 'ONECARD_TOKEN_KEY',
    kind: 'string',
    secret: true,
    default: '',
    description: 'Card-token HMAC key, 64+ hex chars (required; the same key on devices)',
    pattern: /^([0-9a-fA-F]{2}){32,}$/,
  },
  listSigningKeyHex: {
    env: 'ONECARD_LIST_SIGNING_KEY',
    kind: 'string',
    secret: true,
    default: '',
    description:
      'Private key (32 bytes, 64 hex chars) that signs the lists sent to devices: Ed25519 seed, or SM2 scalar when the key id begins "sm2-" (required; devices hold its public key)',
    pattern: /^[0-9a-fA-F]{64}$/,
  },
  listKeyId: {
    env: 'ONECARD_LIST_KEY_ID',
    kind: 'string',
    default: 'k1',
    description:
      'Id of the list signing key, carried in every signed list (key rotation); an id beginning "sm2-" signs with SM2 over SM3',
    pattern: /^[A-Za-z0-9_.-]{1,32}$/,
  },
  dedupeWindowDays: {
    env: 'ONECARD_DEDUPE_WINDOW_DAYS',
    kind: 'int',
    default: '30',
    min: 1,
    max: 3650,
    description:
      "Days a tap's exactly-once key is kept (at least the devices' longest offline period); an older tap is answered from the device's highest seq, never charged (docs/decisions/0196)",
  },
  dedupeTapsPerPartitionDay: {
    env: 'ONECARD_DEDUPE_TAPS_PER_PARTITION_DAY',
    kind: 'int',
    default: '0',
    min: 0,
    max: 64_000_000,
    description:
      "Taps one Redis partition is expected to take a day: each day's tap dedupe bucket is split into sub-buckets of ~64 entries so each stays in Redis's compact encoding (a city: its taps a day / partitions); a day's count is fixed at its first commit. 0: one bucket a day (docs/decisions/0222)",
  },
  redisGroupEffects: {
    env: 'ONECARD_REDIS_GROUP_EFFECTS',
    kind: 'int',
    default: '1000',
    min: 0,
    max: 100_000,
    description:
      "The batches ready in one turn of the gateway's event loop share Redis calls: their commits one call of up to this many effects, their card reads one MGET, their claims one call (not on a Cluster). 0: each batch its own calls (docs/decisions/0227, 0228)",
  },
  history: {
    env: 'ONECARD_HISTORY',
    kind: 'enum',
    values: ['store', 'postgres'],
    default: 'store',
    description:
      'store: record queries, CSV and ride statistics from the store; postgres: from the PostgreSQL history the history process fills from Kafka, and the Redis store keeps no records, indexes or ride counters (docs/decisions/0204)',
  },
  pgUrl: {
    env: 'ONECARD_PG_URL',
    kind: 'string',
    default: '',
    description:
      'PostgreSQL of the history (postgres://user@host:port/db); required when ONECARD_HISTORY=postgres',
  },
  pgSchema: {
    env: 'ONECARD_PG_SCHEMA',
    kind: 'string',
    default: 'onecard_history',
    description: 'Schema of the history tables',
    pattern: /^[a-z_][a-z0-9_]{0,62}$/,
  },
  kafkaBrokers: {
    env: 'ONECARD_KAFKA_BROKERS',
    kind: 'string',
    default: '',
    description: 'Kafka bootstrap servers; empty: no Kafka relay',
  },
  kafkaTopic: {
    env: 'ONECARD_KAFKA_TOPIC',
    kind: 'string',
    default: 'onecard.records.v1',
    description:
      "Kafka topic for committed records (a message: one commit's `onecard.v1.RecordBatch`, header `schema`; 0209)",
  },
  tariff: {
    env: 'ONECARD_TARIFF',
    kind: 'string',
    default: 'beijing',
    description:
      "Tariff: a shipped one by name (gateway/tariffs/<name>/), a tariff JSON file's path, or 'flat' (the two flat fares below)",
    pattern: /^.{1,4096}$/,
  },
  busFlatFen: {
    env: 'ONECARD_BUS_FARE_FEN',
    kind: 'int',
    default: '200',
    min: 0,
    max: 100_000,
    description: 'Flat bus fare, fen (ONECARD_TARIFF=flat)',
  },
  metroFlatFen: {
    env: 'ONECARD_METRO_FARE_FEN',
    kind: 'int',
    default: '300',
    min: 0,
    max: 100_000,
    description: 'Flat metro fare (charged at exit), fen (ONECARD_TARIFF=flat)',
  },
  maxTapsPerBatch: {
    env: 'ONECARD_MAX_TAPS_PER_BATCH',
    kind: 'int',
    default: '1000',
    min: 1,
    max: 100_000,
    description: 'Largest accepted batch, taps',
  },
  maxBatchBytes: {
    env: 'ONECARD_MAX_BATCH_BYTES',
    kind: 'int',
    default: '262144',
    min: 1024,
    max: 16_777_216,
    description:
      'Largest accepted batch message, bytes; also sets the MQTT maximum packet size the gateway accepts (plus 4096 for the envelope)',
  },
  deadLetterMaxCount: {
    env: 'ONECARD_DEAD_LETTER_MAX_COUNT',
    kind: 'int',
    default: '10000',
    min: 1,
    max: 10_000_000,
    description: 'Rejected batches kept for inspection, at most; the oldest are dropped first',
  },
  deadLetterMaxBytes: {
    env: 'ONECARD_DEAD_LETTER_MAX_BYTES',
    kind: 'int',
    default: '16777216',
    min: 65_536,
    max: 1_073_741_824,
    description:
      'Bytes of rejected batches kept, at most (kept payload + topic + reason); the oldest are dropped first',
  },
  deadLetterMaxPayloadBytes: {
    env: 'ONECARD_DEAD_LETTER_MAX_PAYLOAD_BYTES',
    kind: 'int',
    default: '4096',
    min: 0,
    max: 16_777_216,
    description:
      "Payload bytes kept per rejected batch; the rest is cut (the whole payload's SHA-256 and size are kept)",
  },
  fleetMaxDevices: {
    env: 'ONECARD_FLEET_MAX_DEVICES',
    kind: 'int',
    default: '100000',
    min: 1,
    max: 10_000_000,
    description: 'Devices whose live status the gateway holds in memory (least recently heard dropped first)',
  },
  deviceMissCacheMax: {
    env: 'ONECARD_DEVICE_MISS_CACHE_MAX',
    kind: 'int',
    default: '10000',
    min: 1,
    max: 10_000_000,
    description:
      'Unknown device ids remembered (2 s each) so their batches skip the store; least recent dropped first',
  },
  ingestConcurrency: {
    env: 'ONECARD_INGEST_CONCURRENCY',
    kind: 'int',
    default: '64',
    min: 1,
    max: 10_000,
    description: 'Batches processed at once',
  },
  logLevel: {
    env: 'ONECARD_LOG_LEVEL',
    kind: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'silent'],
    default: 'info',
    description: 'Log level',
  },
  qrSigningKeys: {
    env: 'ONECARD_QR_SIGNING_KEYS',
    kind: 'string',
    secret: true,
    default: '',
    description:
      'E-card QR issuer private keys "id:64hex,...": ids 0-127 Ed25519 seeds, 128-255 SM2 scalars; the first signs, all are published (rotation); empty: no QR issuing',
    pattern: /^(\d{1,3}:[0-9a-fA-F]{64}(,\d{1,3}:[0-9a-fA-F]{64})*)?$/,
  },
  qrCredentialTtlSec: {
    env: 'ONECARD_QR_CREDENTIAL_TTL_SEC',
    kind: 'int',
    default: '86400',
    min: 300,
    max: 30 * 86400,
    description: 'How long an e-card app credential is valid offline, seconds',
  },
  qrOutsideIssuerUrl: {
    env: 'ONECARD_QR_OUTSIDE_ISSUER_URL',
    kind: 'string',
    default: '',
    description:
      "Outside QR issuer (national e-card platform) adapter URL; empty: outside codes can't be checked",
    pattern: /^(https?:\/\/.+)?$/,
  },
  qrOutsideTimeoutMs: {
    env: 'ONECARD_QR_OUTSIDE_TIMEOUT_MS',
    kind: 'int',
    default: '800',
    min: 50,
    max: 10_000,
    description: 'Longest wait for the outside issuer, ms (devices wait at the gate)',
  },
  operatorsFile: {
    env: 'ONECARD_OPERATORS_FILE',
    kind: 'string',
    default: '',
    description:
      'Operator accounts, JSON (scripts/operator-account.ts makes entries); empty: no operator can log in',
  },
  authKeyHex: {
    env: 'ONECARD_AUTH_KEY',
    kind: 'string',
    secret: true,
    default: '',
    description: 'Key for sessions and holder tokens, 64+ hex chars; empty: derived from ONECARD_TOKEN_KEY',
    pattern: /^(([0-9a-fA-F]{2}){32,})?$/,
  },
  trustProxy: {
    env: 'ONECARD_TRUST_PROXY',
    kind: 'string',
    default: '',
    description:
      'Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (the client address the login throttle counts; https for Secure cookies): addresses or CIDRs, comma-separated, or loopback, linklocal, uniquelocal; empty: none (the peer is the client)',
    // Each entry is checked in trustProxyProblem; hop counts and 'true' are not offered: with
    // them any client could name its own address and dodge the login throttle.
    pattern: /^[0-9A-Za-z.:/, ]{0,1024}$/,
  },
  holderTokenTtlSec: {
    env: 'ONECARD_HOLDER_TOKEN_TTL_SEC',
    kind: 'int',
    default: '1800',
    min: 60,
    max: 43_200,
    description: 'How long a holder token lives, seconds (it also ends when the card is reported lost)',
  },
  venuesDir: {
    env: 'ONECARD_VENUES_DIR',
    kind: 'string',
    default: '',
    description:
      'Folder of venue files (products, slots, capacity; <city>/*.json); empty: the shipped gateway/venues',
  },
  tapOutSweepSec: {
    env: 'ONECARD_TAP_OUT_SWEEP_SEC',
    kind: 'int',
    default: '60',
    min: 0,
    max: 86_400,
    description:
      "Seconds between sweeps that charge the maximum fare for entries never tapped out once their network's limit (tapOut.missingAfterMin) has passed; 0: no sweep",
  },
  ...paymentConfigKeys,
} as const satisfies ConfigSchema;

export type GatewayConfig = ConfigOf<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The gateway configuration has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
}

/** Reads and validates; throws ConfigError listing every problem. `overrides` wins over env. */
export function loadGatewayConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<GatewayConfig> = {},
): GatewayConfig {
  // Overrides are set in code (tests, the demo, load rigs) and taken unchecked, as they always
  // were: a load rig raises top-up limits past what an operator may configure.
  const read = readConfig(configSchema, { trusted: overrides, env });
  const problems = read.problems.map((p) => `${p.key.env} (${p.key.description}): ${p.problem}`);
  const config = read.config;
  const redisElsewhere = config.redisCluster !== '' || config.redisSentinels !== '';
  if (
    config.store === 'redis' &&
    !redisElsewhere &&
    !env[configSchema.redisUrl.env] &&
    overrides.redisUrl === undefined
  )
    problems.push(
      `${configSchema.redisUrl.env}: required when ONECARD_STORE=redis (or ${configSchema.redisCluster.env} or ${configSchema.redisSentinels.env})`,
    );
  if (config.redisCluster !== '' && config.redisSentinels !== '')
    problems.push(
      `${configSchema.redisCluster.env} and ${configSchema.redisSentinels.env}: set one (a Cluster fails over by itself)`,
    );
  if (config.history === 'postgres' && config.pgUrl === '')
    problems.push(`${configSchema.pgUrl.env}: required when ONECARD_HISTORY=postgres`);
  // Redis then keeps each record only in its outbox entry until the relay publishes it (0204).
  if (config.history === 'postgres' && config.store === 'redis' && config.kafkaBrokers === '')
    problems.push(
      `${configSchema.kafkaBrokers.env}: required when ONECARD_HISTORY=postgres with ONECARD_STORE=redis (records reach PostgreSQL only through Kafka)`,
    );
  if (config.embeddedBrokerPort > 0 && config.mqttProtocolVersion === 5)
    problems.push('the embedded aedes broker speaks MQTT 3.1.1 only: set ONECARD_MQTT_PROTOCOL_VERSION=4');
  if (config.embeddedBrokerPort > 0 && config.mqttShareGroup !== '')
    problems.push(
      'the embedded aedes broker has no shared subscriptions: set ONECARD_MQTT_SHARE_GROUP= (empty)',
    );
  if (config.mqttPassword !== '' && config.mqttUsername === '')
    problems.push(`${configSchema.mqttUsername.env}: required with ${configSchema.mqttPassword.env}`);
  const proxyProblem = trustProxyProblem(config.trustProxy);
  if (proxyProblem) problems.push(`${configSchema.trustProxy.env}: ${proxyProblem}`);
  if (config.deadLetterMaxPayloadBytes + 2048 > config.deadLetterMaxBytes)
    problems.push(
      `${configSchema.deadLetterMaxBytes.env} must exceed ${configSchema.deadLetterMaxPayloadBytes.env} by 2048 (one letter must fit)`,
    );
  const qrKeys = parseKeyList(config.qrSigningKeys);
  if (typeof qrKeys === 'string') problems.push(`${configSchema.qrSigningKeys.env}: ${qrKeys}`);
  // An SM2 key is a scalar in [1, n-2], not any 32 bytes (decision 0164); messages name no key bytes.
  else
    for (const [id, raw] of qrKeys) {
      const problem = keyProblem(() => issuerPrivateKey(id, raw));
      if (problem) problems.push(`${configSchema.qrSigningKeys.env}: key id ${id}: ${problem}`);
    }
  if (/^[0-9a-fA-F]{64}$/.test(config.listSigningKeyHex)) {
    const problem = keyProblem(() =>
      listPrivateKey(config.listKeyId, Buffer.from(config.listSigningKeyHex, 'hex')),
    );
    if (problem) problems.push(`${configSchema.listSigningKeyHex.env}: ${problem}`);
  }
  problems.push(...paymentConfigProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function keyProblem(make: () => unknown): string | undefined {
  try {
    make();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** What is wrong with a trustProxy list (addresses, CIDRs, proxy-addr's names), or undefined. */
function trustProxyProblem(list: string): string | undefined {
  if (list === '') return undefined;
  for (const entry of list.split(',').map((e) => e.trim())) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue;
    const [address = '', bits, extra] = entry.split('/');
    const version = isIP(address);
    if (version === 0 || extra !== undefined) return `"${entry}" is not an address, a CIDR or a known name`;
    if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128)))
      return `"${entry}" has a wrong prefix length`;
  }
  return undefined;
}
