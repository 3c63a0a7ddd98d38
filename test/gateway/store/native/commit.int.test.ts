// ONECARD.COMMIT (gateway/src/store/native/commit.c) against lua/commitEffects-0.lua, the contract
// it stands in for (docs/decisions/0232): random worlds (cards as strings, as hashes from before
// 0214 and missing; dedupe buckets and kept hashes holding entries; open-entry indexes; outboxes)
// copied under two prefixes, then the same random calls (chains of effects on one card, resends
// within and across calls, wrong versions, uses and open entries changing, partial outboxes, old
// dedupe fields, malformed effects) sent to the module on one copy and to the script on the
// other. Every reply and every key after each call must be the same, byte for byte (stream entry
// ids aside: they are times).
import { describe, expect, it } from 'vitest';
import { PackWriter } from '../../../../gateway/src/store/msgpack.js';
import { defineScripts, nativesOf } from '../../../../gateway/src/store/redis-scripts.js';
import { type SeededRandom, seededRandom } from '../../../support/random.js';
import { redisSuite } from '../../../support/redis-suite.js';
import { keyNumbers, snapshot } from './snapshot.js';

const suite = redisSuite('nc');

const CARDS = 8;
const BUCKETS = 3;
const fareState = (r: SeededRandom) =>
  r.chance(0.4) ? `{"open":{"at":${r.int(1e6)}},"n":${r.int(9)}}` : `{"n":${r.int(9)}}`;
const uses = (r: SeededRandom) => (r.chance(0.5) ? `{"u${r.int(3)}":${r.int(5)}}` : '{}');
const cardString = (r: SeededRandom, version: number) =>
  [
    version,
    r.int(10_000),
    fareState(r),
    uses(r),
    'active',
    String(r.int(4)),
    `6217****${r.int(10)}`,
    '110000',
  ].join('\n');

/** The world's keys under a prefix; a dedupe field or key from a small pool, so they meet. */
function names(prefix: string) {
  return {
    card: (i: number) => `${prefix}:card:${i}`,
    bucket: (b: number) => `${prefix}:seen:b${b}`,
    kept: `${prefix}:seen:kept`,
    outbox: (o: number) => `${prefix}:outbox:${o}`,
    open: (o: number) => `${prefix}:open:${o}`,
  };
}
const dedupeName = (r: SeededRandom) =>
  r.chance(0.5) ? Buffer.from([0, 1, 2, r.int(40), 0xff, 10]) : `tap:d1:${r.int(40)}`;

/** The same random world under both prefixes. */
async function world(r: SeededRandom, prefixes: readonly string[]): Promise<number[]> {
  const versions: number[] = [];
  const plan: Array<(k: ReturnType<typeof names>) => Promise<unknown>> = [];
  for (let i = 0; i < CARDS; i++) {
    const kind = r.int(10);
    const v = 1 + r.int(5);
    versions.push(kind === 0 ? 0 : v);
    if (kind === 0) continue; // no card
    const s = cardString(r, v);
    if (kind === 1) {
      const [ver, b, fs, u, st, f, m, rg] = s.split('\n');
      plan.push((k) => suite.admin.hset(k.card(i), { v: ver, b, fs, u, s: st, f, m, r: rg }));
    } else plan.push((k) => suite.admin.set(k.card(i), s));
    if (r.chance(0.5)) {
      const o = r.int(2);
      const at = r.int(1e6);
      plan.push((k) => suite.admin.zadd(k.open(o), at, `t${i}`));
    }
  }
  for (let b = 0; b < BUCKETS; b++)
    for (let e = r.int(4); e > 0; e--) {
      const field = dedupeName(r);
      const value = `r${r.int(100)}`;
      plan.push((k) => suite.admin.hset(k.bucket(b), field, value));
    }
  for (let e = r.int(3); e > 0; e--) {
    const field = dedupeName(r);
    const value = `k${r.int(9)}`;
    plan.push((k) => suite.admin.hset(k.kept, field, value));
  }
  for (const p of prefixes) for (const step of plan) await step(names(p));
  return versions;
}

interface Call {
  keys: (prefix: string) => string[];
  args: Array<string | Buffer>;
}

/** A random call on the world: its effects' columns as the gateway writes them (redis-commit.ts). */
function randomCall(r: SeededRandom, versions: number[]): Call {
  const { keys: keyList, num } = keyNumbers<(k: ReturnType<typeof names>) => string>();
  const n = 1 + r.int(24);
  const rows: Array<Array<string | number | Buffer>> = [];
  const frames: Buffer[] = [];
  const planned = [...versions];
  for (let i = 0; i < n; i++) {
    const card = r.chance(0.15) ? -1 : r.int(CARDS);
    const seenKept = r.chance(0.2);
    const b = r.int(BUCKETS);
    const seen = seenKept ? -num('kept', (k) => k.kept) : num(`b${b}`, (k) => k.bucket(b));
    const o = r.int(2);
    const outbox = num(`o${o}`, (k) => k.outbox(o));
    const len = r.int(12);
    frames.push(Buffer.from(Array.from({ length: len }, () => r.int(256))));
    const dedupe = dedupeName(r);
    const result = `r${r.int(100)}`;
    if (card < 0) {
      rows.push([dedupe, 0, '', '', '', 0, '', '', seen, result, outbox, len]);
      continue;
    }
    const expect = r.chance(0.15) ? planned[card]! + 1 + r.int(2) : planned[card]!;
    if (expect === planned[card]) planned[card] = expect + 1;
    const head = `${expect + 1}\n${r.int(10_000)}\n${fareState(r)}`;
    const openNo = r.int(2);
    rows.push([
      dedupe,
      num(`c${card}`, (k) => k.card(card)),
      String(expect),
      head,
      r.chance(0.3) ? uses(r) : '',
      num(`z${openNo}`, (k) => k.open(openNo)),
      r.chance(0.5) ? String(r.int(1e6)) : '',
      `t${card}`,
      seen,
      result,
      outbox,
      len,
    ]);
  }
  // Malformed now and then: a key number past KEYS, or a frame length off.
  if (r.chance(0.05)) rows[r.int(rows.length)]![10] = keyList.length + 5;
  if (r.chance(0.05)) rows[r.int(rows.length)]![11] = 9_999;
  // The frames grouped by outbox in first-use order, each segment in effect order.
  const order: number[] = [];
  for (const row of rows) if (!order.includes(row[10] as number)) order.push(row[10] as number);
  const segments = order.flatMap((o) => rows.flatMap((row, i) => (row[10] === o ? [frames[i]!] : [])));
  const w = new PackWriter().array(12);
  for (let c = 0; c < 12; c++) {
    w.array(rows.length);
    for (const row of rows) {
      const v = row[c]!;
      typeof v === 'number' ? w.int(v) : Buffer.isBuffer(v) ? w.bytes(v) : w.str(v);
    }
  }
  // Old dedupe fields (before 0222) for some effects in day buckets.
  const old: Array<number | string | Buffer> = [];
  rows.forEach((row, i) => {
    if ((row[8] as number) > 0 && r.chance(0.2)) old.push(i + 1, dedupeName(r));
  });
  const oldW = new PackWriter().array(old.length);
  for (const v of old) typeof v === 'number' ? oldW.int(v) : Buffer.isBuffer(v) ? oldW.bytes(v) : oldW.str(v);
  const args: Array<string | Buffer> = ['600', '0', Buffer.concat(segments), w.finish()];
  if (old.length > 0 || r.chance(0.5)) args.push(old.length > 0 ? oldW.finish() : '');
  return { keys: (prefix) => keyList.map((f) => f(names(prefix))), args };
}

describe('ONECARD.COMMIT against the commitEffects script', () => {
  it('runs on a Redis that has the module (scripts/services.sh loads it)', async () => {
    expect(await nativesOf(suite.admin, ['commitEffects'])).toEqual(new Set(['commitEffects']));
  });

  it('answers and writes exactly what the script does, call after call, over random worlds', async () => {
    const lua = defineScripts(suite.admin);
    let calls = 0;
    let refused = 0;
    let skippedEffects = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = seededRandom(seed);
      const native = `${suite.prefix}n${seed}`;
      const script = `${suite.prefix}s${seed}`;
      const versions = await world(r, [native, script]);
      for (let c = 0; c < 6; c++) {
        const call = randomCall(r, versions);
        const settle = (p: Promise<unknown>) =>
          p.then(
            (reply) => ({ reply }),
            (err: Error) => ({ error: err.message }),
          );
        const keysN = call.keys(native);
        const byModule = await settle(
          suite.admin.call('onecard.commit', keysN.length, ...keysN, ...call.args),
        );
        const byScript = await settle(lua.run('commitEffects', call.keys(script), call.args));
        expect({ seed, c, ...byModule }).toEqual({ seed, c, ...byScript });
        expect({ seed, c, keys: await snapshot(suite.admin, native) }).toEqual({
          seed,
          c,
          keys: await snapshot(suite.admin, script),
        });
        calls++;
        if ('error' in byScript) refused++;
        else skippedEffects += (byScript.reply as unknown[]).length / 3;
      }
    }
    // The worlds did reach the interesting paths: refusals, duplicates and conflicts.
    expect(calls).toBe(360);
    expect(refused).toBeGreaterThan(5);
    expect(skippedEffects).toBeGreaterThan(100);
  });
});
