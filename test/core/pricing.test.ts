import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../core/card.js';
import type { TapInput } from '../../core/ledger.js';
import { flatPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { cardState, tapInput } from '../support/taps.js';

const price = flatPricer(flatFare({ busFlatFen: 200, metroFlatFen: 300 }));

describe('the flat fare as a Pricer', () => {
  it.each<[string, TapInput['direction'], number, object]>([
    [
      'an ordinary bus ride: the base line only',
      'board',
      0,
      { chargeFen: 200, reason: 'OK', lines: [{ kind: 'base', fen: 200, note: 'flat fare' }] },
    ],
    [
      'a senior rides free: the base line and a concession line taking it all back',
      'board',
      ConcessionFlag.SENIOR,
      {
        chargeFen: 0,
        reason: 'CONCESSION_FREE',
        lines: [
          { kind: 'base', fen: 200, note: 'flat fare' },
          { kind: 'concession', fen: -200, note: 'senior_free' },
        ],
      },
    ],
    [
      'a student pays half at a metro exit',
      'exit',
      ConcessionFlag.STUDENT,
      {
        chargeFen: 150,
        reason: 'OK',
        lines: [
          { kind: 'base', fen: 300, note: 'flat fare' },
          { kind: 'concession', fen: -150, note: 'student_half' },
        ],
      },
    ],
    [
      'a metro entry: no line at all',
      'entry',
      ConcessionFlag.SENIOR,
      { chargeFen: 0, reason: 'ENTRY_RECORDED', lines: [] },
    ],
  ])('%s', (_name, direction, flags, expected) => {
    const q = price(cardState({ flags }), tapInput({ direction }));
    expect({ chargeFen: q.chargeFen, reason: q.reason, lines: q.lines }).toEqual(expected);
  });
});
