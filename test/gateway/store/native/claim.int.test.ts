// ONECARD.CLAIM (gateway/src/store/native/claim.c) against lua/claimTaps-0.lua, the contract it
// stands in for (docs/decisions/0232): random devices (marks with days inside and past the
// lifetime, floors, claim buckets holding seqs, buckets gone) copied under two prefixes, then the
// same random calls (several sections, a device twice in one call, resends of the same content,
// other content under a held seq, seqs at or below the floor whose bucket expired, runs meeting a
// bucket again, malformed sections) sent to the module on one copy and to the script on the other.
// Every reply and every key after each call must be the same.
import { describe, expect, it } from 'vitest';
import { PackWriter } from '../../../../gateway/src/store/msgpack.js';
import { defineScripts, nativesOf } from '../../../../gateway/src/store/redis-scripts.js';
import { type SeededRandom, seededRandom } from '../../../support/random.js';
import { redisSuite } from '../../../support/redis-suite.js';
import { keyNumbers, snapshot } from './snapshot.js';

const suite = redisSuite('ncl');

const DEVICES = 3;
const BLOCKS = 4;
const BLOCK = 16;
const TODAY = 20_430;
/** Three days: the script's lifetime is bucketTtl / 86,400, floored. */
const TTL = String(3 * 86_400 + 100);
const digest = (r: SeededRandom) => r.pick(['a1', 'b2', 'c3']);

const marksKey = (prefix: string, d: number) => `${prefix}:{d:${d}}:hwm`;
const bucketKey = (prefix: string, d: number, b: number) => `${prefix}:{d:${d}}:claims:e:b${b}`;

async function world(r: SeededRandom, prefixes: readonly string[]): Promise<void> {
  const steps: Array<(prefix: string) => Promise<unknown>> = [];
  for (let d = 0; d < DEVICES; d++) {
    if (r.chance(0.8)) {
      const top = r.int(BLOCKS * BLOCK);
      const days = Array.from(
        { length: r.int(5) },
        (_, k) => `${TODAY - 5 + k + r.int(2)}:${r.int(top + 1)}`,
      );
      const floor = r.int(BLOCK * 2);
      const fields: Record<string, string> = { e: String(top), 'e|f': String(floor) };
      if (days.length) fields['e|d'] = days.join(',');
      steps.push((p) => suite.admin.hset(marksKey(p, d), fields));
    }
    for (let b = 0; b < BLOCKS; b++) {
      if (r.chance(0.4)) continue; // gone
      const held: Record<string, string> = {};
      for (let k = r.int(6); k > 0; k--) held[String(b * BLOCK + r.int(BLOCK))] = digest(r);
      if (Object.keys(held).length) steps.push((p) => suite.admin.hset(bucketKey(p, d, b), held));
    }
  }
  for (const p of prefixes) for (const step of steps) await step(p);
}

interface Call {
  keys: (prefix: string) => string[];
  args: Array<string | Buffer>;
}

function randomCall(r: SeededRandom): Call {
  const { keys: keyOf, num } = keyNumbers<(prefix: string) => string>();
  const sections = 1 + r.int(3);
  const w = new PackWriter().array(sections);
  for (let x = 0; x < sections; x++) {
    const d = r.int(DEVICES);
    const marks = num(`m${d}`, (p) => marksKey(p, d));
    // Distinct seqs in runs of one block each, blocks in any order (a block may come back).
    const seqs: number[] = [];
    const runKeys: number[] = [];
    const runCounts: number[] = [];
    const taken = new Set<number>();
    for (let runs = 1 + r.int(3); runs > 0; runs--) {
      const b = r.int(BLOCKS);
      const key = num(`d${d}b${b}`, (p) => bucketKey(p, d, b));
      let count = 0;
      for (let k = 1 + r.int(5); k > 0; k--) {
        const seq = b * BLOCK + r.int(BLOCK);
        if (taken.has(seq)) continue;
        taken.add(seq);
        seqs.push(seq);
        count++;
      }
      if (count === 0) continue;
      if (runKeys[runKeys.length - 1] === key) runCounts[runCounts.length - 1]! += count;
      else {
        runKeys.push(key);
        runCounts.push(count);
      }
    }
    w.array(7);
    w.int(r.chance(0.03) ? 99 : marks);
    w.str('e');
    w.int(TODAY + r.int(3) - 1);
    w.array(runKeys.length);
    for (const k of runKeys) w.int(r.chance(0.02) ? marks : k);
    w.array(runCounts.length);
    for (const c of runCounts) w.int(c);
    w.array(seqs.length);
    for (const s of seqs) w.str(r.chance(0.01) ? 'x' : String(s));
    w.array(seqs.length);
    for (const _ of seqs) w.str(digest(r));
  }
  return { keys: (p) => keyOf.map((f) => f(p)), args: [TTL, w.finish()] };
}

describe('ONECARD.CLAIM against the claimTaps script', () => {
  it('runs on a Redis that has the module', async () => {
    expect(await nativesOf(suite.admin, ['claimTaps'])).toEqual(new Set(['claimTaps']));
  });

  it('answers and writes exactly what the script does, call after call, over random devices', async () => {
    const lua = defineScripts(suite.admin);
    const settle = (p: Promise<unknown>) =>
      p.then(
        (reply) => ({ reply }),
        (err: Error) => ({ error: err.message }),
      );
    let refusedCalls = 0;
    let refusedClaims = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const r = seededRandom(seed);
      const native = `${suite.prefix}n${seed}`;
      const script = `${suite.prefix}s${seed}`;
      await world(r, [native, script]);
      for (let c = 0; c < 5; c++) {
        const call = randomCall(r);
        const keys = call.keys(native);
        const byModule = await settle(suite.admin.call('onecard.claim', keys.length, ...keys, ...call.args));
        const byScript = await settle(lua.run('claimTaps', call.keys(script), call.args));
        expect({ seed, c, ...byModule }).toEqual({ seed, c, ...byScript });
        expect({ seed, c, keys: await snapshot(suite.admin, native) }).toEqual({
          seed,
          c,
          keys: await snapshot(suite.admin, script),
        });
        if ('error' in byScript) refusedCalls++;
        else refusedClaims += (byScript.reply as unknown[]).length;
      }
    }
    // The calls reached the interesting paths: malformed calls and refused claims.
    expect(refusedCalls).toBeGreaterThan(5);
    expect(refusedClaims).toBeGreaterThan(50);
  });
});
