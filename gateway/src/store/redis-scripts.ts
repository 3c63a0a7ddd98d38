// The store's Lua scripts (lua/verbNoun-<keys>.lua), read once, each sent with EVALSHA by
// runScript (redis-client.ts), which falls back to EVAL when Redis lost the script. A script is
// known by the SHA-1 of its source, so two deployed gateway versions never run each other's
// script under one name.
import { readdirSync, readFileSync } from 'node:fs';
import { type Durability, type LuaScript, luaScript, type RedisClient, runScript } from './redis-client.js';
import { luaResultTable } from './redis-codes.js';

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
  run(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
  ): Promise<unknown>;
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

/** The scripts, run on this client; with durability, each waits for its replicas (decision 0194). */
export function defineScripts(client: RedisClient, durability?: Durability): Scripts {
  const scripts = loadScripts();
  return {
    run(name, keys, args) {
      const s = scripts.get(name);
      if (s === undefined) throw new Error(`no Lua script ${name} in ${LUA_DIR.pathname}`);
      if (VARIADIC.has(name) ? keys.length < s.keys : keys.length !== s.keys)
        throw new Error(`Lua script ${name} takes ${s.keys} keys, got ${keys.length}`);
      return runScript(client, s.script, keys, args, durability);
    },
  };
}
