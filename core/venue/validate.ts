// Checks a venue definition read from a file and fills the defaults: every problem in words for
// the person editing the file, all at once (a venue with any problem is not loaded).
import { ConcessionFlag } from '../card.js';
import { MAX_ENTITLEMENT_DAYS } from '../uses.js';
import { checkEntryRules, checkGates } from './gates.js';
import type { BookingRules, Capacity, Product, Slot, Venue } from './model.js';

type Json = Record<string, unknown>;

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const KINDS = ['library', 'museum', 'scenic'];
const PRODUCT_KINDS = ['ticket', 'annual_pass', 'reservation'];

export const defaultBookingRules: BookingRules = {
  horizonDays: 7,
  maxParty: 5,
  seniorWalkInQuota: 0,
  closeBeforeEndMin: 0,
  noShowLimit: 3,
  noShowWindowDays: 90,
  blockDays: 30,
};

export function parseVenue(raw: unknown): { venue?: Venue; problems: string[] } {
  const problems: string[] = [];
  if (!isObject(raw)) return { problems: ['a venue is a JSON object'] };
  const int = (obj: Json, key: string, where: string, min: number, max: number, dflt?: number): number => {
    const v = obj[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${where}${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return min;
    }
    return v;
  };
  const str = (obj: Json, key: string, where: string, re?: RegExp): string => {
    const v = obj[key];
    if (typeof v !== 'string' || v === '' || (re && !re.test(v))) {
      problems.push(`${where}${key} must be ${re ? `an id (${re.source})` : 'a non-empty string'}`);
      return '';
    }
    return v;
  };
  const kind = str(raw, 'kind', '') as Venue['kind'];
  if (kind && !KINDS.includes(kind)) problems.push(`kind must be one of ${KINDS.join(', ')}, got ${kind}`);
  const openMin = int(raw, 'openMin', '', 0, 1439, 0);
  const closeMin = int(raw, 'closeMin', '', 1, 1440, 1440);
  if (openMin >= closeMin) problems.push('openMin must be before closeMin');
  const slots = arrayOf(raw.slots ?? [], 'slots', problems).map(
    (s, i): Slot => ({
      startMin: int(s, 'startMin', `slots[${i}].`, openMin, 1439),
      endMin: int(s, 'endMin', `slots[${i}].`, 1, closeMin),
      capacity: int(s, 'capacity', `slots[${i}].`, 1, 1_000_000),
    }),
  );
  slots.forEach((s, i) => {
    if (s.startMin >= s.endMin) problems.push(`slots[${i}] must start before it ends`);
    const prev = slots[i - 1];
    if (prev && s.startMin < prev.endMin) problems.push(`slots[${i}] overlaps or precedes slots[${i - 1}]`);
  });
  let booking: BookingRules | undefined;
  if (raw.booking !== undefined) {
    if (!isObject(raw.booking)) problems.push('booking must be an object');
    const b: Json = isObject(raw.booking) ? raw.booking : {};
    const d = defaultBookingRules;
    booking = {
      horizonDays: int(b, 'horizonDays', 'booking.', 0, 366, d.horizonDays),
      maxParty: int(b, 'maxParty', 'booking.', 1, 50, d.maxParty),
      seniorWalkInQuota: int(b, 'seniorWalkInQuota', 'booking.', 0, 1_000_000, d.seniorWalkInQuota),
      closeBeforeEndMin: int(b, 'closeBeforeEndMin', 'booking.', 0, 1440, d.closeBeforeEndMin),
      noShowLimit: int(b, 'noShowLimit', 'booking.', 0, 100, d.noShowLimit),
      noShowWindowDays: int(b, 'noShowWindowDays', 'booking.', 1, 3660, d.noShowWindowDays),
      blockDays: int(b, 'blockDays', 'booking.', 0, 3660, d.blockDays),
    };
    for (const [i, s] of slots.entries())
      if (booking.seniorWalkInQuota > s.capacity)
        problems.push(`booking.seniorWalkInQuota exceeds the capacity of slots[${i}]`);
  }
  const c = isObject(raw.capacity) ? raw.capacity : {};
  const capacity: Capacity = {
    daily: int(c, 'daily', 'capacity.', 0, 10_000_000, 0),
    instant: int(c, 'instant', 'capacity.', 0, 10_000_000, 0),
    warnShare: 0.8,
  };
  const share = c.warnShare ?? 0.8;
  if (typeof share !== 'number' || !(share > 0 && share <= 1))
    problems.push(`capacity.warnShare must be a number above 0 and at most 1, got ${JSON.stringify(share)}`);
  else capacity.warnShare = share;
  const products = arrayOf(raw.products ?? [], 'products', problems).map((p, i) =>
    parseProduct(p, `products[${i}].`, problems, int, str),
  );
  const ids = products.map((p) => p.id);
  if (new Set(ids).size !== ids.length) problems.push('product ids must be unique');
  if (kind === 'museum') {
    if (slots.length === 0) problems.push('a museum needs slots');
    if (!booking) problems.push('a museum needs booking rules');
    if (!products.some((p) => p.kind === 'reservation'))
      problems.push('a museum needs a reservation product');
  }
  if (kind !== 'museum' && products.some((p) => p.kind === 'reservation'))
    problems.push('reservation products need a museum with slots');
  const entry = KINDS.includes(kind) ? checkEntryRules(kind, raw.entryRules) : { rules: {}, problems: [] };
  problems.push(...entry.problems);
  const gates = KINDS.includes(kind) ? checkGates(kind, raw.gates, entry.rules) : { gates: {}, problems: [] };
  problems.push(...gates.problems);
  const venue: Venue = {
    id: str(raw, 'id', '', ID),
    name: str(raw, 'name', ''),
    kind,
    operatorId: str(raw, 'operatorId', '', ID),
    openMin,
    closeMin,
    slots,
    ...(booking ? { booking } : {}),
    capacity,
    products,
    entryRules: entry.rules,
    gates: gates.gates,
  };
  return problems.length > 0 ? { problems } : { venue, problems };
}

function parseProduct(
  p: Json,
  where: string,
  problems: string[],
  int: (o: Json, k: string, w: string, min: number, max: number, d?: number) => number,
  str: (o: Json, k: string, w: string, re?: RegExp) => string,
): Product {
  const kind = str(p, 'kind', where) as Product['kind'];
  if (kind && !PRODUCT_KINDS.includes(kind))
    problems.push(`${where}kind must be one of ${PRODUCT_KINDS.join(', ')}, got ${kind}`);
  const freeFor = p.freeFor ?? [];
  const names = Object.keys(ConcessionFlag);
  if (!Array.isArray(freeFor) || freeFor.some((f) => !names.includes(f as string)))
    problems.push(`${where}freeFor must list concessions among ${names.join(', ')}`);
  const pass = kind === 'annual_pass';
  // core/visit.ts reconciles tickets and reservations as single-use: a file saying otherwise
  // would have its second entries reported as reused.
  if (!pass && p.maxEntries !== undefined && p.maxEntries !== 1)
    problems.push(`${where}maxEntries must be 1 for a ${kind} (tickets and reservations are single-use)`);
  return {
    id: str(p, 'id', where, ID),
    name: str(p, 'name', where),
    kind,
    priceFen: int(p, 'priceFen', where, 0, 10_000_000),
    freeFor: Array.isArray(freeFor) ? (freeFor as Product['freeFor']) : [],
    // A single-use product's last day goes on its taps, which the gateway takes only up to
    // MAX_ENTITLEMENT_DAYS ahead (docs/decisions/0215): a longer ticket's taps would be quarantined.
    validityDays: int(p, 'validityDays', where, 1, pass ? 3660 : MAX_ENTITLEMENT_DAYS, pass ? 365 : 1),
    maxEntries: int(p, 'maxEntries', where, 0, 100_000, pass ? 0 : 1),
  };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayOf(v: unknown, name: string, problems: string[]): Json[] {
  if (!Array.isArray(v) || v.some((x) => !isObject(x))) {
    problems.push(`${name} must be a list of objects`);
    return [];
  }
  return v as Json[];
}
