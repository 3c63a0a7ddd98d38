// Every relative link in the docs, the README and the source comments leads somewhere: a link
// to a decision record or a file that was renamed fails here, not in a reader's browser.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', '.git', '.run', 'dist', 'coverage', 'gen', '__pycache__']);

function files(dir: string, ext: RegExp, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, ext, out);
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

/** Markdown links [text](target) that are relative paths, with their #anchors and queries cut. */
function markdownTargets(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#'))
    .map((t) => t.replace(/[#?].*$/, ''));
}

describe('relative links', () => {
  it('in README.md, docs/ and conformance/ lead to files that exist', () => {
    const broken: string[] = [];
    const pages = [join(root, 'README.md'), ...files(join(root, 'docs'), /\.md$/)];
    for (const file of [...pages, ...files(join(root, 'conformance'), /\.md$/)])
      for (const target of markdownTargets(readFileSync(file, 'utf8')))
        if (!existsSync(join(dirname(file), decodeURI(target))))
          broken.push(`${relative(root, file)} → ${target}`);
    expect(broken).toEqual([]);
  });

  it('to docs/ in source comments lead to files that exist', () => {
    const broken: string[] = [];
    for (const file of files(root, /\.(ts|js|mjs|sh|lua|proto|py)$/))
      for (const m of readFileSync(file, 'utf8').matchAll(/docs\/[\w./-]+\.md/g))
        if (!existsSync(join(root, m[0]))) broken.push(`${relative(root, file)} → ${m[0]}`);
    expect(broken).toEqual([]);
  });
});
