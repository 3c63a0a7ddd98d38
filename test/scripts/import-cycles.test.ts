import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, projectCycles, runtimeSpecifiers } from '../../scripts/import-cycles.js';

/** An in-memory tree: file path → text. */
const tree = (files: Record<string, string>) => (file: string) => files[file];

describe('import cycles', () => {
  it('has none at run time in the gateway, the edge agent or core', () => {
    expect(projectCycles(join(import.meta.dirname, '../..'))).toEqual([]);
  });

  it('counts value imports and re-exports, not type-only ones', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B, c } from './b.js';",
      "import { d } from 'node:fs';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "import './side-effect.js';",
    ].join('\n');
    expect(runtimeSpecifiers('/x.ts', text)).toEqual(['./b.js', './e.js', './side-effect.js']);
  });

  it('finds a cycle through a value import and none through a type import', () => {
    const files = {
      '/p/server.ts': "import { routes } from './routes/cards.js';\nexport const toJson = 1;",
      '/p/routes/cards.ts': "import { toJson } from '../server.js';\nexport const routes = 2;",
      '/p/ok/a.ts': "import type { B } from './b.js';\nexport type A = 1;",
      '/p/ok/b.ts': "import { a } from './index.js';\nexport type B = 2;",
      '/p/ok/index.ts': "import type { A } from './a.js';\nexport const a = 1;",
      '/p/self.ts': "export { x } from './self.js';",
    };
    const cycles = findCycles(Object.keys(files), tree(files));
    expect(cycles.map((c) => [...c].sort())).toEqual(
      expect.arrayContaining([['/p/routes/cards.ts', '/p/server.ts'], ['/p/self.ts']]),
    );
    expect(cycles).toHaveLength(2);
  });
});
