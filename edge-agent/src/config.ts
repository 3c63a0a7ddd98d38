// Edge agent configuration: one schema, a default and a description per key, read from a JSON
// file and/or the environment (ONECARD_EDGE_*), validated once at start-up with every problem
// reported at once, in words a technician installing a validator understands.
//
// Precedence, highest first: values passed in code (startAgent callers, tests), environment
// variables, the JSON file, the schema default.
import { readFileSync } from 'node:fs';
import { readConfig } from '../../core/config/schema.js';
import { parseKeyList } from '../../core/credentials/keys.js';
import { checkRules } from '../../core/entry/rules.js';
import { profiles } from '../../core/profiles.js';
import { topics } from '../../core/topics.js';
import { type EdgeConfig, edgeConfigSchema } from './config-schema.js';
import { entryRulesFrom } from './rules/config.js';

export { type EdgeConfig, edgeConfigSchema };

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
  const file = sources.file ? readJsonFile(sources.file, problems) : {};
  const read = readConfig(edgeConfigSchema, {
    ...(sources.values ? { values: sources.values } : {}),
    ...(sources.env ? { env: sources.env } : {}),
    file,
  });
  problems.push(...read.problems.map((p) => `${p.name} (${p.key.env}, ${p.key.description}): ${p.problem}`));
  const config = read.config;
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
  if (config.deviceKeyFile === '') config.deviceKeyFile = `${config.journalFile}.key`;
  return config;
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
