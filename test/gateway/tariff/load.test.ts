// Choosing the tariff at start-up: 'flat', a shipped name, or a file; a file that cannot be used
// stops the start with every problem listed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTariff, readTariff, TariffError, tariffPath } from '../../../gateway/src/tariff/load.js';
import { cardState, tapInput } from '../../support/taps.js';

const flat = { busFlatFen: 200, metroFlatFen: 300 };
const dir = mkdtempSync(join(tmpdir(), 'onecard-tariff-load-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof TariffError) return err.problems;
    throw err;
  }
  throw new Error('no TariffError');
}

describe('loading the tariff', () => {
  it("keeps the flat fares under 'flat'", () => {
    const { price, summary } = loadTariff('flat', flat);
    expect(price(cardState(), tapInput())).toMatchObject({
      chargeFen: 200,
      lines: [{ kind: 'base', fen: 200 }],
    });
    expect(summary).toMatchObject({ id: 'flat', networks: [] });
  });

  it('finds a shipped tariff by name', () => {
    expect(tariffPath('beijing')).toMatch(/gateway\/tariffs\/beijing\/tariff\.json$/);
    const { price, summary } = loadTariff('beijing', flat);
    expect(summary.networks).toContainEqual({
      id: 'bj-metro',
      name: '北京地铁 / Beijing Subway',
      tapOut: true,
    });
    expect(price(cardState(), tapInput({ operatorId: 'bj-bus', routeId: 'bus-52' }))).toMatchObject({
      chargeFen: 100,
    });
  });

  it('reads a tariff from a file path', () => {
    const path = file('copy.json', JSON.stringify(readTariff(tariffPath('beijing')).doc));
    expect(readTariff(path).doc.id).toBe('beijing-2014');
  });

  it('says when the file is missing, not JSON, or not a valid tariff', () => {
    expect(problems(() => readTariff(join(dir, 'none.json')))[0]).toMatch(/^cannot be read: ENOENT/);
    expect(problems(() => readTariff(file('bad.json', '{ nope')))[0]).toMatch(/^is not JSON: /);
    expect(problems(() => readTariff(file('empty.json', '{}')))).toContain(
      "tariff.format: must be 'onecard-tariff/1'",
    );
  });

  it("names the file in the error's message", () => {
    const path = file('empty2.json', '{}');
    expect(() => readTariff(path)).toThrow(`The tariff ${path} has`);
  });
});
