// Store generations (docs/decisions/0184): a store's lists are numbered 1, 2, 3, ... from its
// creation, so a store restored from a backup numbers again versions that devices already hold
// with other content. A generation names one run of numbers: created with the store (or after
// a restore), carried and signed in every SignedList. A device takes a snapshot of a later
// generation whatever its version, and nothing of an earlier one. "Later" is the time the
// generation began, written into it, so a replayed snapshot of an older generation cannot roll
// a device back; the random part keeps two generations begun in one millisecond apart.
// Pure: the time and the random bytes are passed in.

const GENERATION = /^(\d{13,15})-([0-9a-f]{16})$/;

/** "<Unix ms the generation began>-<16 hex random>". */
export function newGeneration(beganAtMs: number, random: Uint8Array): string {
  if (!Number.isSafeInteger(beganAtMs) || beganAtMs < 1e12) throw new RangeError(`not a time: ${beganAtMs}`);
  if (random.length !== 8) throw new RangeError('a generation takes 8 random bytes');
  return `${beganAtMs}-${Buffer.from(random).toString('hex')}`;
}

export function isGeneration(s: string): boolean {
  return GENERATION.test(s);
}

/** When the generation began (Unix ms), or undefined for a malformed one. */
export function generationStart(g: string): number | undefined {
  const m = GENERATION.exec(g);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether a device holding a list of generation `local` takes a snapshot of `incoming` without
 * regard to its version: incoming began later. A device with no generation yet ('') keeps the
 * version rule (it may hold lists from before generations; taking any snapshot would let an old
 * one roll it back).
 */
export function isLaterGeneration(incoming: string, local: string): boolean {
  const a = generationStart(incoming);
  const b = generationStart(local);
  return a !== undefined && b !== undefined && a > b;
}
