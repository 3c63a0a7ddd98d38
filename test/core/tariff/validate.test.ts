// A tariff file is checked before use, and every problem is reported with its path.
import { describe, expect, it } from 'vitest';
import { validateTariff } from '../../../core/tariff/validate.js';
import { beijingDoc } from './support.js';

describe('validating a tariff', () => {
  it('accepts the shipped Beijing tariff', () => {
    expect(validateTariff(beijingDoc()).ok).toBe(true);
  });

  it('rejects what is not an object', () => {
    expect(validateTariff([])).toEqual({ ok: false, errors: ['tariff: must be an object'] });
  });

  it('reports every problem at once, each with its path', () => {
    const doc = beijingDoc() as unknown as Record<string, unknown[]>;
    const broken = {
      ...doc,
      currency: 'yuan',
      products: [{ id: 'p', name: 'two yuan', amountFen: 2.5 }],
      legRules: [
        { legGroupId: 'g', networkId: 'nowhere', productId: 'p' },
        { legGroupId: 'h', networkId: 'bj-metro' },
      ],
      distanceScales: [
        {
          id: 's',
          bands: [
            { upToM: 6000, fen: 300 },
            { upToM: 5000, fen: 400 },
          ],
          beyond: { stepM: 0, fen: 100 },
        },
      ],
      spendTiers: [{ id: 't', networkIds: ['bj-metro'], tiers: [{ fromFen: 100, percentOff: 20 }] }],
      riderCategories: [{ id: 'c', name: 'c', eligibleFlags: ['pensioner'], discount: { kind: 'half' } }],
    };
    const v = validateTariff(broken);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.errors).toEqual([
      "tariff.currency: must be an ISO 4217 code such as 'CNY' (amounts in its minor unit: fen)",
      "riderCategories[0].eligibleFlags: unknown flag 'pensioner'",
      "riderCategories[0].discount.kind: must be 'free' or 'percent_of_base'",
      'products[0].amountFen: must be an integer in -100000000..100000000, got 2.5',
      'distanceScales[0].bands[1].upToM: bands must ascend',
      'distanceScales[0].beyond.stepM: must be an integer in 1..10000000, got 0',
      "legRules[0].networkId: unknown network 'nowhere'",
      'legRules[1]: needs exactly one of productId and distanceScaleId',
      'spendTiers[0].tiers[0].fromFen: the first tier must start at 0',
    ]);
  });

  it('accepts concessions of its own, and checks their names and card bits', () => {
    const doc = beijingDoc();
    const donor = { id: 'BLOOD_DONOR', name: 'blood donor', bit: 256 };
    const category = { id: 'd', name: 'd', eligibleFlags: ['blood_donor'], discount: { kind: 'free' } };
    expect(validateTariff({ ...doc, concessions: [donor], riderCategories: [category] }).ok).toBe(true);
    const v = validateTariff({
      ...doc,
      concessions: [
        donor,
        { ...donor, bit: 256 },
        { id: 'senior', name: 'x', bit: 300 },
        { id: 'SENIOR', name: '', bit: 8 },
      ],
      riderCategories: [category],
    });
    expect(!v.ok && v.errors).toEqual([
      "concessions[1].id: 'BLOOD_DONOR' is defined twice (or built in)",
      'concessions[1].bit: 256 is taken',
      'concessions[2].id: must be upper-case letters, digits and _ (at most 24), e.g. BLOOD_DONOR',
      'concessions[2].bit: must be a power of two from 256 to 2^30',
      "concessions[3].id: 'SENIOR' is defined twice (or built in)",
      'concessions[3].name: must be a non-empty string',
      'concessions[3].bit: must be a power of two from 256 to 2^30',
    ]);
  });

  it('rejects distances on a network without tap-out (no exit, no distance)', () => {
    const doc = beijingDoc();
    const v = validateTariff({
      ...doc,
      legRules: [{ legGroupId: 'g', networkId: 'bj-bus', distanceScaleId: 'bus-2014' }],
      lines: [{ ...doc.lines[0]!, networkId: 'bj-bus' }],
    });
    expect(!v.ok && v.errors).toEqual([
      "lines[0].networkId: network 'bj-bus' has no tapOut: distances need an entry and an exit",
      'legRules[0]: a distance rule needs the networkId of a network with tapOut',
    ]);
  });

  it('rejects a leg rule pointing at a product that does not exist', () => {
    const doc = beijingDoc();
    const v = validateTariff({ ...doc, legRules: [{ legGroupId: 'g', productId: 'gone' }] });
    expect(!v.ok && v.errors).toEqual(["legRules[0].productId: unknown product 'gone'"]);
  });

  it('rejects an unknown timezone, two catch-all networks, bad dates and unknown exceptions (GTFS import fields)', () => {
    const doc = beijingDoc();
    const v = validateTariff({
      ...doc,
      timezone: 'Mars/Olympus',
      networks: doc.networks.map((n) => ({ ...n, catchAll: true })),
      timeframes: [{ id: 'tf', startMin: 0, endMin: 60, fromDate: '2025-1-1' }],
      legRules: [
        {
          legGroupId: 'g',
          productId: doc.products[0]!.id,
          exceptFromAreaIds: ['nowhere'],
          toTimeframeId: 'gone',
        },
      ],
    });
    expect(!v.ok && v.errors).toEqual([
      "tariff.timezone: must be an IANA zone such as 'Asia/Shanghai'",
      'networks[1].catchAll: only one network can catch all routes',
      'networks[2].catchAll: only one network can catch all routes',
      "timeframes[0].fromDate: must be a date 'YYYY-MM-DD'",
      "legRules[0].toTimeframeId: unknown timeframe 'gone'",
      "legRules[0].exceptFromAreaIds: unknown area 'nowhere'",
    ]);
  });

  it('accepts a tariff in another timezone', () => {
    expect(validateTariff({ ...beijingDoc(), timezone: 'Europe/Warsaw' }).ok).toBe(true);
  });
});
