// A schema as a Markdown table for the README (scripts/readme-config.ts writes it; its test
// fails when the README and the schema differ).
import type { ConfigSchema } from './schema.js';

export interface TableOptions {
  /** Add a column with the key's own name (the edge agent's JSON file uses it). */
  withNames?: boolean;
}

const cell = (v: string | number) => (v === '' ? '(empty)' : `\`${v}\``);

export function configTable(schema: ConfigSchema, options: TableOptions = {}): string {
  const rows = Object.entries(schema).map(([name, k]) => {
    const def = k.shownDefault !== undefined ? `\`${k.shownDefault}\`` : cell(k.default);
    const values =
      k.kind === 'enum' ? ` (${k.values.map((v) => (v === '' ? '(empty)' : v)).join(' \\| ')})` : '';
    const nameCell = options.withNames ? ` \`${name}\` |` : '';
    return `|${nameCell} \`${k.env}\` | ${def} | ${k.description}${values} |`;
  });
  const head = options.withNames
    ? ['| setting | variable | default | meaning |', '|---|---|---|---|']
    : ['| variable | default | meaning |', '|---|---|---|'];
  return [...head, ...rows].join('\n');
}
