// Converts a GTFS-Fares v2 feed folder into a tariff file the gateway loads (ONECARD_TARIFF=<path>).
//   node --import tsx scripts/gtfs-fares-import.ts <feed folder> <out.json> [--id ID] [--name NAME]
// What did not map is listed on stderr; on errors nothing is written and the exit code is 1.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { importGtfsFares } from '../core/tariff/gtfs/import.js';

export function convert(folder: string, out: string, id: string, name: string): { notes: string[] } {
  const files: Record<string, string> = {};
  for (const f of readdirSync(folder))
    if (f.endsWith('.txt')) files[f] = readFileSync(join(folder, f), 'utf8');
  const r = importGtfsFares(files, { id, name });
  if (!r.ok) throw new Error(`${folder}: cannot import:\n  - ${r.errors.join('\n  - ')}`);
  writeFileSync(out, `${JSON.stringify(r.tariff, null, 1)}\n`);
  return { notes: r.notes };
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { id: { type: 'string' }, name: { type: 'string' } },
  });
  const [folder, out] = positionals;
  if (!folder || !out) {
    console.error('usage: scripts/gtfs-fares-import.ts <feed folder> <out.json> [--id ID] [--name NAME]');
    process.exit(2);
  }
  try {
    const id = values.id ?? basename(folder);
    const { notes } = convert(folder, out, id, values.name ?? id);
    for (const n of notes) console.error(`not mapped: ${n}`);
    console.error(`wrote ${out} (${notes.length} note(s))`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
