import { describe, expect, it } from 'vitest';
import {
  afterPassage,
  currentHistory,
  emptyHistory,
  MAX_USED_ENTITLEMENTS,
  usesOf,
} from '../../../core/entry/history.js';
import { checkRules, defaultRules } from '../../../core/entry/rules.js';
import { localDay } from '../../../core/time.js';

const NOW = Date.parse('2026-11-23T02:00:00Z');
const HOUR = 3600_000;
const pass = {
  direction: 'board' as const,
  allowed: true,
  offline: true,
  seq: 7,
  estimateFen: 200,
  entitlementId: '',
};

describe('card history on the device', () => {
  it('records an allowed offline boarding: entry time, counts and unconfirmed spending', () => {
    const h = afterPassage(currentHistory(emptyHistory, NOW, 0), pass, NOW);
    expect(h).toMatchObject({
      lastEntryMs: NOW,
      entriesToday: 1,
      offlineTapsThisHour: 1,
      unconfirmedFen: 200,
      unconfirmedUptoSeq: 7,
    });
  });

  it('a refused tap changes nothing', () => {
    const h0 = currentHistory(emptyHistory, NOW, 0);
    expect(afterPassage(h0, { ...pass, allowed: false }, NOW)).toBe(h0);
  });

  it('an exit sets the exit time, not the entry time', () => {
    const h = afterPassage(
      currentHistory(emptyHistory, NOW, 0),
      { ...pass, direction: 'exit', offline: false },
      NOW,
    );
    expect(h).toMatchObject({ lastEntryMs: 0, lastExitMs: NOW, offlineTapsThisHour: 0, unconfirmedFen: 0 });
  });

  it('a new local day resets the entries, a new hour the offline taps; times stay', () => {
    const h = afterPassage(currentHistory(emptyHistory, NOW, 0), pass, NOW);
    const nextHour = currentHistory(h, NOW + HOUR, 0);
    expect(nextHour).toMatchObject({
      entriesToday: 1,
      offlineTapsThisHour: 0,
      lastEntryMs: NOW,
      unconfirmedFen: 200,
    });
    const nextDay = currentHistory(h, NOW + 24 * HOUR, 0);
    expect(nextDay).toMatchObject({ day: localDay(NOW) + 1, entriesToday: 0, lastEntryMs: NOW });
  });

  it('spending is confirmed once the gateway acked the newest tap in it, not before', () => {
    const h = afterPassage(currentHistory(emptyHistory, NOW, 0), pass, NOW);
    expect(currentHistory(h, NOW, 6).unconfirmedFen).toBe(200);
    expect(currentHistory(h, NOW, 7)).toMatchObject({ unconfirmedFen: 0, unconfirmedUptoSeq: 0 });
  });

  it('remembers entitlement uses, newest first, bounded', () => {
    let h = currentHistory(emptyHistory, NOW, 0);
    for (const id of ['a', 'b', 'a', 'c', 'd', 'e']) h = afterPassage(h, { ...pass, entitlementId: id }, NOW);
    expect(h.used.length).toBe(MAX_USED_ENTITLEMENTS);
    expect(h.used[0]).toEqual(['e', 1]);
    expect(usesOf(h, 'a')).toBe(2);
    expect(usesOf(h, 'b')).toBe(0); // the oldest fell out
  });
});

describe('entry rules', () => {
  it('every profile default is valid', () => {
    for (const rules of Object.values(defaultRules)) expect(checkRules(rules)).toEqual([]);
  });
  it('says what is wrong with a bad rule set', () => {
    expect(
      checkRules({ ...defaultRules.library_gate, antiPassbackMin: -1, exitWithoutEntry: 'maybe' as never }),
    ).toEqual([
      'antiPassbackMin must be a whole number from 0 to 1440, got -1',
      'exitWithoutEntry must be allow, flag or deny, got maybe',
    ]);
  });
});
