// The edge agent's configuration keys: for each, its environment variable, default, form and a
// description a technician installing a validator understands (config.ts reads and checks them
// with core/config/schema.ts; the README's edge configuration table is generated from here).

import type { ConfigOf, ConfigSchema, StringKey } from '../../core/config/schema.js';
import { type ProfileName, profiles } from '../../core/profiles.js';

const LOCATION_ID = /^[A-Za-z0-9_.:-]{0,64}$/;
const location = (env: string, description: string): StringKey => ({
  env,
  kind: 'string',
  default: '',
  description,
  pattern: LOCATION_ID,
  expects: 'up to 64 letters, digits, _ . : -',
});

const MINUTES = /^(\d{1,5})?$/;
const ruleOverride = (env: string, description: string): StringKey => ({
  env,
  kind: 'string',
  default: '',
  description: `${description} (empty: the profile default, core/entry/rules.ts)`,
  pattern: MINUTES,
  expects: 'a whole number, or empty for the profile default',
});

/** The schema (format: core/config/schema.ts). Every key here, and only these, may appear in the JSON file. */
export const edgeConfigSchema = {
  deviceId: {
    env: 'ONECARD_EDGE_DEVICE_ID',
    kind: 'string',
    default: '',
    description: 'Device id: MQTT client id and topic level (required)',
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    expects: '1 to 64 letters, digits, _ . -',
  },
  operatorId: {
    env: 'ONECARD_EDGE_OPERATOR_ID',
    kind: 'string',
    default: '',
    description: 'Operator id: topic level (required)',
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    expects: '1 to 64 letters, digits, _ . -',
  },
  profile: {
    env: 'ONECARD_EDGE_PROFILE',
    kind: 'enum',
    values: Object.keys(profiles) as ProfileName[],
    default: 'bus_validator',
    description: 'What the device is; decides the rules and which location ids are required',
  },
  routeId: location('ONECARD_EDGE_ROUTE_ID', 'Bus route or metro line id (required for bus_validator)'),
  stopId: location('ONECARD_EDGE_STOP_ID', 'Bus stop id'),
  stationId: location('ONECARD_EDGE_STATION_ID', 'Metro station id (required for metro gates)'),
  venueId: location('ONECARD_EDGE_VENUE_ID', 'Library, museum or scenic-area id'),
  mqttUrl: {
    env: 'ONECARD_EDGE_MQTT_URL',
    kind: 'string',
    default: 'mqtt://127.0.0.1:1883',
    description: 'MQTT broker URL',
    pattern: /^(mqtts?|wss?|tcp):\/\/./,
    expects: 'a URL starting with mqtt://, mqtts://, ws://, wss:// or tcp://',
  },
  mqttProtocolVersion: {
    env: 'ONECARD_EDGE_MQTT_PROTOCOL_VERSION',
    kind: 'enum',
    values: [4, 5],
    default: '5',
    description: 'MQTT protocol: 5 (Mosquitto/EMQX) or 4 (3.1.1, embedded aedes broker)',
  },
  mqttSessionExpirySec: {
    env: 'ONECARD_EDGE_MQTT_SESSION_EXPIRY_SEC',
    kind: 'int',
    // "Never" (2^32-1) by default: Mosquitto 2.0.11 (Debian 12) adds an offline session with a
    // finite expiry to its expiry list again at every reload that finds its user gone or its
    // password changed (a retired or rotated device), then frees it twice: a use-after-free
    // seen under valgrind (test/deploy/mosquitto-reload.int.test.ts). A session that never
    // expires is never on that list. The broker bounds what it queues for one
    // (max_queued_messages); a device that missed deltas resyncs over HTTP.
    default: '4294967295',
    min: 1,
    max: 4_294_967_295,
    description:
      'MQTT 5: how long the broker keeps the session (queued acks and deltas) while offline; 4294967295 = never (see docs/decisions/0170)',
  },
  mqttReconnectMs: {
    env: 'ONECARD_EDGE_MQTT_RECONNECT_MS',
    kind: 'int',
    default: '2000',
    min: 100,
    max: 600_000,
    description: 'Pause between MQTT reconnect attempts, ms',
  },
  mqttUsername: {
    env: 'ONECARD_EDGE_MQTT_USERNAME',
    kind: 'string',
    default: '',
    description: 'MQTT username (empty: the device id, which the shipped broker requires)',
    pattern: /^[A-Za-z0-9_.-]{0,64}$/,
    expects: 'up to 64 letters, digits, _ . -',
  },
  mqttPassword: {
    env: 'ONECARD_EDGE_MQTT_PASSWORD',
    kind: 'string',
    default: '',
    secret: true,
    description:
      'MQTT password (never logged); empty: the secret of ONECARD_EDGE_GATEWAY_CREDENTIAL, or none when that is empty too',
  },
  mqttCaFile: {
    env: 'ONECARD_EDGE_MQTT_CA_FILE',
    kind: 'string',
    default: '',
    description: "CA certificate (PEM) an mqtts:// broker's certificate must chain to; empty: the system CAs",
  },
  gatewayHttpUrl: {
    env: 'ONECARD_EDGE_GATEWAY_HTTP_URL',
    kind: 'string',
    default: 'http://127.0.0.1:8080',
    description: 'Gateway HTTP base URL, for deny-list resync',
    pattern: /^https?:\/\/./,
    expects: 'a URL starting with http:// or https://',
  },
  gatewayCredential: {
    env: 'ONECARD_EDGE_GATEWAY_CREDENTIAL',
    kind: 'string',
    secret: true,
    default: '',
    description:
      'Credential the gateway gave at enrolment (<deviceId>.<secret>), sent on list resync; its secret is also the MQTT password unless ONECARD_EDGE_MQTT_PASSWORD is set',
    pattern: /^([A-Za-z0-9_.-]{1,64}\.[A-Za-z0-9_-]{43})?$/,
    expects: '<deviceId>.<43 base64url chars>, as POST /v1/devices answers',
  },
  journalFile: {
    env: 'ONECARD_EDGE_JOURNAL_FILE',
    kind: 'string',
    default: '',
    description: 'SQLite journal file (empty: .run/edge-<deviceId>.db)',
  },
  listsFile: {
    env: 'ONECARD_EDGE_LISTS_FILE',
    kind: 'string',
    default: '',
    description:
      'File of the persisted lists (deny, flags, regions, entitlements; empty: <journalFile>.lists)',
  },
  deviceKey: {
    env: 'ONECARD_EDGE_DEVICE_KEY',
    kind: 'string',
    secret: true,
    default: '',
    description:
      'Ed25519 private key the device signs its batches with, 64 hex chars (empty: the key file, made on first start)',
    pattern: /^([0-9a-fA-F]{64})?$/,
    expects: '64 hex chars, or empty',
  },
  deviceKeyFile: {
    env: 'ONECARD_EDGE_DEVICE_KEY_FILE',
    kind: 'string',
    default: '',
    description:
      'File of the device private key, created with mode 0600 on first start when ONECARD_EDGE_DEVICE_KEY is empty (empty: <journalFile>.key)',
  },
  listKeys: {
    env: 'ONECARD_EDGE_LIST_KEYS',
    kind: 'string',
    default: '',
    description:
      'Gateway public keys that sign the lists, keyId:<64 hex> (Ed25519) or sm2-…:<130 hex> (SM2, 04‖x‖y), comma-separated for rotation (required)',
    // The per-algorithm check (an sm2- id takes an SM2 point) is parsePublicKeys' at start.
    pattern:
      /^[A-Za-z0-9_.-]{1,32}:([0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130})(,[A-Za-z0-9_.-]{1,32}:([0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130}))*$/,
    expects: 'keyId:<hex>[,keyId:<hex>] (64 hex chars, or 130 for sm2- ids)',
  },
  tokenKeyHex: {
    env: 'ONECARD_EDGE_TOKEN_KEY',
    kind: 'string',
    secret: true,
    default: '',
    description: 'Card-token HMAC key, 64+ hex chars, the same as the gateway (required)',
    pattern: /^([0-9a-fA-F]{2}){32,}$/,
    expects: 'at least 64 hexadecimal characters',
  },
  batchMaxTaps: {
    env: 'ONECARD_EDGE_BATCH_MAX_TAPS',
    kind: 'int',
    default: '100',
    min: 1,
    max: 10_000,
    description: 'Most taps in one TapBatch',
  },
  batchMaxDelayMs: {
    env: 'ONECARD_EDGE_BATCH_MAX_DELAY_MS',
    kind: 'int',
    default: '200',
    min: 0,
    max: 60_000,
    description: 'Longest a tap waits for its batch to fill before it is sent, ms',
  },
  maxInflightBatches: {
    env: 'ONECARD_EDGE_MAX_INFLIGHT_BATCHES',
    kind: 'int',
    default: '8',
    min: 1,
    max: 1000,
    description: 'Batches sent and not yet acknowledged, at most',
  },
  ackTimeoutMs: {
    env: 'ONECARD_EDGE_ACK_TIMEOUT_MS',
    kind: 'int',
    default: '5000',
    min: 10,
    max: 600_000,
    description: 'A batch not acknowledged within this is sent again, ms',
  },
  statusIntervalMs: {
    env: 'ONECARD_EDGE_STATUS_INTERVAL_MS',
    kind: 'int',
    default: '30000',
    min: 100,
    max: 3_600_000,
    description: 'How often the device publishes its status, ms',
  },
  denyResyncRetryMs: {
    env: 'ONECARD_EDGE_DENY_RESYNC_RETRY_MS',
    kind: 'int',
    default: '5000',
    min: 10,
    max: 3_600_000,
    description: 'Pause before retrying a failed deny-list resync over HTTP, ms',
  },
  reader: {
    env: 'ONECARD_EDGE_READER',
    kind: 'enum',
    values: ['stdin', 'random', 'none'],
    default: 'stdin',
    description: 'Simulated reader of the runnable agent: stdin lines "<cardNumber> [region]", random, none',
  },
  simTapsPerSecond: {
    env: 'ONECARD_EDGE_SIM_TAPS_PER_SECOND',
    kind: 'int',
    default: '1',
    min: 1,
    max: 100_000,
    description: 'Random reader: taps per second',
  },
  simCardCount: {
    env: 'ONECARD_EDGE_SIM_CARD_COUNT',
    kind: 'int',
    default: '1000',
    min: 1,
    max: 1_000_000,
    description: 'Random reader: synthetic cards SIM000000.. drawn from',
  },
  logLevel: {
    env: 'ONECARD_EDGE_LOG_LEVEL',
    kind: 'enum',
    values: ['error', 'warn', 'info', 'debug', 'silent'],
    default: 'info',
    description: 'Log level',
  },
  qrIssuerKeys: {
    env: 'ONECARD_EDGE_QR_ISSUER_KEYS',
    kind: 'string',
    default: '',
    description:
      'E-card QR issuer public keys "id:hex,..." (GET /v1/qr/keys): ids 0-127 Ed25519 (64 hex), 128-255 SM2 (130 hex); empty: QR codes refused',
    pattern:
      /^(\d{1,3}:([0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130})(,\d{1,3}:([0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130}))*)?$/,
    expects: 'a comma-separated list of <key id>:<hex key> (64 hex chars, or 130 for ids 128-255)',
  },
  qrSkewMs: {
    env: 'ONECARD_EDGE_QR_SKEW_MS',
    kind: 'int',
    default: '30000',
    min: 0,
    max: 600_000,
    description: 'Clock difference tolerated between phones, gateway and device for QR times, ms',
  },
  qrCodeTtlMs: {
    env: 'ONECARD_EDGE_QR_CODE_TTL_MS',
    kind: 'int',
    default: '60000',
    min: 5_000,
    max: 600_000,
    description: 'How long a dynamic e-card code stays valid after the app made it, ms',
  },
  qrOutsidePrefixes: {
    env: 'ONECARD_EDGE_QR_OUTSIDE_PREFIXES',
    kind: 'string',
    default: '',
    description: "Text prefixes of outside issuers' codes (checked online), comma-separated; empty: none",
    pattern: /^([A-Za-z0-9$%*+./:-]{2,16}(,[A-Za-z0-9$%*+./:-]{2,16})*)?$/,
    expects: 'comma-separated prefixes of 2-16 letters, digits or $%*+-./:',
  },
  qrOfflinePolicy: {
    env: 'ONECARD_EDGE_QR_OFFLINE_POLICY',
    kind: 'enum',
    values: ['refuse', 'admit'],
    default: 'refuse',
    description:
      'Outside codes when the online check is impossible: refuse, or admit and mark for reconciliation',
  },
  qrOnlineTimeoutMs: {
    env: 'ONECARD_EDGE_QR_ONLINE_TIMEOUT_MS',
    kind: 'int',
    default: '1200',
    min: 50,
    max: 10_000,
    description: 'Longest wait at the gate for an online check of an outside code, ms',
  },
  qrReplayCacheSize: {
    env: 'ONECARD_EDGE_QR_REPLAY_CACHE_SIZE',
    kind: 'int',
    default: '20000',
    min: 100,
    max: 1_000_000,
    description: 'Dynamic codes remembered for replay checks (must exceed scans per code lifetime)',
  },
  entryMaxPerDay: ruleOverride(
    'ONECARD_EDGE_ENTRY_MAX_PER_DAY',
    'Passages per card per day at this gate, 0 unlimited',
  ),
  entryAntiPassbackMin: ruleOverride(
    'ONECARD_EDGE_ENTRY_ANTI_PASSBACK_MIN',
    'Anti-passback window, minutes, 0 off',
  ),
  entryReentryAfterExit: {
    env: 'ONECARD_EDGE_ENTRY_REENTRY_AFTER_EXIT',
    kind: 'enum',
    values: ['', 'true', 'false'],
    default: '',
    description: 'An exit lifts the anti-passback window (empty: the profile default)',
  },
  entrySlotToleranceBeforeMin: ruleOverride(
    'ONECARD_EDGE_ENTRY_SLOT_BEFORE_MIN',
    'Minutes a time slot admits early',
  ),
  entrySlotToleranceAfterMin: ruleOverride(
    'ONECARD_EDGE_ENTRY_SLOT_AFTER_MIN',
    'Minutes a time slot admits late',
  ),
  entryExitWithoutEntry: {
    env: 'ONECARD_EDGE_ENTRY_EXIT_WITHOUT_ENTRY',
    kind: 'enum',
    values: ['', 'allow', 'flag', 'deny'],
    default: '',
    description: 'An exit with no entry known: allow (unchecked), flag, deny (empty: the profile default)',
  },
  offlineMaxTapsPerCardPerHour: {
    env: 'ONECARD_EDGE_OFFLINE_MAX_TAPS_PER_CARD_PER_HOUR',
    kind: 'int',
    default: '10',
    min: 0,
    max: 10_000,
    description: 'Offline: passages per card per clock hour, then OFFLINE_TAP_LIMIT (0: no limit)',
  },
  offlineMaxUnconfirmedFen: {
    env: 'ONECARD_EDGE_OFFLINE_MAX_UNCONFIRMED_FEN',
    kind: 'int',
    default: '2000',
    min: 0,
    max: 100_000_000,
    description:
      'Offline: estimated spending per card not yet confirmed, fen, then OFFLINE_SPEND_LIMIT (0: no limit)',
  },
  offlineFareEstimateFen: {
    env: 'ONECARD_EDGE_OFFLINE_FARE_ESTIMATE_FEN',
    kind: 'int',
    default: '200',
    min: 0,
    max: 1_000_000,
    description:
      'Fare the device counts per paying tap (boarding, exit) towards the offline spending limit, fen',
  },
  historyMaxCards: {
    env: 'ONECARD_EDGE_HISTORY_MAX_CARDS',
    kind: 'int',
    default: '100000',
    min: 100,
    max: 10_000_000,
    description: 'Cards whose passage history is cached in memory (all are kept in the journal file)',
  },
} as const satisfies ConfigSchema;

/**
 * The edge agent's configuration. journalFile, listsFile and deviceKeyFile are never empty once loaded
 * (config.ts fills in <deviceId> defaults).
 */
export type EdgeConfig = ConfigOf<typeof edgeConfigSchema>;
