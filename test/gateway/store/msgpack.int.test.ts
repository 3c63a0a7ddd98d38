// What the gateway's MessagePack writer (docs/decisions/0217) writes, the cmsgpack built into the
// real Redis reads as the same values, at every header width: the commit script's only decoder.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackWriter } from '../../../gateway/src/store/msgpack.js';
import { testEnv } from '../../support/env.js';

let redis: Redis;

beforeAll(() => {
  redis = new Redis(testEnv.redisUrl());
});

afterAll(async () => {
  await redis.quit();
});

// Each value unpacked one at a time as the script does, answered as [type, value] pairs (numbers
// as strings: RESP would truncate a Lua number otherwise).
const READ_BACK = `
local out, offset = {}, 0
while offset ~= -1 do
  local v
  offset, v = cmsgpack.unpack_one(ARGV[1], offset)
  if type(v) == 'table' then
    out[#out + 1] = 'table'
    out[#out + 1] = tostring(#v)
  else
    out[#out + 1] = type(v)
    out[#out + 1] = type(v) == 'number' and string.format('%d', v) or v
  end
end
return out`;

describe("Redis's cmsgpack reads what PackWriter writes", () => {
  it('integers, strings and arrays at every width', async () => {
    const w = new PackWriter();
    const ints = [0, 127, 128, 65_535, 65_536, 0xffffffff, -1, -32, -33, -0x80000000];
    for (const n of ints) w.int(n);
    const strs = ['', 'tab\there', '换乘', 'y'.repeat(86), 'z'.repeat(70_000)];
    for (const s of strs) w.str(s);
    w.array(20);
    for (let i = 0; i < 20; i++) w.int(i);
    const reply = (await redis.eval(READ_BACK, 0, w.finish())) as Buffer[] | string[];
    const got = reply.map((x) => String(x));
    const pairs: string[] = [];
    for (let i = 0; i < got.length; i += 2) pairs.push(`${got[i]}:${got[i + 1]}`);
    expect(pairs).toEqual([...ints.map((n) => `number:${n}`), ...strs.map((s) => `string:${s}`), 'table:20']);
  });
});
