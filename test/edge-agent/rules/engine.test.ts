import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../../core/entry/rules.js';
import { noFacts } from '../../../core/facts.js';
import { profiles } from '../../../core/profiles.js';
import { EntryEngine } from '../../../edge-agent/src/rules/engine.js';
import { MemoryHistory } from '../../../edge-agent/src/rules/history.js';

const T = 'cd'.repeat(16);
const NOW = Date.parse('2026-11-23T02:00:00Z');
const MIN = 60_000;

function engine() {
  let acked = 0;
  const e = new EntryEngine({
    gate: {
      profile: profiles.bus_validator,
      rules: defaultRules.bus_validator,
      venueId: '',
      risk: { maxTapsPerCardPerHour: 0, maxUnconfirmedFen: 400, fareEstimateFen: 200 },
    },
    history: new MemoryHistory(10),
    lastAckedSeq: () => acked,
  });
  let seq = 0;
  const tap = (at: number, online = false) => {
    const d = e.decide(T, noFacts, at, online);
    e.passed(T, d, ++seq, at, !online);
    return d.decision.reason;
  };
  return { tap, ack: (upTo: number) => (acked = upTo) };
}

describe('entry engine on the device', () => {
  it('stops a card at the offline spending limit until the gateway confirms its taps', () => {
    const { tap, ack } = engine();
    expect([tap(NOW), tap(NOW + 10 * MIN), tap(NOW + 20 * MIN)]).toEqual(['OK', 'OK', 'OFFLINE_SPEND_LIMIT']);
    ack(1); // the first tap confirmed, the second not: still 400 unconfirmed
    expect(tap(NOW + 30 * MIN)).toBe('OFFLINE_SPEND_LIMIT');
    ack(4);
    expect(tap(NOW + 40 * MIN)).toBe('OK');
  });

  it('does not count online taps against the offline limit', () => {
    const { tap } = engine();
    expect([tap(NOW, true), tap(NOW + MIN, true), tap(NOW + 2 * MIN, true), tap(NOW + 3 * MIN)]).toEqual([
      'OK',
      'OK',
      'OK',
      'OK',
    ]);
  });
});
