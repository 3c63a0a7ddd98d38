// GTFS-Fares v2 → tariff document (../model.ts). Pure: takes the files' texts, returns the tariff
// and notes on what did not map, or every error found. docs/tariffs.md has the mapping table.
import type {
  FareMedium,
  FareProduct,
  LegRule,
  Network,
  TapOutRules,
  TariffDoc,
  Timeframe,
  TransferRule,
} from '../model.js';
import { TARIFF_FORMAT } from '../model.js';
import { validateTariff } from '../validate.js';
import { parseCsv, type Table } from './csv.js';

export type Imported = { ok: true; tariff: TariffDoc; notes: string[] } | { ok: false; errors: string[] };

export interface ImportOptions {
  id: string;
  name: string;
  /** GTFS has no tap-out: networks whose leg rules need the exit stop (to_area_id) get these. */
  tapOut?: TapOutRules;
}

const TRANSFER_TYPES = ['a_ab', 'a_ab_b', 'ab'] as const;
const LIMIT_TYPES = ['dep_arr', 'dep_dep', 'arr_dep', 'arr_arr'] as const;
const UNMAPPED_FILES = ['fare_leg_join_rules.txt', 'fare_attributes.txt', 'fare_rules.txt'];

/** "2.75" → 275: decimal text to minor units without floats; undefined if not a 2-decimal amount. */
export function minorUnits(text: string): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -value : value;
}

function minute(text: string, fallback: number): number | undefined {
  if (text === '') return fallback;
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function importGtfsFares(files: Readonly<Record<string, string>>, opts: ImportOptions): Imported {
  const errors: string[] = [];
  const notes: string[] = [];
  const table = (name: string, required = false): Table | undefined => {
    const text = files[name];
    if (text === undefined) {
      if (required) errors.push(`${name}: missing (required for a fares v2 import)`);
      return undefined;
    }
    return parseCsv(name, text);
  };
  const at = (t: Table, line: number) => `${t.file}:${line}`;
  for (const f of UNMAPPED_FILES)
    if (files[f] !== undefined) notes.push(`${f}: not imported (not part of the mapping)`);

  // Products: one price per product id. GTFS may price a product per medium and rider category;
  // the price with neither (else the first row) is the cash price, the others are noted.
  const products = new Map<string, FareProduct>();
  const cashPriced = new Set<string>();
  const firstRow = new Map<string, [string, string]>();
  let currency: string | undefined;
  const productTable = table('fare_products.txt', true);
  for (const r of productTable?.rows ?? []) {
    const id = r.get('fare_product_id');
    const amount = minorUnits(r.get('amount'));
    const where = at(productTable!, r.line);
    if (!id) errors.push(`${where}: fare_product_id is empty`);
    if (amount === undefined) errors.push(`${where}: amount '${r.get('amount')}' is not a 2-decimal amount`);
    const cur = r.get('currency');
    if (currency === undefined) currency = cur;
    else if (cur !== currency) errors.push(`${where}: currency ${cur} differs from ${currency}`);
    if (!id || amount === undefined) continue;
    const plain = r.get('fare_media_id') === '' && r.get('rider_category_id') === '';
    const existing = products.get(id);
    const product = { id, name: r.get('fare_product_name') || id, amountFen: amount };
    const other = (p: FareProduct, medium: string, category: string) =>
      `${id}: price ${p.amountFen} for medium '${medium}' / rider category '${category}' not mapped (the tariff keeps one cash price per product)`;
    if (!existing) {
      products.set(id, product);
      if (plain) cashPriced.add(id);
      else firstRow.set(id, [r.get('fare_media_id'), r.get('rider_category_id')]);
    } else if (plain && !cashPriced.has(id)) {
      // The cash row came after a medium's or category's row: it wins, the earlier one is noted.
      const [medium, category] = firstRow.get(id)!;
      notes.push(other(existing, medium, category));
      products.set(id, product);
      cashPriced.add(id);
    } else notes.push(other(product, r.get('fare_media_id'), r.get('rider_category_id')));
  }

  const media: FareMedium[] = [];
  const mediaTable = table('fare_media.txt');
  for (const r of mediaTable?.rows ?? []) {
    const type = r.get('fare_media_type');
    const id = type === '2' ? 'card' : type === '4' ? 'qr' : undefined;
    if (!id || media.some((m) => m.id === id)) {
      notes.push(
        `fare_media ${r.get('fare_media_id')} (type ${type}): not mapped (only one transit card and one app medium)`,
      );
      continue;
    }
    media.push({
      id,
      name: r.get('fare_media_name') || r.get('fare_media_id'),
      type: id === 'card' ? 'physical_card' : 'ecard_qr',
    });
  }
  for (const r of table('rider_categories.txt')?.rows ?? [])
    notes.push(
      `rider category ${r.get('rider_category_id')}: not mapped (GTFS has no eligibility rule; map it to card flags by hand)`,
    );

  const networks = new Map<string, Network>();
  for (const r of table('networks.txt')?.rows ?? [])
    networks.set(r.get('network_id'), {
      id: r.get('network_id'),
      name: r.get('network_name') || r.get('network_id'),
    });
  const routeNetworks: TariffDoc['routeNetworks'] = [];
  for (const r of table('route_networks.txt')?.rows ?? [])
    routeNetworks.push({ routeId: r.get('route_id'), networkId: r.get('network_id') });
  for (const r of table('routes.txt')?.rows ?? [])
    if (r.get('network_id'))
      routeNetworks.push({ routeId: r.get('route_id'), networkId: r.get('network_id') });

  const areas = (table('areas.txt')?.rows ?? []).map((r) => ({
    id: r.get('area_id'),
    name: r.get('area_name') || r.get('area_id'),
  }));
  const stopAreas = (table('stop_areas.txt')?.rows ?? []).map((r) => ({
    areaId: r.get('area_id'),
    stopId: r.get('stop_id'),
  }));

  const timeframes: Timeframe[] = [];
  const tfTable = table('timeframes.txt');
  for (const r of tfTable?.rows ?? []) {
    const id = r.get('timeframe_group_id');
    const start = minute(r.get('start_time'), 0);
    const end = minute(r.get('end_time'), 1440);
    if (start === undefined || end === undefined) {
      errors.push(`${at(tfTable!, r.line)}: start_time/end_time must be HH:MM:SS`);
      continue;
    }
    if (r.get('service_id'))
      notes.push(`timeframe ${id}: service_id ${r.get('service_id')} not imported (applies every day)`);
    timeframes.push({ id, startMin: Math.min(start, 1439), endMin: Math.min(end, 1440) });
  }

  const legRules: LegRule[] = [];
  const legTable = table('fare_leg_rules.txt', true);
  for (const r of legTable?.rows ?? []) {
    const opt = (f: string) => r.get(f) || undefined;
    const rule: LegRule = {
      legGroupId: r.get('leg_group_id') || `leg-${r.line}`,
      productId: r.get('fare_product_id'),
    };
    const fields = {
      networkId: opt('network_id'),
      fromAreaId: opt('from_area_id'),
      toAreaId: opt('to_area_id'),
      fromTimeframeId: opt('from_timeframe_group_id'),
    };
    for (const [k, v] of Object.entries(fields))
      if (v !== undefined) (rule as unknown as Record<string, string>)[k] = v;
    if (r.get('rule_priority')) rule.priority = Number(r.get('rule_priority'));
    if (r.get('to_timeframe_group_id'))
      notes.push(
        `${at(legTable!, r.line)}: to_timeframe_group_id not mapped (the departure's timeframe decides)`,
      );
    if (r.get('from_area_id') && !stopAreas.some((s) => s.areaId === r.get('from_area_id')))
      notes.push(`${at(legTable!, r.line)}: area ${r.get('from_area_id')} has no stops`);
    if (rule.networkId && !networks.has(rule.networkId))
      networks.set(rule.networkId, { id: rule.networkId, name: rule.networkId });
    legRules.push(rule);
  }
  for (const rn of routeNetworks)
    if (!networks.has(rn.networkId)) networks.set(rn.networkId, { id: rn.networkId, name: rn.networkId });
  // A leg rule that depends on where the rider gets off needs the exit tap.
  for (const n of networks.values())
    if (legRules.some((l) => l.toAreaId && (l.networkId === undefined || l.networkId === n.id))) {
      n.tapOut = opts.tapOut ?? { missingAfterMin: 240, correctWithinMin: 1440 };
      notes.push(
        `network ${n.id}: fares depend on the alighting area, so riders tap out (tapOut ${n.tapOut.missingAfterMin}/${n.tapOut.correctWithinMin} min)`,
      );
    }

  const transferRules: TransferRule[] = [];
  const trTable = table('fare_transfer_rules.txt');
  for (const r of trTable?.rows ?? []) {
    const where = at(trTable!, r.line);
    const type = TRANSFER_TYPES[Number(r.get('fare_transfer_type'))];
    if (!type || r.get('fare_transfer_type') === '') {
      errors.push(`${where}: fare_transfer_type must be 0, 1 or 2`);
      continue;
    }
    const rule: TransferRule = { type };
    if (r.get('from_leg_group_id')) rule.fromLegGroupId = r.get('from_leg_group_id');
    if (r.get('to_leg_group_id')) rule.toLegGroupId = r.get('to_leg_group_id');
    if (r.get('fare_product_id')) rule.productId = r.get('fare_product_id');
    if (r.get('transfer_count')) rule.transferCount = Number(r.get('transfer_count'));
    if (r.get('duration_limit')) {
      const s = Number(r.get('duration_limit'));
      rule.durationLimitMin = Math.ceil(s / 60);
      if (s % 60 !== 0)
        notes.push(`${where}: duration_limit ${s} s rounded up to ${rule.durationLimitMin} min`);
      rule.durationLimitType = LIMIT_TYPES[Number(r.get('duration_limit_type') || '0')] ?? 'dep_arr';
    }
    for (const f of ['filter_fare_product_id', 'fare_media_behavior', 'fare_product_behavior'])
      if (r.get(f)) notes.push(`${where}: ${f} not mapped`);
    transferRules.push(rule);
  }
  if (errors.length > 0) return { ok: false, errors };

  const doc: TariffDoc = {
    format: TARIFF_FORMAT,
    id: opts.id,
    name: opts.name,
    currency: currency ?? 'CNY',
    sources: ['Imported from a GTFS-Fares v2 feed (scripts/gtfs-fares-import.ts)'],
    media,
    riderCategories: [],
    networks: [...networks.values()],
    routeNetworks,
    lines: [],
    areas,
    stopAreas,
    timeframes,
    products: [...products.values()],
    distanceScales: [],
    legRules,
    transferRules,
    caps: [],
    spendTiers: [],
  };
  const v = validateTariff(doc);
  return v.ok
    ? { ok: true, tariff: v.tariff, notes }
    : { ok: false, errors: v.errors.map((e) => `after import: ${e}`) };
}
