// The import CLI end to end: a feed folder in (synthetic.ts), a tariff file out that the gateway loads;
// warnings refuse the write until accepted; errors always refuse it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTariff } from '../../gateway/src/tariff/load.js';
import { commuterFeed, threeTownsFeed, writeFeed } from '../core/tariff/gtfs/synthetic.js';

const root = join(import.meta.dirname, '../..');
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/gtfs-fares-import.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, stderr: r.stderr };
};
const outFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'onecard-gtfs-')), name);

describe('scripts/gtfs-fares-import.ts', () => {
  it('converts a commuter feed into a tariff file the gateway can load, with a summary', () => {
    const out = outFile('commuter.json');
    // The tariff id comes from the folder's name.
    const feed = writeFeed(
      join(mkdtempSync(join(tmpdir(), 'onecard-gtfs-feed-')), 'commuter'),
      commuterFeed(),
    );
    const { code, stderr } = run(feed, out, '--name', 'Commuter');
    expect(code).toBe(0);
    expect(stderr).toMatch(/fare_leg_rules\.txt +3 rows in {2}→ 3 leg rules/);
    expect(stderr).toContain('networks: 2 (REG, LOC)');
    expect(stderr).toContain('timezone of timeframes: America/Montreal');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { id: string; name: string };
    expect([doc.id, doc.name]).toEqual(['commuter', 'Commuter']);
    expect(readTariff(out).legRules.get('REG')).toHaveLength(2);
  });

  it('writes nothing for a feed with warnings until they are accepted (fares sold for cash only)', () => {
    const out = outFile('three-towns.json');
    const feed = writeFeed(
      mkdtempSync(join(tmpdir(), 'onecard-gtfs-feed-')),
      threeTownsFeed({ cashOnly: true }),
    );
    const refused = run(feed, out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      '3 warning(s): the tariff would charge differently from the feed; nothing written (rerun with --accept-warnings to accept them)',
    );
    expect(existsSync(out)).toBe(false);
    const accepted = run(feed, out, '--accept-warnings');
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain('networks: 1 (any-route)');
    expect(readTariff(out).legRules.get('any-route')).toHaveLength(9);
  });

  it('fails with the reasons and writes nothing when the folder is not a fares v2 feed', () => {
    const empty = mkdtempSync(join(tmpdir(), 'onecard-gtfs-empty-'));
    writeFileSync(join(empty, 'fare_leg_join_rules.txt'), 'from_network_id,to_network_id\na,a\n');
    const { code, stderr } = run(empty, join(empty, 'out.json'), '--accept-warnings');
    expect(code).toBe(1);
    expect(stderr).toContain('error: fare_products.txt: missing (required for a fares v2 import)');
    expect(stderr).toContain(
      'error: fare_leg_join_rules.txt:2: joined legs (effective fare legs) are not supported',
    );
    expect(existsSync(join(empty, 'out.json'))).toBe(false);
  });

  it('maps rider categories to card flags with --categories, and refuses a malformed file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onecard-gtfs-cat-'));
    writeFileSync(
      join(dir, 'rider_categories.txt'),
      'rider_category_id,is_default_fare_category\nadult,1\nsenior,0\n',
    );
    writeFileSync(
      join(dir, 'fare_products.txt'),
      'fare_product_id,rider_category_id,amount,currency\nbus,,2.00,CNY\nbus,senior,0,CNY\n',
    );
    writeFileSync(join(dir, 'fare_leg_rules.txt'), 'fare_product_id\nbus\n');
    writeFileSync(join(dir, 'flags.json'), '{"senior": ["senior"]}');
    writeFileSync(join(dir, 'bad.json'), '{"senior": "senior"}');
    const out = join(dir, 'out.json');
    const bad = run(dir, out, '--categories', join(dir, 'bad.json'));
    expect([bad.code, bad.stderr.trim()]).toEqual([
      2,
      `--categories ${join(dir, 'bad.json')}: must be {"<rider_category_id>": ["senior", …]}`,
    ]);
    const ok = run(dir, out, '--categories', join(dir, 'flags.json'));
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('rider categories: adult, senior → senior');
    expect(readTariff(out).categories).toEqual([
      { id: 'senior', name: 'senior', eligibleFlags: ['senior'], discount: { kind: 'free' } },
    ]);
  });
});
