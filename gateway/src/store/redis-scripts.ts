// The store's Lua scripts (lua/verbNoun-<keys>.lua), read once, each sent with EVALSHA by
// runScript (redis-client.ts), which falls back to EVAL when Redis lost the script. A script is
// known by the SHA-1 of its source, so two deployed gateway versions never run each other's
// script under one name.
import { readdirSync, readFileSync } from 'node:fs';
import {
  type Arg,
  type Durability,
  isCluster,
  type LuaScript,
  luaScript,
  nativeCommand,
  type RedisClient,
  release,
  runScript,
  sendWritten,
} from './redis-client.js';
import { luaResultTable } from './redis-codes.js';
import { commandArguments, keyAt, SplitKeys } from './resp.js';

export type ScriptName =
  | 'commitEffects'
  | 'claimTaps'
  | 'issueCard'
  | 'setCardStatus'
  | 'changeList'
  | 'leaseOutbox'
  | 'noteLoginFailure'
  | 'forgiveLoginFailure'
  | 'revokeSession'
  | 'putDeadLetter'
  | 'retireDevice'
  | VenueScriptName
  | PaymentScriptName;

/** Venue bookings and occupancy (redis-venues.ts). */
type VenueScriptName = 'placeBooking' | 'transitionBooking' | 'recordPassage';

/** Paid top-up orders and daily sums (redis-payments.ts). */
type PaymentScriptName = 'createOrder' | 'transitionOrder' | 'addDailyUse';

/** Scripts whose file name gives the fixed keys only; the caller passes more after them. */
const VARIADIC: ReadonlySet<ScriptName> = new Set(['commitEffects', 'claimTaps', 'placeBooking']);

export interface Scripts {
  /**
   * Runs the script (or its module command). A Joined argument (resp.ts) is copied before this
   * returns its promise: the caller may reuse what it views as soon as run has been called.
   */
  run(name: ScriptName, keys: readonly string[] | SplitKeys, args: readonly Arg[]): Promise<unknown>;
  /** The scripts that run as the module's commands now (fewer after a fall-back). */
  natives(): ReadonlySet<ScriptName>;
}

const LUA_DIR = new URL('./lua/', import.meta.url);
const LIB_DIR = new URL('./lua/lib/', import.meta.url);

/** Every script in lua/, by name, with its fixed key count; read from disk once. */
let loaded: Map<string, { script: LuaScript; keys: number }> | undefined;

function loadScripts(): Map<string, { script: LuaScript; keys: number }> {
  if (loaded) return loaded;
  loaded = new Map();
  // Shared Lua (lua/lib/*.lua: the card string's layout) goes in front of every script: scripts
  // cannot call each other, and a local function a script does not use costs nothing per call.
  const lib = readdirSync(LIB_DIR)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((f) => readFileSync(new URL(f, LIB_DIR), 'utf8'))
    .join('\n');
  for (const file of readdirSync(LUA_DIR)) {
    const m = /^([a-z][A-Za-z]*)-(\d+)\.lua$/.exec(file);
    if (!m) continue;
    const [, name, keys] = m as unknown as [string, string, string];
    const lua = `${luaResultTable()}${lib}\n${readFileSync(new URL(file, LUA_DIR), 'utf8')}`;
    loaded.set(name, { script: luaScript(lua), keys: Number(keys) });
  }
  return loaded;
}

/**
 * Scripts that onecard's Redis module (native/, docs/decisions/0232) also has as a command, with
 * the same keys, arguments and reply: the command's name.
 */
export const NATIVE_COMMANDS: Partial<Record<ScriptName, string>> = {
  commitEffects: 'onecard.commit',
  claimTaps: 'onecard.claim',
};

/**
 * The scripts, run on this client; with durability, each waits for its replicas (decision 0194).
 * `natives`: the scripts to run as the module's commands instead (the caller found them in
 * Redis). A command Redis no longer knows (a failover to a node without the module) is answered
 * "unknown command" before anything ran: the script runs instead, from then on.
 */
export function defineScripts(
  client: RedisClient,
  durability?: Durability,
  natives: ReadonlySet<ScriptName> = new Set(),
): Scripts {
  const scripts = loadScripts();
  const useNative = new Set(natives);
  return {
    natives: () => useNative,
    async run(name, keys, args) {
      const s = scripts.get(name);
      if (s === undefined) throw new Error(`no Lua script ${name} in ${LUA_DIR.pathname}`);
      if (VARIADIC.has(name) ? keys.length < s.keys : keys.length !== s.keys)
        throw new Error(`Lua script ${name} takes ${s.keys} keys, got ${keys.length}`);
      const command = useNative.has(name) ? NATIVE_COMMANDS[name] : undefined;
      // A script takes its keys as strings; the module's command is written from split ones (0244).
      if (command === undefined)
        return runScript(
          client,
          s.script,
          keys instanceof SplitKeys ? keys.joined() : keys,
          args,
          durability,
        );
      // Written now, every argument copied once into it: the caller's Joined ones may be reused
      // once this call yields (0236).
      const written = nativeCommand(command, keys, args);
      let sent: Buffer[];
      try {
        return await sendWritten(client, written, keys.length === 0 ? undefined : keyAt(keys, 0), durability);
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('ERR unknown command'))) throw err;
        useNative.delete(name);
        // Refused before it ran: the same keys and arguments for the script, copied from the
        // bytes that were sent (the caller's may be gone, and these go back to be reused).
        sent = commandArguments(written.bytes).map((b) => Buffer.from(b));
      } finally {
        release(written);
      }
      const keyCount = keys.length;
      return runScript(client, s.script, sent.slice(1, 1 + keyCount), sent.slice(1 + keyCount), durability);
    },
  };
}

/**
 * The scripts of `wanted` whose commands this Redis has (COMMAND INFO; a Cluster is not asked: its
 * client would route a module command by no key, so the scripts run there).
 */
export async function nativesOf(
  client: RedisClient,
  wanted: readonly ScriptName[],
): Promise<Set<ScriptName>> {
  const found = new Set<ScriptName>();
  if (isCluster(client)) return found;
  const names = wanted.filter((n) => NATIVE_COMMANDS[n] !== undefined);
  if (names.length === 0) return found;
  const info = (await client.call('COMMAND', 'INFO', ...names.map((n) => NATIVE_COMMANDS[n]!))) as unknown[];
  names.forEach((n, i) => {
    if (Array.isArray(info[i])) found.add(n);
  });
  return found;
}
