// One configuration schema library for the gateway and the edge agent (issue 12): a schema is
// a plain object of keys; each program's config type is derived from it (ConfigOf), its README
// table generated from it (readme.ts), its values read and checked here. Pure: the caller
// passes the environment (and the edge agent its JSON file) in as records.
//
// Adding a key: one entry in the program's schema object (gateway/src/config.ts,
// edge-agent/src/config-schema.ts), nothing else; the type, the README table (run
// `node --import tsx scripts/readme-config.ts`) and the checks follow.
//   someKey: {
//     env: 'ONECARD_SOME_KEY',          // the environment variable
//     kind: 'string',                   // 'string' | 'int' (min, max) | 'enum' (values)
//     default: '',                      // as it would be written in the environment
//     description: 'What it is, for the README and the error messages',
//     pattern: /^([0-9a-f]{64})?$/,     // string only: the form it must have
//     expects: '64 hex chars, or empty',// string only: that form in words, for the error message
//     secret: true,                     // never echoed in error messages (keys, passwords)
//   },
// An enum's value type is its values' ('sqlite' | 'redis'; [4, 5] as numbers reads '4' as 4).
// Checks across keys (one key requires another) stay in the program's loader.

interface KeyBase {
  /** The environment variable. */
  env: string;
  /** The default, as it would be written in the environment. */
  default: string;
  /** One line for the README table and the error messages. */
  description: string;
  /** A private key, a password, a credential: the value is never echoed in a message. */
  secret?: boolean;
  /** The README's default when the real one depends on the machine (a process id). */
  shownDefault?: string;
}

export interface StringKey extends KeyBase {
  kind: 'string';
  pattern?: RegExp;
  /** What the pattern expects, in words, for the error message. */
  expects?: string;
}

export interface IntKey extends KeyBase {
  kind: 'int';
  min: number;
  max: number;
}

export interface EnumKey extends KeyBase {
  kind: 'enum';
  /** Strings, or numbers (read from text as numbers). */
  values: readonly (string | number)[];
}

export type ConfigKey = StringKey | IntKey | EnumKey;
export type ConfigSchema = Readonly<Record<string, ConfigKey>>;

/** The value type of one key. */
export type ValueOf<K> = K extends { kind: 'int' }
  ? number
  : K extends { kind: 'enum'; values: readonly (infer V)[] }
    ? V
    : string;

/** The configuration a schema describes: one property per key (declare the schema `as const`). */
export type ConfigOf<S> = { -readonly [N in keyof S]: ValueOf<S[N]> };

export type Checked<V> = { ok: true; value: V } | { ok: false; problem: string };

/**
 * Checks one raw value (text from the environment, or a JSON value from a file) against its key
 * and converts it. The problem is in words and never shows a secret key's value.
 */
export function checkValue<K extends ConfigKey>(key: K, raw: unknown): Checked<ValueOf<K>> {
  const shown = (s: string) => (key.secret ? 'the value' : `"${s}"`);
  const fail = (problem: string) => ({ ok: false, problem }) as const;
  if (key.kind === 'int') {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isInteger(n)) return fail(`${shown(String(raw))} is not a whole number`);
    if (n < key.min || n > key.max)
      return fail(`${key.secret ? 'the value' : n} is outside ${key.min}..${key.max}`);
    return { ok: true, value: n as ValueOf<K> };
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') return fail(`expected text, got ${typeof raw}`);
  const s = String(raw);
  if (key.kind === 'enum') {
    const value = key.values.find((v) => String(v) === s);
    return value === undefined
      ? fail(`${shown(s)} is not one of ${key.values.join(', ')}`)
      : { ok: true, value: value as ValueOf<K> };
  }
  if (key.pattern && !key.pattern.test(s))
    return fail(
      s === ''
        ? 'is required'
        : `${shown(s)} has the wrong form${key.expects ? ` (expected ${key.expects})` : ''}`,
    );
  return { ok: true, value: s as ValueOf<K> };
}

/** Where values come from, highest precedence first; a source without the key passes it on. */
export interface ConfigSources<S extends ConfigSchema> {
  /** Values set in code and taken as they are, unchecked (the gateway's overrides: tests, load rigs). */
  trusted?: Partial<ConfigOf<S>>;
  /** Values set in code, checked like the rest. */
  values?: Partial<Record<keyof S, unknown>>;
  /** The environment: variable name → text. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Settings by key name (the edge agent's JSON file). */
  file?: Readonly<Record<string, unknown>>;
}

export interface ConfigProblem<S extends ConfigSchema> {
  name: keyof S & string;
  key: ConfigKey;
  problem: string;
}

/**
 * Reads every key of the schema from the sources (the default when none has it) and checks it.
 * Every problem is returned, not only the first: a person fixes them all in one go. A key with
 * a problem still gets a value (unchecked) so that checks across keys can run.
 */
export function readConfig<S extends ConfigSchema>(
  schema: S,
  sources: ConfigSources<S>,
): { config: ConfigOf<S>; problems: ConfigProblem<S>[] } {
  const out: Record<string, unknown> = {};
  const problems: ConfigProblem<S>[] = [];
  for (const [name, key] of Object.entries(schema) as [keyof S & string, ConfigKey][]) {
    const trusted = sources.trusted?.[name];
    if (trusted !== undefined) {
      out[name] = trusted;
      continue;
    }
    // A JSON null in the file is a value (of the wrong type), not an absent setting.
    const given = sources.values?.[name] ?? sources.env?.[key.env] ?? sources.file?.[name];
    const raw = given === undefined ? key.default : given;
    const checked = checkValue(key, raw);
    if (checked.ok) out[name] = checked.value;
    else {
      problems.push({ name, key, problem: checked.problem });
      out[name] = key.kind === 'int' ? Number(raw) : raw;
    }
  }
  return { config: out as ConfigOf<S>, problems };
}
