// rider_categories.txt prices → the tariff's riderCategories (concessions by card flag).
// GTFS says what a category pays, not who belongs to it; the card says who is a senior, a
// student… (concession flags). The operator maps categories to flags in a small file
// (--categories, { "<rider_category_id>": ["senior"] }); a category priced in the feed and
// missing from it is an error. The tariff's concession is free or a percentage of the cash
// price, so the category's prices must be one share of the default prices, else an error.
import type { ConcessionFlagName, FareProduct, RiderCategory } from '../model.js';
import type { CategoryPrice } from './products.js';
import type { Report } from './report.js';

export type CategoryFlags = Readonly<Record<string, readonly string[]>>;

const FLAGS: readonly ConcessionFlagName[] = ['senior', 'disabled', 'student', 'veteran'];

/** The percentages (0..100) p with floor(base·p/100) = fen for every pair; empty if none. */
function shares(pairs: { base: number; fen: number }[]): number[] {
  const out: number[] = [];
  for (let p = 0; p <= 100; p++)
    if (pairs.every((x) => Math.floor((x.base * p) / 100) === x.fen)) out.push(p);
  return out;
}

export function importCategories(
  prices: CategoryPrice[],
  names: Map<string, string>,
  products: FareProduct[],
  mapping: CategoryFlags | undefined,
  r: Report,
): RiderCategory[] {
  const out: RiderCategory[] = [];
  for (const id of Object.keys(mapping ?? {})) {
    if (!names.has(id)) r.error('categories file', `rider category '${id}' is not in rider_categories.txt`);
    for (const f of mapping![id]!)
      if (!FLAGS.includes(f as ConcessionFlagName))
        r.error('categories file', `rider category '${id}': unknown card flag '${f}' (${FLAGS.join(', ')})`);
  }
  const charged = new Map(products.map((p) => [p.id, p]));
  for (const [id, name] of names) {
    const own = prices.filter((x) => x.category === id && charged.has(x.product));
    if (own.length === 0) continue;
    const flags = mapping?.[id];
    if (flags === undefined) {
      r.error(
        own[0]!.where,
        `rider category '${id}' (${name || id}) is priced for products the rules charge, and no card flag says who belongs to it: map it in a categories file (--categories FILE, e.g. {"${id}": ["senior"]}; flags ${FLAGS.join(', ')}; [] drops its prices)`,
      );
      continue;
    }
    if (flags.length === 0) {
      r.warn(
        own[0]!.where,
        `rider category '${id}': mapped to no card flag, its ${own.length} price(s) dropped: its riders pay the default fare`,
      );
      continue;
    }
    // Every product the rules charge: the category's price, or the default one where it has none;
    // and its prices on the app medium against the product's QR price.
    const pairs = [...charged.values()]
      .filter((p) => p.amountFen > 0)
      .map((p) => ({
        base: p.amountFen,
        fen: own.find((x) => x.product === p.id && !x.qr)?.fen ?? p.amountFen,
        product: p.id,
      }))
      .concat(
        own
          .filter((x) => x.qr)
          .map((x) => {
            const p = charged.get(x.product)!;
            return { base: p.qrFen ?? p.amountFen, fen: x.fen, product: `${x.product} (app)` };
          }),
      );
    const ok = shares(pairs);
    if (ok.length === 0) {
      r.error(
        own[0]!.where,
        `rider category '${id}': its prices are not one share of the default prices (${pairs.map((x) => `${x.product} ${x.fen}/${x.base}`).join(', ')}); the tariff's concessions are free or a percentage of the cash price`,
      );
      continue;
    }
    // Several shares fit only for small amounts; all of them price these products alike.
    const percent = ok[0] === 0 ? 0 : ok[ok.length - 1]!;
    out.push({
      id,
      name: name || id,
      eligibleFlags: flags as ConcessionFlagName[],
      discount: percent === 0 ? { kind: 'free' } : { kind: 'percent_of_base', percent },
    });
    r.note(
      `rider category ${id}`,
      `cards with ${flags.join(' or ')} pay ${percent === 0 ? 'nothing' : `${percent}% of the cash price`}`,
    );
  }
  return out;
}
