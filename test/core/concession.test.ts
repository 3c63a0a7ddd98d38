import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../core/card.js';
import {
  applyConcession,
  builtInRegistry,
  concessionFor,
  concessionRegistry,
  DEVICE_RIDES_FREE,
} from '../../core/concession.js';

const registry = concessionRegistry([
  { name: 'BLOOD_DONOR', bit: 256, ridesFree: true },
  { name: 'TEACHER', bit: 512, ridesFree: false },
]);

describe('the concession registry', () => {
  it('holds the built-in concessions first, then those defined as data', () => {
    expect(builtInRegistry.names).toEqual(['SENIOR', 'DISABLED', 'STUDENT', 'VETERAN']);
    expect(registry.names).toEqual(['SENIOR', 'DISABLED', 'STUDENT', 'VETERAN', 'BLOOD_DONOR', 'TEACHER']);
  });

  it('finds a bit by name in either case (tariffs write senior, the card API SENIOR)', () => {
    expect(registry.bitOf('senior')).toBe(ConcessionFlag.SENIOR);
    expect(registry.bitOf('blood_donor')).toBe(256);
    expect(registry.bitOf('PENSIONER')).toBeUndefined();
    expect(builtInRegistry.bitOf('BLOOD_DONOR')).toBeUndefined();
  });

  it('turns names into a card’s flags and back', () => {
    const flags = registry.flagsOf(['STUDENT', 'BLOOD_DONOR']);
    expect(flags).toBe(ConcessionFlag.STUDENT | 256);
    expect(registry.namesOf(flags)).toEqual(['STUDENT', 'BLOOD_DONOR']);
  });

  it('gives devices the built-in bits as they are and a free concession of the tariff as bit 16', () => {
    expect(registry.deviceFlags(ConcessionFlag.SENIOR | ConcessionFlag.VETERAN)).toBe(9);
    expect(registry.deviceFlags(256)).toBe(DEVICE_RIDES_FREE);
    expect(registry.deviceFlags(ConcessionFlag.STUDENT | 256)).toBe(
      ConcessionFlag.STUDENT | DEVICE_RIDES_FREE,
    );
    // A concession that is only discounted gives the device nothing to decide with: not listed.
    expect(registry.deviceFlags(512)).toBe(0);
  });
});

describe('the concession a device applies', () => {
  it.each([
    [ConcessionFlag.SENIOR | ConcessionFlag.STUDENT, 'senior_free', 0],
    [ConcessionFlag.DISABLED, 'disabled_free', 0],
    [DEVICE_RIDES_FREE | ConcessionFlag.STUDENT, 'tariff_free', 0],
    [ConcessionFlag.STUDENT, 'student_half', 150],
    [ConcessionFlag.VETERAN, 'none', 301],
    [0, 'none', 301],
  ])('flags %i → %s (301 fen → %i)', (flags, applied, fen) => {
    expect(concessionFor(flags)).toBe(applied);
    expect(applyConcession(301, concessionFor(flags))).toBe(fen);
  });
});
