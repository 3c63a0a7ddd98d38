// networks.txt, route_networks.txt, routes.txt network_id, fare_leg_rules.txt and
// fare_transfer_rules.txt → the tariff's networks, leg rules and transfer rules.
//
// An empty network_id (GTFS reference, fare_leg_rules.txt): without a rule_priority column it
// means "every network except those other rules name"; with one, the network does not affect
// the match. Empty areas and timeframes read the same way (LegRule.except…). Either way it covers routes of no network, which the tariff holds in one catch-all
// network (Network.catchAll): a feed naming no network still charges its fares.
import type { LegRule, Network, TapOutRules, TransferRule } from '../model.js';
import type { Table } from './csv.js';
import { at, type Report } from './report.js';

const TRANSFER_TYPES = ['a_ab', 'a_ab_b', 'ab'] as const;
const LIMIT_TYPES = ['dep_arr', 'dep_dep', 'arr_dep', 'arr_arr'] as const;
const CATCH_ALL = 'any-route';
const LEG_KEY = [
  'network_id',
  'from_area_id',
  'to_area_id',
  'from_timeframe_group_id',
  'to_timeframe_group_id',
  'rule_priority',
];
const TRANSFER_KEY = [
  'from_leg_group_id',
  'to_leg_group_id',
  'transfer_count',
  'duration_limit',
  'duration_limit_type',
  'fare_transfer_type',
];

type Row = Table['rows'][number];
const EXCEPT = [
  ['from_area_id', 'exceptFromAreaIds'],
  ['to_area_id', 'exceptToAreaIds'],
  ['from_timeframe_group_id', 'exceptFromTimeframeIds'],
  ['to_timeframe_group_id', 'exceptToTimeframeIds'],
] as const;
type OffCard = Map<string, { where: string; text: string }>;

/**
 * GTFS gives one leg (or transfer) a product per medium: the same legs, a product on the card,
 * another for cash, another for bank cards. The keys (legs matched) that have a product sold
 * on the card or the app: there, rows with products sold only on other media are left out.
 */
function twinsOnCard(t: Table | undefined, keyOf: (row: Row) => string, offCard: OffCard): Set<string> {
  return new Set((t?.rows ?? []).filter((row) => !offCard.has(row.get('fare_product_id'))).map(keyOf));
}

/** True: the row is left out (a twin prices card taps); else warns once per off-card product kept. */
function offCardTwin(
  row: Row,
  keyOf: (row: Row) => string,
  onCard: Set<string>,
  offCard: OffCard,
  r: Report,
): boolean {
  const off = offCard.get(row.get('fare_product_id'));
  if (!off) return false;
  if (onCard.has(keyOf(row))) return true;
  if (!r.warnings.includes(`${off.where}: ${off.text}`)) r.warn(off.where, off.text);
  return false;
}

function noteDropped(t: Table | undefined, lines: number[], r: Report): void {
  if (lines.length > 0)
    r.note(
      t!.file,
      `${lines.length} row(s) whose product is sold only on media no card tap uses left out; rows for the same legs with a product sold on the card price card taps (lines ${lines.join(', ')})`,
    );
}

export interface Ruled {
  networks: Network[];
  routeNetworks: { routeId: string; networkId: string }[];
  legRules: LegRule[];
}

export function importNetworks(
  tables: { networks?: Table; routeNetworks?: Table; routes?: Table },
  r: Report,
): { networks: Map<string, Network>; routeNetworks: Ruled['routeNetworks'] } {
  const networks = new Map<string, Network>();
  const add = (id: string, name = id) => {
    if (!networks.has(id)) networks.set(id, { id, name: name || id });
  };
  for (const row of tables.networks?.rows ?? []) add(row.get('network_id'), row.get('network_name'));
  r.count(tables.networks, `${tables.networks?.rows.length ?? 0} networks`);
  const routeNetworks: Ruled['routeNetworks'] = [];
  for (const t of [tables.routeNetworks, tables.routes]) {
    let n = 0;
    for (const row of t?.rows ?? [])
      if (row.get('network_id')) {
        routeNetworks.push({ routeId: row.get('route_id'), networkId: row.get('network_id') });
        add(row.get('network_id'));
        n++;
      }
    r.count(t, `${n} routes placed in a network`);
  }
  return { networks, routeNetworks };
}

export function importLegRules(
  t: Table | undefined,
  networks: Map<string, Network>,
  tapOut: TapOutRules,
  known: { products: Set<string>; areas: Set<string>; timeframes: Set<string>; offCard: OffCard },
  r: Report,
): LegRule[] {
  const withPriority = t?.header.includes('rule_priority') ?? false;
  const named = new Set((t?.rows ?? []).map((row) => row.get('network_id')).filter((n) => n !== ''));
  const rules: LegRule[] = [];
  const seen = new Map<string, { line: number; product: string }>();
  const keyOf = (row: Row) => JSON.stringify(LEG_KEY.map((f) => row.get(f)));
  const dropped: number[] = [];
  const onCard = twinsOnCard(t, keyOf, known.offCard);
  // Without rule_priority an empty area or timeframe is "any but those the file names".
  const namedIn = new Map(
    EXCEPT.map(([field]) => [
      field,
      [...new Set((t?.rows ?? []).map((row) => row.get(field)).filter((v) => v))],
    ]),
  );
  let catchAll: string | undefined;
  for (const row of t?.rows ?? []) {
    const where = at(t!, row.line);
    if (offCardTwin(row, keyOf, onCard, known.offCard, r)) {
      dropped.push(row.line);
      continue;
    }
    const opt = (f: string) => row.get(f) || undefined;
    const productId = row.get('fare_product_id');
    if (!productId) r.error(where, 'fare_product_id is empty');
    else if (!known.products.has(productId))
      r.error(where, `fare_product_id '${productId}' is not in fare_products.txt`);
    for (const [f, set, file] of [
      ['from_area_id', known.areas, 'areas.txt'],
      ['to_area_id', known.areas, 'areas.txt'],
      ['from_timeframe_group_id', known.timeframes, 'timeframes.txt'],
      ['to_timeframe_group_id', known.timeframes, 'timeframes.txt'],
    ] as const)
      if (row.get(f) && !set.has(row.get(f))) r.error(where, `${f} '${row.get(f)}' is not in ${file}`);
    const base: LegRule = { legGroupId: row.get('leg_group_id') || `leg-${row.line}`, productId };
    const fields = {
      fromAreaId: opt('from_area_id'),
      toAreaId: opt('to_area_id'),
      fromTimeframeId: opt('from_timeframe_group_id'),
      toTimeframeId: opt('to_timeframe_group_id'),
    };
    for (const [k, v] of Object.entries(fields))
      if (v !== undefined) (base as unknown as Record<string, string>)[k] = v;
    if (!withPriority)
      for (const [field, except] of EXCEPT)
        if (!row.get(field) && namedIn.get(field)!.length > 0)
          (base as unknown as Record<string, string[]>)[except] = namedIn.get(field)!;
    const priority = row.get('rule_priority');
    if (priority !== '') {
      if (!/^-?\d+$/.test(priority)) r.error(where, `rule_priority '${priority}' is not an integer`);
      else base.priority = Number(priority);
    }
    const key = keyOf(row);
    const twin = seen.get(key);
    if (twin && twin.product !== productId)
      r.warn(
        where,
        `leg rule ${base.legGroupId} matches the same legs as line ${twin.line} with another product (${productId}, not ${twin.product}); GTFS lets the rider choose, a card tap is charged the first (${twin.product})`,
      );
    else if (!twin) seen.set(key, { line: row.line, product: productId });

    const network = row.get('network_id');
    if (network) {
      if (!networks.has(network))
        r.warn(
          where,
          `network ${network} has no route (routes.txt, route_networks.txt): this rule never applies`,
        );
      networks.set(network, networks.get(network) ?? { id: network, name: network });
      rules.push({ ...base, networkId: network });
      continue;
    }
    catchAll ??= CATCH_ALL + (networks.has(CATCH_ALL) ? '-2' : '');
    if (withPriority || named.size === 0) {
      rules.push(base);
      continue;
    }
    // No rule_priority: the rule applies to every network no rule names, and to routes of none.
    for (const n of [...networks.keys()].filter((id) => !named.has(id)).concat(catchAll))
      rules.push({ ...base, networkId: n });
  }
  if (catchAll) {
    networks.set(catchAll, {
      id: catchAll,
      name: 'Routes of no other network (empty network_id)',
      catchAll: true,
    });
    r.note(
      'fare_leg_rules.txt',
      `rules with an empty network_id apply to ${withPriority || named.size === 0 ? 'every network' : `every network but ${[...named].join(', ')}`} and to taps on routes of no network (catch-all network ${catchAll})`,
    );
  }
  // A leg rule that depends on where or when the rider gets off needs the exit tap.
  for (const n of networks.values())
    if (
      rules.some(
        (l) => (l.toAreaId || l.toTimeframeId) && (l.networkId === undefined || l.networkId === n.id),
      )
    ) {
      n.tapOut = tapOut;
      r.note(
        `network ${n.id}`,
        `fares depend on the alighting area or time, so riders tap out (tapOut ${tapOut.missingAfterMin}/${tapOut.correctWithinMin} min)`,
      );
    }
  noteDropped(t, dropped, r);
  r.count(
    t,
    `${rules.length} leg rules${dropped.length > 0 ? ` (${dropped.length} rows sold off the card left out)` : ''}`,
  );
  return rules;
}

export function importTransferRules(
  t: Table | undefined,
  known: { products: Set<string>; legGroups: Set<string>; offCard: OffCard },
  r: Report,
): TransferRule[] {
  const rules: TransferRule[] = [];
  const keyOf = (row: Row) => JSON.stringify(TRANSFER_KEY.map((f) => row.get(f)));
  const dropped: number[] = [];
  const onCard = twinsOnCard(t, keyOf, known.offCard);
  for (const row of t?.rows ?? []) {
    const where = at(t!, row.line);
    if (offCardTwin(row, keyOf, onCard, known.offCard, r)) {
      dropped.push(row.line);
      continue;
    }
    const type = TRANSFER_TYPES[Number(row.get('fare_transfer_type'))];
    if (!type || row.get('fare_transfer_type') === '') {
      r.error(where, 'fare_transfer_type must be 0, 1 or 2');
      continue;
    }
    const rule: TransferRule = { type };
    if (row.get('from_leg_group_id')) rule.fromLegGroupId = row.get('from_leg_group_id');
    if (row.get('to_leg_group_id')) rule.toLegGroupId = row.get('to_leg_group_id');
    if (row.get('fare_product_id')) rule.productId = row.get('fare_product_id');
    if (rule.productId && !known.products.has(rule.productId))
      r.error(where, `fare_product_id '${rule.productId}' is not in fare_products.txt`);
    for (const g of [rule.fromLegGroupId, rule.toLegGroupId])
      if (g && !known.legGroups.has(g)) r.error(where, `leg group '${g}' is not in fare_leg_rules.txt`);
    const count = row.get('transfer_count');
    if (count !== '') {
      if (!/^-?\d+$/.test(count) || Number(count) < -1)
        r.error(where, `transfer_count '${count}' must be -1 or a count`);
      else rule.transferCount = Number(count);
    }
    if (row.get('duration_limit')) {
      const s = Number(row.get('duration_limit'));
      const limitType = LIMIT_TYPES[Number(row.get('duration_limit_type'))];
      if (!Number.isInteger(s) || s <= 0)
        r.error(where, `duration_limit '${row.get('duration_limit')}' must be whole seconds`);
      if (!limitType || row.get('duration_limit_type') === '')
        r.error(where, 'duration_limit_type must be 0..3 when duration_limit is given');
      rule.durationLimitMin = Math.ceil(s / 60);
      rule.durationLimitType = limitType ?? 'dep_arr';
      if (s % 60 !== 0)
        r.warn(
          where,
          `duration_limit ${s} s rounded up to ${rule.durationLimitMin} min (the tariff counts whole minutes)`,
        );
    }
    for (const f of ['filter_fare_product_id', 'fare_media_behavior', 'fare_product_behavior'])
      if (row.get(f))
        r.error(
          where,
          `${f} '${row.get(f)}' is not supported: the transfer would be priced differently (docs/tariffs.md)`,
        );
    rules.push(rule);
  }
  noteDropped(t, dropped, r);
  r.count(
    t,
    `${rules.length} transfer rules${dropped.length > 0 ? ` (${dropped.length} rows sold off the card left out)` : ''}`,
  );
  return rules;
}
