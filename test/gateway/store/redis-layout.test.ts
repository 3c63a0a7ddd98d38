// The pure parts of the Cluster and failover work (docs/decisions/0193-0195): seed lists as
// configured, the wait mark in the slot of a script's keys, and keys taken apart for the
// re-partition copy.
import { describe, expect, it } from 'vitest';
import { parseNodes } from '../../../gateway/src/store/redis-client.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';

const TOKEN = '0000002a'.padEnd(32, 'b');

describe('Redis nodes as configured', () => {
  it('are host:port pairs, spaces and empty entries ignored', () => {
    expect(parseNodes('10.0.0.1:7001, redis-b:7002,')).toEqual([
      { host: '10.0.0.1', port: 7001 },
      { host: 'redis-b', port: 7002 },
    ]);
  });
  it('refuse an entry without a port or with one out of range', () => {
    expect(() => parseNodes('10.0.0.1')).toThrow("not a host:port: '10.0.0.1'");
    expect(() => parseNodes('a:70000')).toThrow("not a host:port: 'a:70000'");
  });
});

describe('Redis keys for the Cluster and the re-partition', () => {
  const keys = new RedisKeys('oc', 16);
  it('put the wait mark in the hash slot of the first key of a call', () => {
    expect(keys.waitMark(keys.seen(3))).toBe('oc:{p3}:wait');
    expect(keys.waitMark(keys.card(TOKEN))).toBe(`oc:{p${42 % 16}}:wait`);
    expect(keys.waitMark(keys.list('deny', 'all'))).toBe('oc:{lists}:wait');
    expect(keys.waitMark(keys.venue.bodies('v1'))).toBe('oc:{v:v1}:wait');
    expect(() => keys.waitMark('other:{p1}:seen')).toThrow(/not a tagged key of this store/);
  });
  it('take a key apart into its partition and what follows, or what follows the prefix', () => {
    expect(keys.parse(keys.card(TOKEN))).toEqual({ partition: 42 % 16, suffix: `card:${TOKEN}` });
    expect(keys.parse(keys.byDevice(7, 'bus-1'))).toEqual({ partition: 7, suffix: 'ix:d:bus-1' });
    expect(keys.parse(keys.devices())).toEqual({ rest: '{devices}:all' });
    expect(keys.parse('ocx:{p1}:seen')).toBeUndefined();
    const other = new RedisKeys('oc2', 1024);
    expect(other.partitionKey(900, 'seen')).toBe('oc2:{p900}:seen');
    expect(other.other('{devices}:all')).toBe(`oc2:{devices}:all`);
  });
});
