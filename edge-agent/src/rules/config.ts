// The gate's entry rules and offline limits from the edge configuration: the profile's
// defaults (core/entry/rules.ts) with the configured overrides on top.
import type { Gate } from '../../../core/entry/decide.js';
import { defaultRules, type EntryRules, type ExitWithoutEntry } from '../../../core/entry/rules.js';
import { profiles } from '../../../core/profiles.js';
import type { EdgeConfig } from '../config.js';

type RuleKeys =
  | 'profile'
  | 'entryMaxPerDay'
  | 'entryAntiPassbackMin'
  | 'entryReentryAfterExit'
  | 'entrySlotToleranceBeforeMin'
  | 'entrySlotToleranceAfterMin'
  | 'entryExitWithoutEntry';

export function entryRulesFrom(c: Pick<EdgeConfig, RuleKeys>): EntryRules {
  const d = defaultRules[c.profile];
  const n = (v: string, fallback: number) => (v === '' ? fallback : Number(v));
  return {
    maxEntriesPerDay: n(c.entryMaxPerDay, d.maxEntriesPerDay),
    antiPassbackMin: n(c.entryAntiPassbackMin, d.antiPassbackMin),
    reentryAfterExit:
      c.entryReentryAfterExit === '' ? d.reentryAfterExit : c.entryReentryAfterExit === 'true',
    slotToleranceBeforeMin: n(c.entrySlotToleranceBeforeMin, d.slotToleranceBeforeMin),
    slotToleranceAfterMin: n(c.entrySlotToleranceAfterMin, d.slotToleranceAfterMin),
    exitWithoutEntry:
      c.entryExitWithoutEntry === '' ? d.exitWithoutEntry : (c.entryExitWithoutEntry as ExitWithoutEntry),
  };
}

export function gateFrom(c: EdgeConfig): Gate {
  return {
    profile: profiles[c.profile],
    rules: entryRulesFrom(c),
    venueId: c.venueId,
    risk: {
      maxTapsPerCardPerHour: c.offlineMaxTapsPerCardPerHour,
      maxUnconfirmedFen: c.offlineMaxUnconfirmedFen,
      fareEstimateFen: c.offlineFareEstimateFen,
    },
  };
}
