import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVenues } from '../../../gateway/src/venues/load.js';

describe('venue files', () => {
  it('the shipped Beijing venues load: a museum with slots, a scenic area, a library', () => {
    const venues = loadVenues();
    expect([...venues.keys()].sort()).toEqual(['bj-library', 'bj-national-museum', 'bj-scenic-park']);
    const museum = venues.get('bj-national-museum')!;
    expect(museum.slots.length).toBeGreaterThan(1);
    expect(museum.booking?.seniorWalkInQuota).toBeGreaterThan(0);
    const park = venues.get('bj-scenic-park')!;
    expect(park.products.map((p) => p.kind).sort()).toEqual(['annual_pass', 'ticket']);
    expect(park.capacity).toMatchObject({ warnShare: 0.8 });
  });

  it('names the file and every problem, and loads nothing when one file is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'venues-'));
    mkdirSync(join(dir, 'city'));
    writeFileSync(
      join(dir, 'city', 'good.json'),
      JSON.stringify({ id: 'lib', name: 'L', kind: 'library', operatorId: 'o' }),
    );
    writeFileSync(
      join(dir, 'city', 'bad.json'),
      JSON.stringify({ id: 'x', name: 'X', kind: 'zoo', operatorId: 'o' }),
    );
    writeFileSync(join(dir, 'city', 'broken.json'), '{');
    expect(() => loadVenues(dir)).toThrow(/bad\.json: kind must be one of library, museum, scenic, got zoo/);
    expect(() => loadVenues(dir)).toThrow(/broken\.json: not JSON/);
  });

  it('refuses two files describing one venue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'venues-'));
    const lib = JSON.stringify({ id: 'lib', name: 'L', kind: 'library', operatorId: 'o' });
    writeFileSync(join(dir, 'a.json'), lib);
    writeFileSync(join(dir, 'b.json'), lib);
    expect(() => loadVenues(dir)).toThrow(/b\.json: venue id lib is used by another file/);
  });
});
