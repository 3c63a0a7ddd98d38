// Result codes of the store's Lua scripts, defined here once. redis-scripts.ts prepends them to
// every script as the Lua table RC (e.g. RC.DUPLICATE), so Lua never spells a bare number.
export const ScriptResult = {
  /** Nothing to do: the card exists already, a list already as asked, another owner leases. */
  NOOP: 0,
  /** Done as asked. */
  OK: 1,
  /** commitEffects: the dedupe key was seen; the original result follows. */
  DUPLICATE: 2,
  /** commitEffects: the card's version is not the expected one; nothing changed. */
  CONFLICT: 3,
  /** setCardStatus: no such card. transitionBooking: no such booking. */
  NOT_FOUND: 4,
  /** placeBooking: the capacity counter would pass its limit. revokeSession: the set is full. */
  FULL: 5,
} as const;

export type ScriptResultCode = (typeof ScriptResult)[keyof typeof ScriptResult];

/** One line of Lua, so line numbers in Redis error messages still match the .lua files. */
export function luaResultTable(): string {
  const fields = Object.entries(ScriptResult).map(([name, code]) => `${name} = ${code}`);
  return `local RC = { ${fields.join(', ')} } `;
}

/** Turns a code a script returned into one of ours, or fails loudly on anything else. */
export function resultCode(script: string, value: unknown): ScriptResultCode {
  const codes: readonly unknown[] = Object.values(ScriptResult);
  if (!codes.includes(value))
    throw new Error(`Lua script ${script} returned an unknown code: ${String(value)}`);
  return value as ScriptResultCode;
}
