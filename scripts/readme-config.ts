// Writes the gateway's configuration table into README.md (between the config-table markers)
// from the one schema in gateway/src/config.ts, so the README cannot drift from the code.
// `node --import tsx scripts/readme-config.ts` rewrites; with --check it only compares.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../gateway/src/config.js';

export function configTable(): string {
  const rows = Object.values(configSchema).map((k) => {
    const def =
      k.env === 'ONECARD_INSTANCE_ID' ? '`gw-<pid>`' : k.default === '' ? '(empty)' : `\`${k.default}\``;
    const values = k.values ? ` (${k.values.join(' \\| ')})` : '';
    return `| \`${k.env}\` | ${def} | ${k.description}${values} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

const BEGIN = '<!-- config-table:begin -->';
const END = '<!-- config-table:end -->';

export function withConfigTable(readme: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${BEGIN} … ${END} markers`);
  return `${readme.slice(0, a + BEGIN.length)}\n${configTable()}\n${readme.slice(b)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = join(import.meta.dirname, '..', 'README.md');
  const before = readFileSync(file, 'utf8');
  const after = withConfigTable(before);
  if (process.argv.includes('--check')) process.exit(before === after ? 0 : 1);
  writeFileSync(file, after);
}
