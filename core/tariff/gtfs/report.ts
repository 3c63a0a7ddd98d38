// What an import found, in three grades (docs/decisions/0112):
// - error: the feed says something the tariff cannot express; nothing is written;
// - warning: the tariff would charge differently from what the feed says (a price dropped, a
//   limit rounded); written only when the operator accepts the warnings (--accept-warnings);
// - note: what the import did that changes no fare (unused rows, media no card tap uses).
// Every entry names its file and line, and the rule or row it is about.
import type { Table } from './csv.js';

export interface FileCount {
  file: string;
  /** Data rows in the file. */
  rowsIn: number;
  /** What the rows became in the tariff (e.g. "9 leg rules"). */
  out: string;
}

export interface ImportSummary {
  files: FileCount[];
  networks: string[];
  areas: number;
  media: string[];
  riderCategories: string[];
  timezone: string;
}

export class Report {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly notes: string[] = [];
  readonly files: FileCount[] = [];

  error(where: string, text: string): void {
    this.errors.push(`${where}: ${text}`);
  }

  warn(where: string, text: string): void {
    this.warnings.push(`${where}: ${text}`);
  }

  note(where: string, text: string): void {
    this.notes.push(`${where}: ${text}`);
  }

  count(t: Table | undefined, out: string): void {
    if (t) this.files.push({ file: t.file, rowsIn: t.rows.length, out });
  }
}

/** `file:line`; the message itself names the rule or row (its id, product, network). */
export function at(t: Table, line: number): string {
  return `${t.file}:${line}`;
}

/** The summary as lines for people (the CLI prints it). */
export function formatSummary(s: ImportSummary): string[] {
  const width = Math.max(...s.files.map((f) => f.file.length), 0);
  return [
    ...s.files.map((f) => `${f.file.padEnd(width)}  ${String(f.rowsIn).padStart(5)} rows in  → ${f.out}`),
    `networks: ${s.networks.length} (${s.networks.join(', ')})`,
    `areas: ${s.areas}`,
    `media: ${s.media.length === 0 ? 'none' : s.media.join(', ')}`,
    `rider categories: ${s.riderCategories.length === 0 ? 'none' : s.riderCategories.join(', ')}`,
    `timezone of timeframes: ${s.timezone}`,
  ];
}
