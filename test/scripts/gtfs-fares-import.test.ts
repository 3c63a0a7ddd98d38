// The import CLI end to end: a real feed folder in, a tariff file out that the gateway loads.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTariff } from '../../gateway/src/tariff/load.js';

const root = join(import.meta.dirname, '../..');
const run = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/gtfs-fares-import.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('scripts/gtfs-fares-import.ts', () => {
  it('converts the Transcollines feed into a tariff file the gateway can load', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'onecard-gtfs-')), 'transcollines.json');
    run('test/fixtures/gtfs-fares-v2/transcollines', out, '--name', 'Transcollines');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { id: string; name: string };
    expect([doc.id, doc.name]).toEqual(['transcollines', 'Transcollines']);
    expect(readTariff(out).legRules.get('REG')).toHaveLength(8);
  });

  it('fails with the reasons and writes nothing when the folder is not a fares v2 feed', () => {
    const empty = mkdtempSync(join(tmpdir(), 'onecard-gtfs-empty-'));
    let stderr = '';
    try {
      run(empty, join(empty, 'out.json'));
    } catch (err) {
      stderr = String((err as { stderr: string }).stderr);
    }
    expect(stderr).toContain('fare_products.txt: missing (required for a fares v2 import)');
    expect(() => readFileSync(join(empty, 'out.json'))).toThrow();
  });
});
