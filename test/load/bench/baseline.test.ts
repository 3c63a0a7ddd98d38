import { describe, expect, it } from 'vitest';
import { type ProfileName, profiles } from '../../../core/profiles.js';
import { decideCardTap } from '../../../load/bench/baseline.js';
import type { DenyReasonName } from '../../../protos/codec.js';

describe('edge decision for a card tap', () => {
  const cases: Array<[ProfileName, DenyReasonName | undefined, 'allow' | 'deny', string]> = [
    ['bus_validator', undefined, 'allow', 'OK'],
    ['metro_entry_gate', undefined, 'allow', 'ENTRY_RECORDED'],
    ['metro_exit_gate', undefined, 'allow', 'OK'],
    ['bus_validator', 'lost', 'deny', 'CARD_LOST'],
    ['metro_entry_gate', 'lost', 'deny', 'CARD_LOST'],
    ['metro_exit_gate', 'frozen', 'deny', 'CARD_FROZEN'],
    ['bus_validator', 'negative_balance', 'deny', 'BALANCE_NEGATIVE'],
  ];
  it.each(cases)('%s with deny entry %s → %s (%s)', (profile, denied, decision, reason) => {
    const d = decideCardTap(profiles[profile], denied);
    expect(d.decision).toBe(decision);
    expect(d.reason).toBe(reason);
    expect(d.display.zh.length).toBeGreaterThan(0);
    expect(d.display.en.length).toBeGreaterThan(0);
  });
});
