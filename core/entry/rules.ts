// Entry rules as data (the pretix way): per gate, a handful of numbers evaluated against a small
// set of variables (the card's facts, the device's history of the card, now). Each profile has
// defaults; a gate's configuration may override any of them (edge-agent config entry* keys).
// See docs/decisions/0080-device-kinds-and-entry-rules.md for why the defaults are what they are.
import type { ProfileName } from '../profiles.js';

/** What an exit gate answers when it knows of no entry for the card. */
export type ExitWithoutEntry = 'allow' | 'flag' | 'deny';

export interface EntryRules {
  /** Passages per card and local (UTC+8) day at this gate; 0 means unlimited. */
  maxEntriesPerDay: number;
  /** Anti-passback: the same card cannot pass this gate again within this many minutes; 0 off. */
  antiPassbackMin: number;
  /** An exit recorded after the last entry lifts the anti-passback window (re-entry after exit). */
  reentryAfterExit: boolean;
  /** A reservation or ticket slot admits this many minutes before it starts. */
  slotToleranceBeforeMin: number;
  /** ... and this many minutes after it ends. */
  slotToleranceAfterMin: number;
  /**
   * An exit with no entry known: 'allow' does not check, 'flag' opens and records
   * EXIT_WITHOUT_ENTRY for the operator, 'deny' keeps the gate shut (see the staff).
   */
  exitWithoutEntry: ExitWithoutEntry;
}

const base: EntryRules = {
  maxEntriesPerDay: 0,
  antiPassbackMin: 0,
  reentryAfterExit: true,
  slotToleranceBeforeMin: 0,
  slotToleranceAfterMin: 0,
  exitWithoutEntry: 'allow',
};

export const defaultRules: Readonly<Record<ProfileName, EntryRules>> = {
  // Paying for a companion with a second tap is common on buses: no passback by default.
  bus_validator: { ...base },
  metro_entry_gate: { ...base, antiPassbackMin: 20 },
  // A lone exit gate sees no entries (they happen at other gates), so it does not check them
  // unless configured to (a reader that reads the entry off the card chip, or a gate pair).
  metro_exit_gate: { ...base, antiPassbackMin: 2 },
  station_id_gate: { ...base, antiPassbackMin: 5 },
  library_gate: { ...base, antiPassbackMin: 1 },
  museum_gate: { ...base, antiPassbackMin: 5, slotToleranceBeforeMin: 15, slotToleranceAfterMin: 30 },
  // 旅游年卡: one entry per park per day is the usual annual-pass rule.
  scenic_turnstile: {
    ...base,
    maxEntriesPerDay: 1,
    antiPassbackMin: 30,
    slotToleranceBeforeMin: 30,
    slotToleranceAfterMin: 60,
  },
};

/** Problems with a rules object (empty when valid), in words for the person configuring a gate. */
export function checkRules(rules: EntryRules): string[] {
  const problems: string[] = [];
  const minutes = (name: keyof EntryRules, max: number) => {
    const v = rules[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
      problems.push(`${name} must be a whole number from 0 to ${max}, got ${String(v)}`);
  };
  minutes('maxEntriesPerDay', 10_000);
  minutes('antiPassbackMin', 1440);
  minutes('slotToleranceBeforeMin', 1440);
  minutes('slotToleranceAfterMin', 1440);
  if (typeof rules.reentryAfterExit !== 'boolean') problems.push('reentryAfterExit must be true or false');
  if (!['allow', 'flag', 'deny'].includes(rules.exitWithoutEntry))
    problems.push(`exitWithoutEntry must be allow, flag or deny, got ${String(rules.exitWithoutEntry)}`);
  return problems;
}

/** Offline risk limits: what a device allows a card while it cannot reach the gateway. */
export interface OfflineRiskLimits {
  /** Offline taps per card per clock hour; 0 means unlimited. */
  maxTapsPerCardPerHour: number;
  /** Unconfirmed spending per card, fen, estimated by the device; 0 means unlimited. */
  maxUnconfirmedFen: number;
  /**
   * What the device counts per fare-paying tap (boarding, exit) before concessions: the
   * device does not hold the tariff, so it bounds the risk with an estimate.
   */
  fareEstimateFen: number;
}

export const noRiskLimits: OfflineRiskLimits = {
  maxTapsPerCardPerHour: 0,
  maxUnconfirmedFen: 0,
  fareEstimateFen: 0,
};
