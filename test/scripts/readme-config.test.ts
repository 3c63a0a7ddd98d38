import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withConfigTable } from '../../scripts/readme-config.js';

describe('README configuration table', () => {
  it('matches the configuration schema (run: node --import tsx scripts/readme-config.ts)', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });
});
