// Writes the configuration tables into README.md (between their markers) from the schemas,
// gateway/src/config.ts and edge-agent/src/config-schema.ts (core/config/readme.ts makes the
// tables), so the README cannot drift from the code.
// `node --import tsx scripts/readme-config.ts` rewrites; with --check it only compares.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTable } from '../core/config/readme.js';
import { edgeConfigSchema } from '../edge-agent/src/config-schema.js';
import { configSchema } from '../gateway/src/config.js';

/** Each table: its markers' name and its text. */
const tables: Array<[string, () => string]> = [
  ['config-table', () => configTable(configSchema)],
  ['edge-config-table', () => configTable(edgeConfigSchema, { withNames: true })],
];

export function withConfigTable(readme: string): string {
  let out = readme;
  for (const [marker, table] of tables) {
    const begin = `<!-- ${marker}:begin -->`;
    const end = `<!-- ${marker}:end -->`;
    const a = out.indexOf(begin);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md lacks the ${begin} … ${end} markers`);
    out = `${out.slice(0, a + begin.length)}\n${table()}\n${out.slice(b)}`;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = join(import.meta.dirname, '..', 'README.md');
  const before = readFileSync(file, 'utf8');
  const after = withConfigTable(before);
  if (process.argv.includes('--check')) process.exit(before === after ? 0 : 1);
  writeFileSync(file, after);
}
