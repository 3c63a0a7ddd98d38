import { describe, expect, it } from 'vitest';
import {
  checkEntryRules,
  checkGates,
  gateConfig,
  gateRules,
  lateToleranceMin,
} from '../../../core/venue/gates.js';
import { museum, scenic } from './fixtures.js';

describe("a venue's gate rules", () => {
  it('are the profile defaults with the file’s overrides', () => {
    expect(gateRules(museum)).toMatchObject({
      antiPassbackMin: 5,
      slotToleranceBeforeMin: 15,
      slotToleranceAfterMin: 30,
    });
    expect(gateRules({ ...scenic, entryRules: { maxEntriesPerDay: 2 } })).toMatchObject({
      maxEntriesPerDay: 2,
      antiPassbackMin: 30,
    });
  });

  it('become the venue part of a gate’s edge config', () => {
    expect(gateConfig({ ...museum, entryRules: { slotToleranceAfterMin: 10 } })).toEqual({
      profile: 'museum_gate',
      venueId: 'museum',
      entryMaxPerDay: '0',
      entryAntiPassbackMin: '5',
      entryReentryAfterExit: 'true',
      entrySlotToleranceBeforeMin: '15',
      entrySlotToleranceAfterMin: '10',
      entryExitWithoutEntry: 'allow',
    });
  });

  it.each([
    ['not an object', 5, 'entryRules must be an object'],
    ['an unknown rule', { maxPeople: 3 }, 'entryRules.maxPeople is not an entry rule'],
    [
      'a negative tolerance',
      { slotToleranceAfterMin: -1 },
      'entryRules.slotToleranceAfterMin must be a whole number',
    ],
    [
      'a bad exit answer',
      { exitWithoutEntry: 'maybe' },
      'entryRules.exitWithoutEntry must be allow, flag or deny',
    ],
  ])('%s is refused', (_, raw, problem) => {
    expect(checkEntryRules('museum', raw).problems.some((p) => p.startsWith(problem))).toBe(true);
  });

  it('a gate of its own overrides the venue-wide rules; no-shows wait for the latest gate', () => {
    const venue = {
      ...museum,
      entryRules: { slotToleranceAfterMin: 20 },
      gates: { 'east-1': { slotToleranceAfterMin: 45, antiPassbackMin: 0 } },
    };
    expect(gateRules(venue)).toMatchObject({ slotToleranceAfterMin: 20, antiPassbackMin: 5 });
    expect(gateRules(venue, 'east-1')).toMatchObject({ slotToleranceAfterMin: 45, antiPassbackMin: 0 });
    expect(gateRules(venue, 'west-9')).toMatchObject({ slotToleranceAfterMin: 20 });
    expect(gateConfig(venue, 'east-1')).toMatchObject({
      entrySlotToleranceAfterMin: '45',
      entryAntiPassbackMin: '0',
    });
    expect(lateToleranceMin(venue)).toBe(45);
    expect(lateToleranceMin({ ...venue, gates: {} })).toBe(20);
  });

  it.each([
    ['not an object', [], 'gates must be an object of gate id → entry rules'],
    ['a bad gate id', { 'a b': {} }, "gates: 'a b' is not a device id"],
    [
      'a bad rule at one gate',
      { g1: { maxEntriesPerDay: -2 } },
      'gates.g1.maxEntriesPerDay must be a whole number',
    ],
  ])('per-gate rules: %s is refused', (_, raw, problem) => {
    expect(checkGates('museum', raw, {}).problems.some((p) => p.startsWith(problem))).toBe(true);
  });
});
