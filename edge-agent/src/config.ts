// Edge agent configuration: one schema, a default and a description per key, read from a JSON
// file and/or the environment (ONECARD_EDGE_*), validated once at start-up with every problem
// reported at once, in words a technician installing a validator understands.
//
// Precedence, highest first: values passed in code (startAgent callers, tests), environment
// variables, the JSON file, the schema default.
import { readFileSync } from 'node:fs';
import { parseKeyList } from '../../core/credentials/keys.js';
import { checkRules } from '../../core/entry/rules.js';
import { type ProfileName, profiles } from '../../core/profiles.js';
import { topics } from '../../core/topics.js';
import { type ConfigKey, edgeConfigSchema } from './config-schema.js';
import { entryRulesFrom } from './rules/config.js';

export { type ConfigKey, edgeConfigSchema };

export interface EdgeConfig {
  deviceId: string;
  operatorId: string;
  profile: ProfileName;
  routeId: string;
  stopId: string;
  stationId: string;
  venueId: string;
  mqttUrl: string;
  /** 5 with Mosquitto/EMQX; 4 (MQTT 3.1.1) with the embedded aedes broker. */
  mqttProtocolVersion: 4 | 5;
  mqttSessionExpirySec: number;
  mqttReconnectMs: number;
  gatewayHttpUrl: string;
  /** Device credential from the gateway's device registration (docs/decisions/0130). */
  gatewayCredential: string;
  journalFile: string;
  /** Persisted lists (edge-agent/src/lists/persist.ts); '' → <journalFile>.lists */
  listsFile: string;
  tokenKeyHex: string;
  /** Trusted list-signing public keys, "keyId:hex64[,keyId:hex64]". */
  listKeys: string;
  batchMaxTaps: number;
  batchMaxDelayMs: number;
  maxInflightBatches: number;
  ackTimeoutMs: number;
  statusIntervalMs: number;
  denyResyncRetryMs: number;
  /** main.ts only: where taps come from (startAgent callers pass their own reader). */
  reader: 'stdin' | 'random' | 'none';
  simTapsPerSecond: number;
  simCardCount: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** E-card QR (edge-agent/src/qr/): issuer public keys "id:hex,...", several during a rotation. */
  qrIssuerKeys: string;
  qrSkewMs: number;
  qrCodeTtlMs: number;
  /** Comma-separated text prefixes of outside issuers' codes (checked online only). */
  qrOutsidePrefixes: string;
  /** This venue's policy for outside codes when the online check is impossible. */
  qrOfflinePolicy: 'refuse' | 'admit';
  qrOnlineTimeoutMs: number;
  qrReplayCacheSize: number;
  /** Entry rules (core/entry/rules.ts): '' keeps the profile default. */
  entryMaxPerDay: string;
  entryAntiPassbackMin: string;
  entryReentryAfterExit: '' | 'true' | 'false';
  entrySlotToleranceBeforeMin: string;
  entrySlotToleranceAfterMin: string;
  entryExitWithoutEntry: '' | 'allow' | 'flag' | 'deny';
  /** Offline risk limits (0: no limit). */
  offlineMaxTapsPerCardPerHour: number;
  offlineMaxUnconfirmedFen: number;
  offlineFareEstimateFen: number;
  /** Cards whose history is held in memory (the rest are read from the journal file). */
  historyMaxCards: number;
}

/** Names the file with more settings; the one variable not in the schema. */
export const CONFIG_FILE_ENV = 'ONECARD_EDGE_CONFIG_FILE';

export class EdgeConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The edge agent configuration has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
}

export interface ConfigSources {
  /** Environment variables (ONECARD_EDGE_*); default: none. */
  env?: NodeJS.ProcessEnv;
  /** A JSON file of { key: value } with the schema's key names. */
  file?: string;
  /** Values set in code; they win over everything else. */
  values?: Partial<Record<keyof EdgeConfig, unknown>>;
}

/** Reads every source, validates every key and throws EdgeConfigError listing all problems. */
export function loadEdgeConfig(sources: ConfigSources = {}): EdgeConfig {
  const problems: string[] = [];
  const fromFile = sources.file ? readJsonFile(sources.file, problems) : {};
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(edgeConfigSchema) as [keyof EdgeConfig, ConfigKey][]) {
    const given = sources.values?.[name] ?? sources.env?.[key.env] ?? fromFile[name];
    const raw = given === undefined ? key.default : given;
    const problem = check(key, raw);
    if (problem) problems.push(`${name} (${key.env}, ${key.description}): ${problem}`);
    out[name] = key.kind === 'int' || name === 'mqttProtocolVersion' ? Number(raw) : String(raw);
  }
  const config = out as unknown as EdgeConfig;
  const profile = profiles[config.profile];
  for (const field of profile?.requires ?? []) {
    if (config[field] === '')
      problems.push(`${field} (${edgeConfigSchema[field].env}) is required for the ${profile!.name} profile`);
  }
  const qrKeys = parseKeyList(config.qrIssuerKeys, 'public');
  if (typeof qrKeys === 'string')
    problems.push(`qrIssuerKeys (${edgeConfigSchema.qrIssuerKeys.env}): ${qrKeys}`);
  // Ranges of the rules themselves, once every entry* key has the right form.
  if (profile && !problems.some((p) => p.startsWith('entry')))
    for (const p of checkRules(entryRulesFrom(config)))
      problems.push(`entry rules (ONECARD_EDGE_ENTRY_*): ${p}`);
  if (problems.length === 0) {
    try {
      topics.taps(config.operatorId, config.deviceId);
    } catch {
      problems.push(`operatorId "${config.operatorId}" is reserved by the topic map (docs/topics.md)`);
    }
  }
  if (problems.length > 0) throw new EdgeConfigError(problems);
  if (config.journalFile === '') config.journalFile = `.run/edge-${config.deviceId}.db`;
  if (config.listsFile === '') config.listsFile = `${config.journalFile}.lists`;
  return config;
}

function check(key: ConfigKey, raw: unknown): string | undefined {
  if (key.kind === 'int') {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isInteger(n)) return `"${String(raw)}" is not a whole number`;
    if ((key.min !== undefined && n < key.min) || (key.max !== undefined && n > key.max))
      return `${n} is outside the allowed range ${key.min}..${key.max}`;
    return undefined;
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') return `expected text, got ${typeof raw}`;
  const s = String(raw);
  if (key.kind === 'enum')
    return key.values?.includes(s) ? undefined : `"${s}" is not one of ${key.values?.join(', ')}`;
  if (key.pattern && !key.pattern.test(s))
    return s === '' ? 'is required' : `"${s}" has the wrong form (expected ${key.expects ?? key.pattern})`;
  return undefined;
}

function readJsonFile(file: string, problems: string[]): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push(`configuration file ${file} cannot be read as JSON: ${(err as Error).message}`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`configuration file ${file} must hold one JSON object of settings`);
    return {};
  }
  for (const name of Object.keys(parsed)) {
    if (!Object.hasOwn(edgeConfigSchema, name))
      problems.push(`configuration file ${file}: "${name}" is not a setting of the edge agent`);
  }
  return parsed as Record<string, unknown>;
}
