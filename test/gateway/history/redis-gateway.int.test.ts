// The gateway on Redis with ONECARD_HISTORY=postgres (docs/decisions/0204): its store keeps no
// records, its relay carries them from the outbox to Kafka, the history process writes them to
// PostgreSQL, and the operator's record search answers from there.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/src/app.js';
import { type HistoryService, startHistoryService } from '../../../gateway/src/history/service.js';
import { silentLogger } from '../../../gateway/src/log.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { startTestGateway, until } from '../../support/gateway.js';
import { bearerFor } from '../../support/operators.js';
import { createTopic } from '../kafka/kafka.js';
import { issue, planRun, tap, token } from '../store/fixtures.js';

const schema = uniqueId('r_');
const prefix = uniqueId('oc');
let gw: Gateway | undefined;
let history: HistoryService | undefined;

afterAll(async () => {
  await gw?.stop();
  await history?.stop();
  const admin = new Redis(testEnv.redisUrl());
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.unlink(...keys);
  await admin.quit();
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

it('commits rides into Redis without their records and finds them in PostgreSQL', async () => {
  const topic = await createTopic();
  history = await startHistoryService({
    pgUrl: testEnv.pgUrl(),
    pgSchema: schema,
    brokers: testEnv.kafkaBrokers(),
    topic,
    groupId: uniqueId('g-'),
    retentionDays: 0,
    log: silentLogger,
  });
  ({ gw } = await startTestGateway({
    tokenKeyHex: 'b3'.repeat(32),
    store: 'redis',
    redisUrl: testEnv.redisUrl(),
    redisPrefix: prefix,
    history: 'postgres',
    pgUrl: testEnv.pgUrl(),
    pgSchema: schema,
    kafkaBrokers: testEnv.kafkaBrokers(),
    kafkaTopic: topic,
  }));
  const card = await issue(gw.store, 7, 5_000);
  const rides = planRun(
    new Map([[token(7), card]]),
    [1, 2, 3].map((seq) => tap({ cardToken: token(7), seq })),
  );
  expect((await gw.store.commit(rides)).map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);

  const admin = new Redis(testEnv.redisUrl());
  try {
    const keys = await admin.keys(`${prefix}:*`);
    expect(keys.filter((k) => /:(rec|ix:.*|st:.*)$/.test(k))).toEqual([]);
  } finally {
    await admin.quit();
  }
  // The test Redis loads onecard's module: the claims and the commits run as its commands, and
  // /metrics says so (docs/decisions/0233).
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  expect(metrics).toMatch(/^onecard_redis_module_in_use\{command="ONECARD.COMMIT"\} 1$/m);
  expect(metrics).toMatch(/^onecard_redis_module_in_use\{command="ONECARD.CLAIM"\} 1$/m);
  const headers = { authorization: await bearerFor(gw.url, 'admin') };
  const found = await until('the rides in PostgreSQL', async () => {
    const page = (await (
      await fetch(`${gw!.url}/v1/records?card=${token(7)}&limit=10`, { headers })
    ).json()) as {
      items: { id: string }[];
    };
    return page.items.length === 3 ? page.items : undefined;
  });
  expect(found.map((r) => r.id).sort()).toEqual(rides.map((e) => e.record.id).sort());
  // Relayed and acked: the outbox is trimmed to nothing.
  const store = gw.store;
  await until('the outbox trimmed', async () => {
    for (let p = 0; p < store.outboxPartitions(); p++)
      if ((await store.readOutbox(p, 1)).length > 0) return undefined;
    return true;
  });
});
