import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { type FareInput, flatFare } from '../../../core/tariff/flat.js';

const fare = flatFare({ busFlatFen: 200, metroFlatFen: 300 });
const tap = (direction: FareInput['direction'], flags = 0): FareInput => ({
  direction,
  flags,
  operatorId: 'op',
  routeId: 'r1',
});

describe('flat fare', () => {
  it.each([
    ['bus ride, no concession', tap('board'), { baseFen: 200, fareFen: 200, concession: 'none' }],
    ['metro entry costs nothing yet', tap('entry'), { baseFen: 0, fareFen: 0, concession: 'none' }],
    ['metro exit charges the metro fare', tap('exit'), { baseFen: 300, fareFen: 300, concession: 'none' }],
    [
      'senior rides free',
      tap('board', ConcessionFlag.SENIOR),
      { baseFen: 200, fareFen: 0, concession: 'senior_free' },
    ],
    [
      'disabled rider rides free',
      tap('exit', ConcessionFlag.DISABLED),
      { baseFen: 300, fareFen: 0, concession: 'disabled_free' },
    ],
    [
      'student pays half',
      tap('board', ConcessionFlag.STUDENT),
      { baseFen: 200, fareFen: 100, concession: 'student_half' },
    ],
    [
      'a free group wins over the student half fare',
      tap('board', ConcessionFlag.STUDENT | ConcessionFlag.SENIOR),
      { baseFen: 200, fareFen: 0, concession: 'senior_free' },
    ],
    [
      'an entry shows no concession (nothing to discount)',
      tap('entry', ConcessionFlag.SENIOR),
      { baseFen: 0, fareFen: 0, concession: 'none' },
    ],
  ])('%s', (_name, input, expected) => {
    expect(fare(input)).toEqual(expected);
  });

  it('rounds a student half of an odd fare down to the fen', () => {
    expect(flatFare({ busFlatFen: 150, metroFlatFen: 0 })(tap('board', ConcessionFlag.STUDENT)).fareFen).toBe(
      75,
    );
    expect(flatFare({ busFlatFen: 155, metroFlatFen: 0 })(tap('board', ConcessionFlag.STUDENT)).fareFen).toBe(
      77,
    );
  });
});
