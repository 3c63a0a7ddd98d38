import { describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { flatPricer } from '../../../core/pricing.js';
import { flatFare } from '../../../core/tariff/flat.js';
import { csvColumns, csvField, csvLine } from '../../../gateway/src/http/csv.js';
import { cardState, tapInput } from '../../support/taps.js';

describe('CSV fields', () => {
  it.each([
    ['plain', 'bus-7', 'bus-7'],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a newline', 'a\nb', '"a\nb"'],
    ['a formula', '=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['a plus', '+1', "'+1"],
    ['an at', '@SUM(A1)', "'@SUM(A1)"],
    ['a negative number', -200, '-200'],
    ['a boolean', false, 'false'],
    ['nothing', undefined, ''],
  ])('%s', (_name, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes one line per record in the header order, time in UTC ISO form', () => {
    const r = planTap(cardState(), tapInput({ seq: 3 }), flatPricer(flatFare()), 0).record;
    const line = csvLine(r);
    expect(line.endsWith('\r\n')).toBe(true);
    const cells = line.trimEnd().split(',');
    expect(cells).toHaveLength(csvColumns.length);
    expect(cells[0]).toBe(new Date(r.at).toISOString());
    expect(cells[csvColumns.indexOf('deviceId')]).toBe('v1');
  });
});
