// Loads the store's Lua scripts (lua/verbNoun-<keys>.lua) once per connection with ioredis
// defineCommand, which sends EVALSHA and falls back to EVAL when Redis lost the script. The
// command names carry a version so two deployed gateway versions never call each other's
// script under one name.
import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { luaResultTable } from './redis-codes.js';

/** Bump when a script's KEYS or ARGV change meaning. */
const SCRIPT_VERSION = 2;

export type ScriptName =
  | 'commitEffects'
  | 'claimTaps'
  | 'issueCard'
  | 'setCardStatus'
  | 'changeDenyList'
  | 'changeList'
  | 'leaseOutbox'
  | 'noteLoginFailure'
  | 'forgiveLoginFailure'
  | 'revokeSession'
  | 'putDeadLetter'
  | VenueScriptName
  | PaymentScriptName;

/** Venue bookings and occupancy (redis-venues.ts). */
type VenueScriptName = 'placeBooking' | 'transitionBooking' | 'recordPassage';

/** Paid top-up orders and daily sums (redis-payments.ts). */
type PaymentScriptName = 'createOrder' | 'transitionOrder' | 'addDailyUse';

/** Scripts whose file name gives the fixed keys only; the caller passes more after them. */
const VARIADIC: ReadonlySet<ScriptName> = new Set(['commitEffects', 'placeBooking']);

export interface Scripts {
  run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

type Command = (...args: (string | number)[]) => Promise<unknown>;

export function defineScripts(redis: Redis): Scripts {
  const dir = new URL('./lua/', import.meta.url);
  const keyCounts = new Map<string, number>();
  for (const file of readdirSync(dir)) {
    const m = /^([a-z][A-Za-z]*)-(\d+)\.lua$/.exec(file);
    if (!m) continue;
    const [, name, keys] = m as unknown as [string, string, string];
    redis.defineCommand(commandName(name), {
      lua: luaResultTable() + readFileSync(new URL(file, dir), 'utf8'),
    });
    keyCounts.set(name, Number(keys));
  }
  return {
    run(name, keys, args) {
      const fixed = keyCounts.get(name);
      if (fixed === undefined) throw new Error(`no Lua script ${name} in ${dir.pathname}`);
      if (VARIADIC.has(name) ? keys.length < fixed : keys.length !== fixed)
        throw new Error(`Lua script ${name} takes ${fixed} keys, got ${keys.length}`);
      // Without numberOfKeys in defineCommand, the first argument is the key count.
      const command = (redis as unknown as Record<string, Command>)[commandName(name)]!;
      return command.call(redis, keys.length, ...keys, ...args);
    },
  };
}

function commandName(name: string): string {
  return `oc${SCRIPT_VERSION}_${name}`;
}
