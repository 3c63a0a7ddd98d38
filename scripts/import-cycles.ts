// Finds runtime import cycles among our .ts files (issue 12: routes once imported a value from
// http/server.ts, which imports the routes; it worked only because of hoisting). Type-only
// imports (`import type`, `export type`) are erased before run time and are not edges; an
// `import { type A }` is, because verbatimModuleSyntax keeps the module import.
// `node --import tsx scripts/import-cycles.ts` prints the cycles and exits 1 if there are any.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Reads a file's text; undefined when there is no such file. */
export type Read = (file: string) => string | undefined;

/** The relative module specifiers a file imports or re-exports at run time, in order. */
export function runtimeSpecifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of source.statements) {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(st) && !st.importClause?.isTypeOnly) spec = st.moduleSpecifier;
    else if (ts.isExportDeclaration(st) && !st.isTypeOnly) spec = st.moduleSpecifier;
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) out.push(spec.text);
  }
  return out;
}

/** The .ts file a relative specifier names ('./x.js' is ./x.ts or ./x/index.ts), if it exists. */
function resolveSpecifier(from: string, spec: string, read: Read): string | undefined {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')])
    if (read(candidate) !== undefined) return candidate;
  return undefined;
}

/**
 * Every runtime import cycle reachable from the root files, each as the files that import one
 * another round (Tarjan's strongly connected components: a component of two or more files, or
 * one file importing itself, is a cycle).
 */
export function findCycles(roots: readonly string[], read: Read): string[][] {
  const edges = new Map<string, string[]>();
  const pending = [...roots];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (edges.has(file)) continue;
    const text = read(file) ?? '';
    const next = runtimeSpecifiers(file, text)
      .map((spec) => resolveSpecifier(file, spec, read))
      .filter((f): f is string => f !== undefined);
    edges.set(file, next);
    pending.push(...next);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  // Iterative, so a deep import chain cannot overflow the call stack.
  for (const start of edges.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ file: string; next: number }> = [{ file: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = edges.get(frame.file)!;
      if (frame.next < targets.length) {
        const to = targets[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ file: to, next: 0 });
        } else if (onStack.has(to)) low.set(frame.file, Math.min(low.get(frame.file)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(frame.file)!));
      if (low.get(frame.file) !== index.get(frame.file)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.file);
      if (component.length > 1 || edges.get(frame.file)!.includes(frame.file))
        cycles.push(component.reverse());
    }
  }
  return cycles;
}

const readOrUndefined: Read = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Every .ts file of both programs and the shared core is a root (not only what main reaches). */
export function projectCycles(repo: string): string[][] {
  const roots = ['gateway/src', 'edge-agent/src', 'core'].flatMap((dir) =>
    readdirSync(join(repo, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(repo, dir, f)),
  );
  return findCycles(roots, readOrUndefined).map((c) => c.map((f) => relative(repo, f)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cycles = projectCycles(join(import.meta.dirname, '..'));
  for (const c of cycles) console.log(`import cycle among: ${c.join(', ')}`);
  process.exit(cycles.length > 0 ? 1 : 0);
}
