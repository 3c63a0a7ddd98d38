// Chooses the tariff at start-up (ONECARD_TARIFF): 'flat' (the first version's flat fares), the
// name of a tariff shipped in gateway/tariffs/<name>/tariff.json, or the path of a tariff JSON
// file. A file is validated before use; every problem is reported at once and the gateway does
// not start with a tariff it cannot read.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtInRegistry, type ConcessionRegistry } from '../../../core/concession.js';
import { flatPricer, type Pricer, tariffPricer } from '../../../core/pricing.js';
import { type CompiledTariff, compileTariff } from '../../../core/tariff/compile.js';
import { type FlatTariff, flatFare } from '../../../core/tariff/flat.js';
import { validateTariff } from '../../../core/tariff/validate.js';

export class TariffError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`The tariff ${source} has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
}

const SHIPPED = /^[a-z0-9-]+$/;

export function tariffPath(spec: string): string {
  return SHIPPED.test(spec)
    ? fileURLToPath(new URL(`../../tariffs/${spec}/tariff.json`, import.meta.url))
    : spec;
}

/** Reads, validates and compiles a tariff file; throws TariffError listing every problem. */
export function readTariff(path: string): CompiledTariff {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TariffError(path, [`cannot be read: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TariffError(path, [`is not JSON: ${(err as Error).message}`]);
  }
  const v = validateTariff(json);
  if (!v.ok) throw new TariffError(path, v.errors);
  return compileTariff(v.tariff);
}

/** What GET /v1/tariff shows operators: which tariff prices the taps, and where it comes from. */
export interface TariffSummary {
  id: string;
  name: string;
  currency: string;
  sources: string[];
  networks: { id: string; name: string; tapOut: boolean }[];
}

export interface LoadedTariff {
  price: Pricer;
  /** The compiled tariff (for the missing tap-out sweep); undefined for the flat fares. */
  compiled?: CompiledTariff;
  /** The concessions cards may hold: the built-in ones and the tariff's own (core/concession.ts). */
  concessions: ConcessionRegistry;
  summary: TariffSummary;
}

export function loadTariff(spec: string, flat: FlatTariff): LoadedTariff {
  if (spec === 'flat')
    return {
      price: flatPricer(flatFare(flat)),
      concessions: builtInRegistry,
      summary: {
        id: 'flat',
        name: `Flat fares: bus ${flat.busFlatFen} fen, metro ${flat.metroFlatFen} fen at the exit`,
        currency: 'CNY',
        sources: [],
        networks: [],
      },
    };
  const tariff = readTariff(tariffPath(spec));
  const { id, name, currency, sources, networks } = tariff.doc;
  return {
    price: tariffPricer(tariff),
    compiled: tariff,
    concessions: tariff.concessions,
    summary: {
      id,
      name,
      currency,
      sources: sources ?? [],
      networks: networks.map((n) => ({ id: n.id, name: n.name, tapOut: n.tapOut !== undefined })),
    },
  };
}
