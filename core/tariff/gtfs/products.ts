// fare_media.txt, rider_categories.txt and fare_products.txt → the tariff's media and products.
// The tariff keeps one price per product, the one a card tap pays (docs/decisions/0112):
// the price on the transit-card medium (type 2), else the price with no medium; an e-card QR
// tap pays the app medium's (type 4) price where it differs (qrFen). Prices on media no card tap
// uses (cash, paper, bank cards) change nothing: notes; a product sold only on them is charged
// to the card only when no rule for the same legs sells one on the card. Prices for a rider
// category other than the default one become concessions by card flag (./categories.ts).
import type { FareMedium, FareProduct } from '../model.js';
import type { Table } from './csv.js';
import { at, type Report } from './report.js';

const MEDIUM_TYPES: Record<string, string> = {
  '0': 'none (cash or paid on board)',
  '1': 'paper ticket',
  '2': 'transit card',
  '3': 'contactless bank card (cEMV)',
  '4': 'mobile app',
};

export interface CategoryPrice {
  category: string;
  product: string;
  fen: number;
  where: string;
  /** A price on the app medium (compared with the product's QR price). */
  qr: boolean;
}

export interface Priced {
  products: FareProduct[];
  media: FareMedium[];
  /** Rider categories by id, with their names. */
  categories: Map<string, string>;
  /** Prices for rider categories other than the default one (card, app or no medium). */
  categoryPrices: CategoryPrice[];
  currency: string | undefined;
  /**
   * Products sold only on media no card tap uses (cash, paper, bank cards), with the warning
   * charging them to the card would deserve; the rules decide (./rules.ts): a rule for the same
   * legs with a product sold on the card makes them irrelevant.
   */
  offCard: Map<string, { where: string; text: string }>;
}

/** "2.75" → 275: decimal text to minor units without floats; undefined if not a 2-decimal amount. */
export function minorUnits(text: string): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -value : value;
}

function importMedia(
  t: Table | undefined,
  r: Report,
): { media: FareMedium[]; as: Map<string, 'card' | 'qr'> } {
  const media: FareMedium[] = [];
  const as = new Map<string, 'card' | 'qr'>();
  for (const row of t?.rows ?? []) {
    const id = row.get('fare_media_id');
    const type = row.get('fare_media_type');
    const mapped = type === '2' ? 'card' : type === '4' ? 'qr' : undefined;
    if (!(type in MEDIUM_TYPES)) {
      r.error(at(t!, row.line), `fare_media ${id}: fare_media_type '${type}' is not 0..4`);
      continue;
    }
    if (!mapped || media.some((m) => m.id === mapped)) {
      r.note(
        at(t!, row.line),
        `fare_media ${id} (type ${type}, ${MEDIUM_TYPES[type]}): kept out; no card or e-card tap pays with it, so its prices are not charged`,
      );
      continue;
    }
    as.set(id, mapped);
    media.push({
      id: mapped,
      name: row.get('fare_media_name') || id,
      type: mapped === 'card' ? 'physical_card' : 'ecard_qr',
    });
  }
  r.count(t, `${media.length} media (${media.map((m) => m.id).join(', ') || 'none'})`);
  return { media, as };
}

export function importProducts(
  mediaTable: Table | undefined,
  categoryTable: Table | undefined,
  t: Table | undefined,
  used: Set<string>,
  r: Report,
): Priced {
  const { media, as } = importMedia(mediaTable, r);
  const categories = new Map<string, boolean>();
  for (const row of categoryTable?.rows ?? [])
    categories.set(row.get('rider_category_id'), row.get('is_default_fare_category') === '1');
  r.count(categoryTable, `${categories.size} categories (the default one prices products)`);

  type Row = { line: number; medium: string; category: string; fen: number; name: string };
  const rows = new Map<string, Row[]>();
  let currency: string | undefined;
  for (const row of t?.rows ?? []) {
    const where = at(t!, row.line);
    const id = row.get('fare_product_id');
    const fen = minorUnits(row.get('amount'));
    const medium = row.get('fare_media_id');
    const category = row.get('rider_category_id');
    if (!id) r.error(where, 'fare_product_id is empty');
    if (fen === undefined) r.error(where, `amount '${row.get('amount')}' is not a 2-decimal amount`);
    const cur = row.get('currency');
    if (currency === undefined) currency = cur;
    else if (cur !== currency) r.error(where, `currency ${cur} differs from ${currency}`);
    if (medium && !as.has(medium) && !mediaTable?.rows.some((m) => m.get('fare_media_id') === medium))
      r.error(where, `fare_media_id '${medium}' is not in fare_media.txt`);
    if (category && !categories.has(category))
      r.error(where, `rider_category_id '${category}' is not in rider_categories.txt`);
    if (!id || fen === undefined) continue;
    rows.set(id, [
      ...(rows.get(id) ?? []),
      { line: row.line, medium, category, fen, name: row.get('fare_product_name') },
    ]);
  }

  const products: FareProduct[] = [];
  const offCard = new Map<string, { where: string; text: string }>();
  const categoryPrices: CategoryPrice[] = [];
  const unused = [...rows.keys()].filter((id) => !used.has(id));
  if (unused.length > 0)
    r.note(t!.file, `products no leg or transfer rule uses, left out: ${unused.join(', ')}`);
  for (const [id, all] of rows) {
    if (!used.has(id)) continue;
    const base = all.filter((x) => x.category === '' || categories.get(x.category) === true);
    // Other categories' prices on the card (or on no medium) go to ./categories.ts.
    for (const x of all)
      if (!base.includes(x) && (x.medium === '' || as.has(x.medium)))
        categoryPrices.push({
          category: x.category,
          product: id,
          fen: x.fen,
          where: at(t!, x.line),
          qr: as.get(x.medium) === 'qr',
        });
    const one = (pick: (x: Row) => boolean): Row | undefined => {
      const found = base.filter(pick);
      for (const x of found.slice(1))
        if (x.fen !== found[0]!.fen)
          r.error(
            at(t!, x.line),
            `product ${id}: a second price ${x.fen} for the same medium and category (first ${found[0]!.fen})`,
          );
      return found[0];
    };
    const unknown = one((x) => x.medium === '');
    const card = one((x) => as.get(x.medium) === 'card') ?? unknown;
    const qr = one((x) => as.get(x.medium) === 'qr') ?? unknown;
    const others = base.filter((x) => x.medium !== '' && !as.has(x.medium));
    for (const x of others)
      if (card || qr)
        r.note(
          at(t!, x.line),
          `product ${id}: price ${x.fen} on medium ${x.medium} not charged (no card tap uses that medium)`,
        );
    const chosen = card ?? qr ?? others[0];
    if (!chosen) {
      r.error(at(t!, all[0]!.line), `product ${id}: no price for the default rider category`);
      continue;
    }
    if (!card && !qr)
      offCard.set(id, {
        where: at(t!, chosen.line),
        text: `product ${id}: priced only on medium ${chosen.medium}, which no card tap uses; card taps would be charged its price ${chosen.fen}`,
      });
    if (!card && qr)
      offCard.set(id, {
        where: at(t!, qr.line),
        text: `product ${id}: sold only on the app medium ${qr.medium}; card taps would be charged its price ${qr.fen}`,
      });
    const product: FareProduct = { id, name: chosen.name || id, amountFen: chosen.fen };
    // The e-card QR pays the app medium's price (else the price with no medium) where it differs.
    if (qr && qr.fen !== chosen.fen) product.qrFen = qr.fen;
    products.push(product);
  }
  r.count(t, `${products.length} products`);
  const names = new Map(
    (categoryTable?.rows ?? []).map((row) => [row.get('rider_category_id'), row.get('rider_category_name')]),
  );
  return { products, media, categories: names, currency, offCard, categoryPrices };
}
