// Rider categories: GTFS prices them, the card's concession flags say who belongs to them; the
// operator's mapping file joins the two, and what the tariff cannot say is an error.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../../core/card.js';
import { compileTariff } from '../../../../core/tariff/compile.js';
import { priceTap } from '../../../../core/tariff/engine.js';
import { type CategoryFlags, importGtfsFares } from '../../../../core/tariff/gtfs/import.js';
import { tap } from './support.js';

const T = Date.UTC(2025, 5, 2, 12, 0);
const feed = (seniorRows: string) => ({
  'rider_categories.txt':
    'rider_category_id,rider_category_name,is_default_fare_category\nadult,Adult,1\nsenior,Senior,0\n',
  'fare_products.txt': `fare_product_id,rider_category_id,amount,currency\nbus,adult,2.00,CNY\nrail,,4.00,CNY\n${seniorRows}`,
  'fare_leg_rules.txt': 'leg_group_id,from_area_id,fare_product_id\nrail,r,rail\nbus,,bus\n',
  'areas.txt': 'area_id\nr\n',
  'stop_areas.txt': 'area_id,stop_id\nr,s-rail\n',
});
const run = (seniorRows: string, flags?: CategoryFlags) =>
  importGtfsFares(feed(seniorRows), { id: 'c', name: 'c', ...(flags ? { categoryFlags: flags } : {}) });

describe('rider categories', () => {
  it('refuses a priced category no card flag is mapped to, naming the file, line and category', () => {
    expect(run('bus,senior,0.00,CNY\nrail,senior,0.00,CNY\n')).toMatchObject({
      ok: false,
      errors: [
        'fare_products.txt:4: rider category \'senior\' (Senior) is priced for products the rules charge, and no card flag says who belongs to it: map it in a categories file (--categories FILE, e.g. {"senior": ["senior"]}; flags senior, disabled, student, veteran; [] drops its prices)',
      ],
    });
  });

  it('maps free rides to a free concession: a senior card rides for nothing, the waived fare recorded', () => {
    const r = run('bus,senior,0.00,CNY\nrail,senior,0.00,CNY\n', { senior: ['senior'] });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.tariff.riderCategories).toEqual([
      { id: 'senior', name: 'Senior', eligibleFlags: ['senior'], discount: { kind: 'free' } },
    ]);
    const t = compileTariff(r.tariff);
    const p = priceTap(t, ConcessionFlag.SENIOR, {}, tap('board', 'B', 's-bus', T));
    expect(p).toMatchObject({ chargeFen: 0, baseFen: 200, reason: 'CONCESSION_FREE' });
    expect(priceTap(t, 0, {}, tap('board', 'B', 's-bus', T)).chargeFen).toBe(200);
  });

  it('maps half prices to 50 % of the cash price', () => {
    const r = run('bus,senior,1.00,CNY\nrail,senior,2.00,CNY\n', { senior: ['senior', 'disabled'] });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.tariff.riderCategories[0]!.discount).toEqual({ kind: 'percent_of_base', percent: 50 });
    const t = compileTariff(r.tariff);
    expect(priceTap(t, ConcessionFlag.DISABLED, {}, tap('board', 'R', 's-rail', T)).chargeFen).toBe(200);
  });

  it('refuses prices that are not one share of the default ones', () => {
    expect(run('bus,senior,1.00,CNY\nrail,senior,3.00,CNY\n', { senior: ['senior'] })).toMatchObject({
      ok: false,
      errors: [
        "fare_products.txt:4: rider category 'senior': its prices are not one share of the default prices (bus 100/200, rail 300/400); the tariff's concessions are free or a percentage of the cash price",
      ],
    });
  });

  it('drops the prices of a category mapped to no flag, as a warning to accept', () => {
    expect(run('bus,senior,1.00,CNY\n', { senior: [] })).toMatchObject({
      ok: true,
      warnings: [
        "fare_products.txt:4: rider category 'senior': mapped to no card flag, its 1 price(s) dropped: its riders pay the default fare",
      ],
    });
  });

  it('refuses a mapping naming an unknown category or flag', () => {
    expect(run('', { kids: ['child'] })).toMatchObject({
      ok: false,
      errors: [
        "categories file: rider category 'kids' is not in rider_categories.txt",
        "categories file: rider category 'kids': unknown card flag 'child' (senior, disabled, student, veteran)",
      ],
    });
  });
});
