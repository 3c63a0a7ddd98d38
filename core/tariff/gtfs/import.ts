// GTFS-Fares v2 → tariff document (../model.ts). Pure: takes the files' texts, returns the tariff
// with the warnings the operator must accept and notes, or every error found
// (docs/decisions/0112; docs/tariffs.md lists every file and field, supported or refused).
import type { TapOutRules, TariffDoc } from '../model.js';
import { TARIFF_FORMAT } from '../model.js';
import { validateTariff } from '../validate.js';
import { type CategoryFlags, importCategories } from './categories.js';
import { unknownColumns } from './columns.js';
import { parseCsv, type Table } from './csv.js';
import { importProducts } from './products.js';
import { type ImportSummary, Report } from './report.js';
import { importLegRules, importNetworks, importTransferRules } from './rules.js';
import { importTimeframes } from './timeframes.js';

export type { CategoryFlags } from './categories.js';
export { minorUnits } from './products.js';
export { formatSummary, type ImportSummary } from './report.js';

export type Imported =
  | { ok: true; tariff: TariffDoc; warnings: string[]; notes: string[]; summary: ImportSummary }
  | { ok: false; errors: string[]; warnings: string[] };

export interface ImportOptions {
  id: string;
  name: string;
  /** GTFS has no tap-out: networks whose leg rules need the exit stop (to_area_id) get these. */
  tapOut?: TapOutRules;
  /** Rider category id → the card flags of its riders (./categories.ts); [] drops its prices. */
  categoryFlags?: CategoryFlags;
}

/** Files a fares v2 import reads; the others of a GTFS folder are not fares. */
export const FARE_FILES = [
  'agency.txt',
  'routes.txt',
  'networks.txt',
  'route_networks.txt',
  'areas.txt',
  'stop_areas.txt',
  'timeframes.txt',
  'calendar.txt',
  'calendar_dates.txt',
  'fare_media.txt',
  'rider_categories.txt',
  'fare_products.txt',
  'fare_leg_rules.txt',
  'fare_leg_join_rules.txt',
  'fare_transfer_rules.txt',
  'fare_attributes.txt',
  'fare_rules.txt',
];

export function importGtfsFares(files: Readonly<Record<string, string>>, opts: ImportOptions): Imported {
  const r = new Report();
  const table = (name: string, required = false): Table | undefined => {
    const text = files[name];
    if (text === undefined) {
      if (required) r.error(name, 'missing (required for a fares v2 import)');
      return undefined;
    }
    const t = parseCsv(name, text);
    unknownColumns(t, r);
    return t;
  };
  const join = table('fare_leg_join_rules.txt');
  for (const row of join?.rows ?? [])
    r.error(
      `${join!.file}:${row.line}`,
      'joined legs (effective fare legs) are not supported: each tap is priced as its own leg',
    );
  for (const f of ['fare_attributes.txt', 'fare_rules.txt'])
    if (files[f] !== undefined) r.note(f, 'fares v1: not read (the v2 files describe the fares)');

  const legTable = table('fare_leg_rules.txt', true);
  const transferTable = table('fare_transfer_rules.txt');
  // Only products the rules use are priced: a monthly pass on paper is no concern of a tap.
  const usedProducts = new Set(
    [...(legTable?.rows ?? []), ...(transferTable?.rows ?? [])].map((row) => row.get('fare_product_id')),
  );
  const productTable = table('fare_products.txt', true);
  const priced = importProducts(
    table('fare_media.txt'),
    table('rider_categories.txt'),
    productTable,
    usedProducts,
    r,
  );
  const { networks, routeNetworks } = importNetworks(
    {
      networks: table('networks.txt'),
      routeNetworks: table('route_networks.txt'),
      routes: table('routes.txt'),
    },
    r,
  );
  const areasTable = table('areas.txt');
  const areas = (areasTable?.rows ?? []).map((row) => ({
    id: row.get('area_id'),
    name: row.get('area_name') || row.get('area_id'),
  }));
  r.count(areasTable, `${areas.length} areas`);
  const stopTable = table('stop_areas.txt');
  const stopAreas = (stopTable?.rows ?? []).map((row) => ({
    areaId: row.get('area_id'),
    stopId: row.get('stop_id'),
  }));
  r.count(stopTable, `${stopAreas.length} stops in areas`);

  const timeframeTable = table('timeframes.txt');
  const ids = (t: Table | undefined, f: string) => new Set((t?.rows ?? []).map((row) => row.get(f)));
  const products = ids(productTable, 'fare_product_id');
  const legRules = importLegRules(
    legTable,
    networks,
    opts.tapOut ?? { missingAfterMin: 240, correctWithinMin: 1440 },
    {
      products,
      areas: ids(areasTable, 'area_id'),
      timeframes: ids(timeframeTable, 'timeframe_group_id'),
      offCard: priced.offCard,
    },
    r,
  );
  for (const l of legRules)
    for (const a of [l.fromAreaId, l.toAreaId])
      if (a && !stopAreas.some((s) => s.areaId === a) && areas.some((x) => x.id === a))
        r.note('fare_leg_rules.txt', `area ${a} has no stops in stop_areas.txt: its rules match no tap`);
  const used = new Set(
    legRules.flatMap((l) => [l.fromTimeframeId, l.toTimeframeId]).filter((x) => x !== undefined),
  );
  const { timeframes, timezone } = importTimeframes(
    {
      timeframes: timeframeTable,
      calendar: table('calendar.txt'),
      calendarDates: table('calendar_dates.txt'),
      agency: table('agency.txt'),
    },
    used,
    r,
  );
  const transferRules = importTransferRules(
    transferTable,
    { products, legGroups: ids(legTable, 'leg_group_id'), offCard: priced.offCard },
    r,
  );
  // Products only rows left out (sold off the card) used are left out with them.
  const charged = priced.products.filter(
    (p) => legRules.some((l) => l.productId === p.id) || transferRules.some((x) => x.productId === p.id),
  );
  const riderCategories = importCategories(
    priced.categoryPrices,
    priced.categories,
    charged,
    opts.categoryFlags,
    r,
  );
  if (r.errors.length > 0) return { ok: false, errors: r.errors, warnings: r.warnings };

  const doc: TariffDoc = {
    format: TARIFF_FORMAT,
    id: opts.id,
    name: opts.name,
    currency: priced.currency ?? 'CNY',
    sources: ['Imported from a GTFS-Fares v2 feed (scripts/gtfs-fares-import.ts)'],
    media: priced.media,
    riderCategories,
    networks: [...networks.values()],
    routeNetworks,
    lines: [],
    areas,
    stopAreas,
    timeframes,
    products: charged,
    distanceScales: [],
    legRules,
    transferRules,
    caps: [],
    spendTiers: [],
  };
  if (timezone) doc.timezone = timezone;
  const v = validateTariff(doc);
  if (!v.ok) return { ok: false, errors: v.errors.map((e) => `after import: ${e}`), warnings: r.warnings };
  const summary: ImportSummary = {
    files: r.files,
    networks: doc.networks.map((n) => n.id),
    areas: areas.length,
    media: doc.media.map((m) => m.id),
    riderCategories: [...priced.categories.keys()].map((id) => {
      const c = riderCategories.find((x) => x.id === id);
      return c ? `${id} → ${c.eligibleFlags.join('/')}` : id;
    }),
    timezone: timezone ?? 'Asia/Shanghai (no agency.txt)',
  };
  return { ok: true, tariff: v.tariff, warnings: r.warnings, notes: r.notes, summary };
}
