// A tariff's own concessions (TariffDoc.concessions): checked against the built-in ones, and
// turned into the registry the gateway issues cards, prices rides and fills the devices' flags
// list with (core/concession.ts, docs/decisions/0186-concessions-as-data.md).
import {
  builtInRegistry,
  CONCESSION_NAME,
  type ConcessionDef,
  type ConcessionRegistry,
  concessionRegistry,
  FIRST_TARIFF_BIT,
  LAST_TARIFF_BIT,
} from '../concession.js';
import type { TariffDoc } from './model.js';

type Obj = Record<string, unknown>;

/**
 * Checks the concessions a tariff defines (each problem reported with its path, as validate.ts
 * does) and answers every name a rider category may give: the built-in ones and the sound ones
 * of the tariff.
 */
export function tariffConcessionNames(doc: Obj, fail: (path: string, message: string) => void): Set<string> {
  const names = new Set(builtInRegistry.names);
  const defined = doc.concessions === undefined ? [] : doc.concessions;
  if (!Array.isArray(defined)) {
    fail('tariff.concessions', 'must be an array');
    return names;
  }
  const bits = new Set(builtInRegistry.defs.map((d) => d.bit));
  defined.forEach((item, i) => {
    const p = `concessions[${i}]`;
    const o = (typeof item === 'object' && item !== null ? item : {}) as Obj;
    if (typeof o.id !== 'string' || !CONCESSION_NAME.test(o.id))
      fail(`${p}.id`, 'must be upper-case letters, digits and _ (at most 24), e.g. BLOOD_DONOR');
    else if (names.has(o.id)) fail(`${p}.id`, `'${o.id}' is defined twice (or built in)`);
    else names.add(o.id);
    if (typeof o.name !== 'string' || o.name === '') fail(`${p}.name`, 'must be a non-empty string');
    const bit = o.bit;
    // A card keeps its concessions as these bits: a tariff that renumbers them would change
    // what every issued card holds, so each is written down, never assigned by position.
    if (
      typeof bit !== 'number' ||
      !Number.isInteger(bit) ||
      bit < FIRST_TARIFF_BIT ||
      bit > LAST_TARIFF_BIT ||
      (bit & (bit - 1)) !== 0
    )
      fail(`${p}.bit`, `must be a power of two from ${FIRST_TARIFF_BIT} to 2^30`);
    else if (bits.has(bit)) fail(`${p}.bit`, `${bit} is taken`);
    else bits.add(bit);
  });
  return names;
}

/** The registry of a validated tariff: the built-in concessions and the tariff's own. */
export function tariffConcessions(doc: TariffDoc): ConcessionRegistry {
  const defs: ConcessionDef[] = (doc.concessions ?? []).map((c) => ({
    name: c.id,
    bit: c.bit,
    // The device needs one thing to decide offline: whether the holder rides free somewhere.
    ridesFree: doc.riderCategories.some(
      (r) => r.discount.kind === 'free' && r.eligibleFlags.some((f) => f.toUpperCase() === c.id),
    ),
  }));
  return concessionRegistry(defs);
}
