// Converts a GTFS-Fares v2 feed folder into a tariff file the gateway loads (ONECARD_TARIFF=<path>).
//   node --import tsx scripts/gtfs-fares-import.ts <feed folder> <out.json> [--id ID] [--name NAME]
//        [--accept-warnings]
// Prints a summary (rows in and what they became, per file; networks, areas, media, categories)
// on stderr. Errors: what the tariff cannot express; nothing is written, exit 1. Warnings: the
// tariff would charge differently from the feed; nothing is written (exit 1) unless the
// operator accepts them with --accept-warnings. Notes change no fare and are printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FARE_FILES, formatSummary, importGtfsFares } from '../core/tariff/gtfs/import.js';

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
): Converted {
  const files: Record<string, string> = {};
  for (const f of FARE_FILES)
    if (existsSync(join(folder, f))) files[f] = readFileSync(join(folder, f), 'utf8');
  const r = importGtfsFares(files, { id, name });
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

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { id: { type: 'string' }, name: { type: 'string' }, 'accept-warnings': { type: 'boolean' } },
  });
  const [folder, out] = positionals;
  if (!folder || !out) {
    console.error(
      'usage: scripts/gtfs-fares-import.ts <feed folder> <out.json> [--id ID] [--name NAME] [--accept-warnings]',
    );
    process.exit(2);
  }
  const id = values.id ?? basename(folder);
  const { written, report } = convert(folder, out, id, values.name ?? id, values['accept-warnings'] ?? false);
  for (const line of report) console.error(line);
  process.exit(written ? 0 : 1);
}
