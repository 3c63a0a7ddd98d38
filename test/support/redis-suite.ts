// A suite's keys on the shared test Redis: one admin connection for the suite, a key prefix of
// its own for each test (set before the test runs), and the test's keys removed after it (SCAN +
// UNLINK under the prefix, never FLUSHDB: other suites run against the same Redis meanwhile).
// Registers the hooks when called at a suite's top level; read `admin` and `prefix` inside tests.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { testEnv, uniqueId } from './env.js';
import { unlinkPrefix } from './redis-cleanup.js';

export interface RedisSuite {
  /** The suite's own connection, for reading and arranging keys behind the store's back. */
  readonly admin: Redis;
  /** The running test's key prefix. */
  readonly prefix: string;
}

export function redisSuite(name = 'oc'): RedisSuite {
  let admin: Redis | undefined;
  let prefix = '';
  beforeAll(() => {
    admin = new Redis(testEnv.redisUrl());
  });
  afterAll(async () => {
    await admin?.quit();
  });
  beforeEach(() => {
    prefix = uniqueId(name);
  });
  afterEach(async () => {
    if (admin) await unlinkPrefix(admin, prefix);
  });
  return {
    get admin() {
      if (!admin) throw new Error('redisSuite: admin is there from the suite start on');
      return admin;
    },
    get prefix() {
      return prefix;
    },
  };
}
