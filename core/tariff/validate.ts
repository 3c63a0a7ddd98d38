// Checks a tariff document (model.ts) before it is used: shapes, money as integer fen, ascending
// bands, and every reference (network, product, scale, area, timeframe, leg group) resolving.
// Answers every problem found, each with its path, so an operator fixes a file in one go.
import { tariffConcessionNames } from './concessions.js';
import { TARIFF_FORMAT, type TariffDoc } from './model.js';

export type Validated = { ok: true; tariff: TariffDoc } | { ok: false; errors: string[] };

type Obj = Record<string, unknown>;

class Checker {
  readonly errors: string[] = [];

  fail(path: string, message: string): void {
    this.errors.push(`${path}: ${message}`);
  }

  obj(v: unknown, path: string): Obj | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Obj;
    this.fail(path, 'must be an object');
    return undefined;
  }

  arr(v: unknown, path: string): unknown[] {
    if (Array.isArray(v)) return v;
    this.fail(path, 'must be an array');
    return [];
  }

  str(o: Obj, key: string, path: string, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v === 'string' && v.length > 0) return v;
    this.fail(`${path}.${key}`, 'must be a non-empty string');
    return undefined;
  }

  int(o: Obj, key: string, path: string, min: number, max: number, optional = false): number | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.fail(`${path}.${key}`, `must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return undefined;
  }

  ids(items: unknown[], path: string, key = 'id', unique = true): Set<string> {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const o = this.obj(item, `${path}[${i}]`);
      const id = o && this.str(o, key, `${path}[${i}]`);
      if (id === undefined) return;
      if (unique && seen.has(id)) this.fail(`${path}[${i}].${key}`, `duplicate id '${id}'`);
      seen.add(id);
    });
    return seen;
  }

  ref(o: Obj, key: string, path: string, known: Set<string>, what: string, optional = true): void {
    const v = o[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || !known.has(v)) this.fail(`${path}.${key}`, `unknown ${what} '${String(v)}'`);
  }
}

const MAX_FEN = 100_000_000;

function knownZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function validateTariff(input: unknown): Validated {
  const c = new Checker();
  const doc = c.obj(input, 'tariff');
  if (!doc) return { ok: false, errors: c.errors };
  if (doc.format !== TARIFF_FORMAT) c.fail('tariff.format', `must be '${TARIFF_FORMAT}'`);
  c.str(doc, 'id', 'tariff');
  c.str(doc, 'name', 'tariff');
  if (typeof doc.currency !== 'string' || !/^[A-Z]{3}$/.test(doc.currency))
    c.fail('tariff.currency', "must be an ISO 4217 code such as 'CNY' (amounts in its minor unit: fen)");
  if (doc.timezone !== undefined && !knownZone(doc.timezone))
    c.fail('tariff.timezone', "must be an IANA zone such as 'Asia/Shanghai'");
  const list = (key: string) => c.arr(doc[key], `tariff.${key}`);
  const each = (key: string, fn: (o: Obj, path: string) => void) =>
    list(key).forEach((item, i) => {
      const path = `${key}[${i}]`;
      const o = c.obj(item, path);
      if (o) fn(o, path);
    });

  const networks = c.ids(list('networks'), 'networks');
  // Networks priced by tap in and tap out: the only ones where distances can be known.
  const tapOutNetworks = new Set(
    (Array.isArray(doc.networks) ? doc.networks : [])
      .filter((n) => typeof n === 'object' && n !== null && (n as Obj).tapOut !== undefined)
      .map((n) => (n as Obj).id as string),
  );
  const products = c.ids(list('products'), 'products');
  const scales = c.ids(list('distanceScales'), 'distanceScales');
  const areas = c.ids(list('areas'), 'areas');
  // A timeframe of several intervals repeats its id, one entry per interval.
  const timeframes = c.ids(list('timeframes'), 'timeframes', 'id', false);
  c.ids(list('riderCategories'), 'riderCategories');
  c.ids(list('caps'), 'caps');
  c.ids(list('spendTiers'), 'spendTiers');
  c.ids(list('lines'), 'lines');
  const legGroups = new Set<string>();

  each('media', (o, p) => {
    if (o.id !== 'card' && o.id !== 'qr') c.fail(`${p}.id`, "must be 'card' or 'qr' (the tap's credential)");
    if (o.type !== 'physical_card' && o.type !== 'ecard_qr')
      c.fail(`${p}.type`, "must be 'physical_card' or 'ecard_qr'");
    c.arr(o.discounts ?? [], `${p}.discounts`).forEach((d, i) => {
      const q = c.obj(d, `${p}.discounts[${i}]`);
      if (!q) return;
      c.ref(q, 'networkId', `${p}.discounts[${i}]`, networks, 'network', false);
      c.int(q, 'percentOff', `${p}.discounts[${i}]`, 0, 100);
    });
  });
  // Eligible are the built-in concessions and the tariff's own.
  const concessions = tariffConcessionNames(doc, (path, message) => c.fail(path, message));
  each('riderCategories', (o, p) => {
    const flags = c.arr(o.eligibleFlags, `${p}.eligibleFlags`);
    if (flags.length === 0) c.fail(`${p}.eligibleFlags`, 'must name at least one flag');
    for (const f of flags)
      if (typeof f !== 'string' || !concessions.has(f.toUpperCase()))
        c.fail(`${p}.eligibleFlags`, `unknown flag '${String(f)}'`);
    for (const n of c.arr(o.networkIds ?? [], `${p}.networkIds`))
      if (!networks.has(n as string)) c.fail(`${p}.networkIds`, `unknown network '${String(n)}'`);
    const d = c.obj(o.discount, `${p}.discount`);
    if (d && d.kind === 'percent_of_base') c.int(d, 'percent', `${p}.discount`, 0, 100);
    else if (d && d.kind !== 'free') c.fail(`${p}.discount.kind`, "must be 'free' or 'percent_of_base'");
  });
  let catchAlls = 0;
  each('networks', (o, p) => {
    c.str(o, 'name', p);
    if (o.catchAll !== undefined && typeof o.catchAll !== 'boolean')
      c.fail(`${p}.catchAll`, 'must be a boolean');
    if (o.catchAll === true && ++catchAlls > 1)
      c.fail(`${p}.catchAll`, 'only one network can catch all routes');
    if (o.tapOut === undefined) return;
    const t = c.obj(o.tapOut, `${p}.tapOut`);
    if (!t) return;
    c.int(t, 'missingAfterMin', `${p}.tapOut`, 1, 10_080);
    c.int(t, 'correctWithinMin', `${p}.tapOut`, 1, 100_800);
  });
  each('routeNetworks', (o, p) => {
    c.str(o, 'routeId', p);
    c.ref(o, 'networkId', p, networks, 'network', false);
  });
  each('lines', (o, p) => {
    c.ref(o, 'networkId', p, networks, 'network', false);
    if (networks.has(o.networkId as string) && !tapOutNetworks.has(o.networkId as string))
      c.fail(
        `${p}.networkId`,
        `network '${String(o.networkId)}' has no tapOut: distances need an entry and an exit`,
      );
    let prev = -1;
    c.arr(o.stations, `${p}.stations`).forEach((s, i) => {
      const q = c.obj(s, `${p}.stations[${i}]`);
      if (!q) return;
      c.str(q, 'stationId', `${p}.stations[${i}]`);
      const at = c.int(q, 'atM', `${p}.stations[${i}]`, 0, 10_000_000);
      if (at !== undefined && at <= prev) c.fail(`${p}.stations[${i}].atM`, 'must grow along the line');
      if (at !== undefined) prev = at;
    });
  });
  each('stopAreas', (o, p) => {
    c.ref(o, 'areaId', p, areas, 'area', false);
    c.str(o, 'stopId', p);
  });
  each('timeframes', (o, p) => {
    const start = c.int(o, 'startMin', p, 0, 1440);
    const end = c.int(o, 'endMin', p, 0, 1440);
    if (start !== undefined && end !== undefined && start >= end) c.fail(p, 'startMin must be before endMin');
    for (const d of c.arr(o.days ?? [], `${p}.days`))
      if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > 7)
        c.fail(`${p}.days`, `weekday ${String(d)} is not 1..7`);
    const isDate = (d: unknown) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d);
    for (const k of ['fromDate', 'toDate'])
      if (o[k] !== undefined && !isDate(o[k])) c.fail(`${p}.${k}`, "must be a date 'YYYY-MM-DD'");
    for (const k of ['addDates', 'removeDates'])
      if (!c.arr(o[k] ?? [], `${p}.${k}`).every(isDate)) c.fail(`${p}.${k}`, "must be dates 'YYYY-MM-DD'");
  });
  each('products', (o, p) => {
    c.str(o, 'name', p);
    c.int(o, 'amountFen', p, -MAX_FEN, MAX_FEN);
    c.int(o, 'qrFen', p, -MAX_FEN, MAX_FEN, true);
  });
  each('distanceScales', (o, p) => {
    let prev = 0;
    const bands = c.arr(o.bands, `${p}.bands`);
    if (bands.length === 0) c.fail(`${p}.bands`, 'must have at least one band');
    bands.forEach((b, i) => {
      const q = c.obj(b, `${p}.bands[${i}]`);
      if (!q) return;
      const up = c.int(q, 'upToM', `${p}.bands[${i}]`, 1, 10_000_000);
      c.int(q, 'fen', `${p}.bands[${i}]`, 0, MAX_FEN);
      if (up !== undefined && up <= prev) c.fail(`${p}.bands[${i}].upToM`, 'bands must ascend');
      if (up !== undefined) prev = up;
    });
    const beyond = c.obj(o.beyond, `${p}.beyond`);
    if (beyond) {
      c.int(beyond, 'stepM', `${p}.beyond`, 1, 10_000_000);
      c.int(beyond, 'fen', `${p}.beyond`, 0, MAX_FEN);
    }
  });
  each('legRules', (o, p) => {
    const g = c.str(o, 'legGroupId', p);
    if (g) legGroups.add(g);
    c.ref(o, 'networkId', p, networks, 'network');
    c.ref(o, 'fromAreaId', p, areas, 'area');
    c.ref(o, 'toAreaId', p, areas, 'area');
    c.ref(o, 'fromTimeframeId', p, timeframes, 'timeframe');
    c.ref(o, 'toTimeframeId', p, timeframes, 'timeframe');
    for (const [k, known, what] of [
      ['exceptFromAreaIds', areas, 'area'],
      ['exceptToAreaIds', areas, 'area'],
      ['exceptFromTimeframeIds', timeframes, 'timeframe'],
      ['exceptToTimeframeIds', timeframes, 'timeframe'],
    ] as const)
      for (const id of c.arr(o[k] ?? [], `${p}.${k}`))
        if (!known.has(id as string)) c.fail(`${p}.${k}`, `unknown ${what} '${String(id)}'`);
    if ((o.productId === undefined) === (o.distanceScaleId === undefined))
      c.fail(p, 'needs exactly one of productId and distanceScaleId');
    c.ref(o, 'productId', p, products, 'product');
    c.ref(o, 'distanceScaleId', p, scales, 'distance scale');
    if (o.distanceScaleId !== undefined && !tapOutNetworks.has(o.networkId as string))
      c.fail(p, 'a distance rule needs the networkId of a network with tapOut');
    c.int(o, 'priority', p, -1000, 1000, true);
  });
  each('transferRules', (o, p) => {
    c.ref(o, 'fromLegGroupId', p, legGroups, 'leg group');
    c.ref(o, 'toLegGroupId', p, legGroups, 'leg group');
    c.ref(o, 'productId', p, products, 'product');
    c.int(o, 'durationLimitMin', p, 1, 100_800, true);
    c.int(o, 'transferCount', p, -1, 100, true);
    if (!['a_ab', 'a_ab_b', 'ab'].includes(o.type as string))
      c.fail(`${p}.type`, "must be 'a_ab', 'a_ab_b' or 'ab'");
    if (
      o.durationLimitType !== undefined &&
      !['dep_arr', 'dep_dep', 'arr_dep', 'arr_arr'].includes(o.durationLimitType as string)
    )
      c.fail(`${p}.durationLimitType`, "must be 'dep_arr', 'dep_dep', 'arr_dep' or 'arr_arr'");
  });
  each('caps', (o, p) => {
    if (o.period !== 'day' && o.period !== 'week') c.fail(`${p}.period`, "must be 'day' or 'week'");
    for (const n of c.arr(o.networkIds, `${p}.networkIds`))
      if (!networks.has(n as string)) c.fail(`${p}.networkIds`, `unknown network '${String(n)}'`);
    c.int(o, 'amountFen', p, 0, MAX_FEN);
  });
  each('spendTiers', (o, p) => {
    for (const n of c.arr(o.networkIds, `${p}.networkIds`))
      if (!networks.has(n as string)) c.fail(`${p}.networkIds`, `unknown network '${String(n)}'`);
    let prev = -1;
    c.arr(o.tiers, `${p}.tiers`).forEach((t, i) => {
      const q = c.obj(t, `${p}.tiers[${i}]`);
      if (!q) return;
      const from = c.int(q, 'fromFen', `${p}.tiers[${i}]`, 0, MAX_FEN);
      c.int(q, 'percentOff', `${p}.tiers[${i}]`, 0, 100);
      if (i === 0 && from !== 0) c.fail(`${p}.tiers[0].fromFen`, 'the first tier must start at 0');
      if (from !== undefined && from <= prev) c.fail(`${p}.tiers[${i}].fromFen`, 'tiers must ascend');
      if (from !== undefined) prev = from;
    });
  });
  return c.errors.length > 0 ? { ok: false, errors: c.errors } : { ok: true, tariff: input as TariffDoc };
}
