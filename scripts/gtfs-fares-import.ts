// Converts a GTFS-Fares v2 feed folder into a tariff file the gateway loads (ONECARD_TARIFF=<path>).
//   node --import tsx scripts/gtfs-fares-import.ts <feed folder> <out.json> [--id ID] [--name NAME]
//        [--accept-warnings] [--categories FILE]
// --categories: JSON { "<rider_category_id>": ["senior" | "disabled" | "student" | "veteran", …] }
// saying which card flags make a rider of each GTFS rider category ([] drops its prices).
// Prints a summary (rows in and what they became, per file; networks, areas, media, categories)
// on stderr. Errors: what the tariff cannot express; nothing is written, exit 1. Warnings: the
// tariff would charge differently from the feed; nothing is written (exit 1) unless the
// operator accepts them with --accept-warnings. Notes change no fare and are printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type CategoryFlags,
  FARE_FILES,
  formatSummary,
  importGtfsFares,
} from '../core/tariff/gtfs/import.js';

export interface Converted {
  written: boolean;
  /** Lines for stderr, in order: summary, notes, warnings, errors, outcome. */
  report: string[];
}

export function convert(
  folder: string,
  out: string,
  id: string,
  name: string,
  acceptWarnings: boolean,
  categoryFlags?: CategoryFlags,
): Converted {
  const files: Record<string, string> = {};
  for (const f of FARE_FILES)
    if (existsSync(join(folder, f))) files[f] = readFileSync(join(folder, f), 'utf8');
  const r = importGtfsFares(files, { id, name, ...(categoryFlags ? { categoryFlags } : {}) });
  const warnings = r.warnings.map((w) => `warning: ${w}`);
  if (!r.ok)
    return {
      written: false,
      report: [
        ...warnings,
        ...r.errors.map((e) => `error: ${e}`),
        `${folder}: cannot import, nothing written`,
      ],
    };
  const report = [...formatSummary(r.summary), ...r.notes.map((n) => `note: ${n}`), ...warnings];
  if (r.warnings.length > 0 && !acceptWarnings)
    return {
      written: false,
      report: [
        ...report,
        `${r.warnings.length} warning(s): the tariff would charge differently from the feed; nothing written (rerun with --accept-warnings to accept them)`,
      ],
    };
  writeFileSync(out, `${JSON.stringify(r.tariff, null, 1)}\n`);
  return {
    written: true,
    report: [...report, `wrote ${out} (${r.warnings.length} warning(s) accepted, ${r.notes.length} note(s))`],
  };
}

/** The --categories file: an object of string arrays, else a message for the operator. */
export function readCategories(path: string): CategoryFlags | string {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return `--categories ${path}: ${(err as Error).message}`;
  }
  const ok =
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    Object.values(json).every((v) => Array.isArray(v) && v.every((f) => typeof f === 'string'));
  return ok
    ? (json as CategoryFlags)
    : `--categories ${path}: must be {"<rider_category_id>": ["senior", …]}`;
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      'accept-warnings': { type: 'boolean' },
      categories: { type: 'string' },
    },
  });
  const [folder, out] = positionals;
  if (!folder || !out) {
    console.error(
      'usage: scripts/gtfs-fares-import.ts <feed folder> <out.json> [--id ID] [--name NAME] [--accept-warnings] [--categories FILE]',
    );
    process.exit(2);
  }
  const flags = values.categories === undefined ? undefined : readCategories(values.categories);
  if (typeof flags === 'string') {
    console.error(flags);
    process.exit(2);
  }
  const id = values.id ?? basename(folder);
  const { written, report } = convert(
    folder,
    out,
    id,
    values.name ?? id,
    values['accept-warnings'] ?? false,
    flags,
  );
  for (const line of report) console.error(line);
  process.exit(written ? 0 : 1);
}
