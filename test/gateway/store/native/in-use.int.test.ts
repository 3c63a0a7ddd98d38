// Which of the module's commands a Redis store runs, as /metrics shows them
// (onecard_redis_module_in_use, docs/decisions/0233): on the test Redis, which loads the module,
// the claims always, and the commits only when Redis keeps no records (ONECARD.COMMIT leaves
// records kept to the script, 0232); neither with ONECARD_REDIS_MODULE=off (useModule false).
// A Redis without the module: fallback.int.test.ts.
import { describe, expect, it } from 'vitest';
import { openRedisStore } from '../../../../gateway/src/store/redis.js';
import { testEnv } from '../../../support/env.js';
import { redisSuite } from '../../../support/redis-suite.js';
import { T0 } from '../fixtures.js';

const suite = redisSuite('inuse');

async function inUse(opts: { keepRecords: boolean; useModule: boolean | undefined }) {
  const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix, now: T0, ...opts });
  try {
    return Object.fromEntries(store.moduleCommands());
  } finally {
    await store.close();
  }
}

describe('the module commands a Redis store runs', () => {
  it.each([
    { keepRecords: false, useModule: undefined, commit: true, claim: true },
    { keepRecords: true, useModule: undefined, commit: false, claim: true },
    { keepRecords: false, useModule: false, commit: false, claim: false },
  ])('records kept $keepRecords, useModule $useModule: commit $commit, claims $claim', async (c) => {
    expect(await inUse({ keepRecords: c.keepRecords, useModule: c.useModule })).toEqual({
      'ONECARD.COMMIT': c.commit,
      'ONECARD.CLAIM': c.claim,
    });
  });
});
