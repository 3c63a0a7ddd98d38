// Reading deploy/ the way systemd and scripts/deploy-render.sh do, for the tests beside this
// file (docs/decisions/0200).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '../..');
export const deployDir = join(root, 'deploy');

export const read = (path: string) => readFileSync(path, 'utf8');

/**
 * An environment file as systemd reads it, stricter: KEY=value lines, comments and blank lines
 * only; no quotes (systemd would strip them, a shell would not) and no key twice.
 */
export function parseEnvFile(text: string): { values: Map<string, string>; problems: string[] } {
  const values = new Map<string, string>();
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^([A-Z][A-Z0-9_]*)=([^'"\s]*)$/.exec(line);
    if (!m) problems.push(`line ${i + 1}: not KEY=value without quotes or spaces: ${line}`);
    else if (values.has(m[1]!)) problems.push(`line ${i + 1}: ${m[1]} set twice`);
    else values.set(m[1]!, m[2]!);
  });
  return { values, problems };
}

/** The @NAME@ placeholders in a text, in order of first appearance. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/@([A-Z][A-Z0-9_]*)@/g)].map((m) => m[1]!))];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `rendered` is `template` with every @NAME@ replaced by one value (the same value for
 * every occurrence of a name). Returns the values, or undefined when the text differs anywhere.
 */
export function matchTemplate(template: string, rendered: string): Map<string, string> | undefined {
  const seen = new Set<string>();
  let pattern = '';
  let last = 0;
  for (const m of template.matchAll(/@([A-Z][A-Z0-9_]*)@/g)) {
    pattern += escapeRegExp(template.slice(last, m.index));
    pattern += seen.has(m[1]!) ? `\\k<${m[1]}>` : `(?<${m[1]}>[^\\n]*?)`;
    seen.add(m[1]!);
    last = m.index + m[0].length;
  }
  pattern += escapeRegExp(template.slice(last));
  const found = new RegExp(`^${pattern}$`).exec(rendered);
  return found ? new Map(Object.entries(found.groups ?? {})) : undefined;
}

/** The marker services.sh and redis-sentinel.sh put before a test instance's own lines. */
export const TEST_ONLY = /\n# Test instance only \(scripts\/[a-z-]+\.sh\):\n/;

/** A rendered config split into the template's part and the test-only lines after it. */
export function splitTestOnly(rendered: string): { shipped: string; testOnly: string } {
  const m = TEST_ONLY.exec(rendered);
  if (!m) return { shipped: rendered, testOnly: '' };
  return { shipped: rendered.slice(0, m.index), testOnly: rendered.slice(m.index + m[0].length) };
}
