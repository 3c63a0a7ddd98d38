// The store for scale: Redis (ioredis), atomic steps as Lua scripts (lua/*.lua), keys ready for
// Redis Cluster (redis-keys.ts). Cards are spread over a fixed number of partitions; commit()
// costs one script call on one Redis, one per partition a batch touches on a Cluster (0210).

import { randomBytes } from 'node:crypto';
import type { CardState, CardStatus } from '../../../core/card.js';
import {
  bucketTtlSeconds,
  checkWindowDays,
  DEFAULT_DEDUPE_WINDOW_DAYS,
  dedupeDay,
  isTapKey,
} from '../../../core/dedupe-window.js';
import type { Effect, EffectResult } from '../../../core/ledger.js';
import { isGeneration, newGeneration } from '../../../core/lists/generation.js';
import type { StatSummary } from '../stats/rides.js';
import { checkEffects, checkNewCard } from './amounts.js';
import { checkBounds, keptLetter } from './dead-letters.js';
import type {
  AuditEntry,
  AuditPage,
  CommitOutcome,
  DeadLetter,
  DeadLetterBounds,
  Device,
  Finding,
  KeptDeadLetter,
  NewCard,
  OpenEntry,
  OpenEntryQuery,
  OutboxEntry,
  RecordPage,
  RecordQuery,
  Store,
  TapClaim,
} from './port.js';
import type { AuthStore } from './ports/auth.js';
import type { CredentialStore } from './ports/credentials.js';
import type { PaymentStore } from './ports/payments.js';
import type { VenueStore } from './ports/venues.js';
import { appendAudit, queryAudit } from './redis-audit.js';
import { RedisAuthStore } from './redis-auth.js';
import { newCardString } from './redis-card.js';
import { loadCards, readCards } from './redis-cards.js';
import {
  connectRedis,
  type Durability,
  isCluster,
  type RedisClient,
  type RedisTarget,
} from './redis-client.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import { type ClaimRequest, claimCall, commitCallsViewed, decodeCall, decodeClaims } from './redis-commit.js';
import { RedisCredentialStore } from './redis-credentials.js';
import { RedisKeys, tapField } from './redis-keys.js';
import { RedisLists } from './redis-lists.js';
import { readOutbox } from './redis-outbox.js';
import { RedisPaymentStore } from './redis-payments.js';
import { queryRecords } from './redis-query.js';
import { decodeResult } from './redis-results.js';
import { defineScripts, NATIVE_COMMANDS, nativesOf, type ScriptName, type Scripts } from './redis-scripts.js';
import { SeenSplits, subBucketOf, subBucketsFor } from './redis-seen-split.js';
import { queryStats } from './redis-stats.js';
import { RedisVenueStore } from './redis-venues.js';
import { TurnGroup } from './turn-group.js';
import { checkPartition, deviceOf } from './values.js';

export interface RedisStoreOptions {
  /** One Redis; ignored when `target` is given. */
  url?: string;
  /** A Cluster or Sentinel-named primary (redis-client.ts, docs/decisions/0193). */
  target?: RedisTarget;
  /** First part of every key; default 'oc'. Must not contain braces (they delimit hash tags). */
  keyPrefix?: string;
  /**
   * Card partitions (hash slots in use); default 16, the count data written before partitions
   * were configurable has. Stored with the data and checked at open; changing it is an offline
   * re-partition (scripts/redis-repartition.ts, docs/operations.md).
   */
  partitions?: number;
  /** Connections the commit calls are spread over, in turn; default 4 (see commit()). */
  commitConnections?: number;
  /**
   * The commits asked for in one turn of the event loop go as one call of up to this many
   * effects, the cards asked for as one MGET (turn-group.ts, docs/decisions/0227) and the claims
   * as one call (0228, not on a Cluster); default 1,000. 0: each batch its own calls.
   */
  commitGroupEffects?: number;
  /**
   * Replicas every script write (every commit) must reach before it counts as done, and how
   * long to wait for them (docs/decisions/0194); default 0: no wait.
   */
  waitReplicas?: number;
  waitTimeoutMs?: number;
  /** Days tap dedupe keys and claims are kept (docs/decisions/0196); default 30. */
  dedupeWindowDays?: number;
  /**
   * false when the history lives in PostgreSQL (ONECARD_HISTORY=postgres, docs/decisions/0204):
   * commits write no record bodies, index entries or ride counters; each outbox entry carries its
   * record until relayed. queryRecords and queryStats then answer only what was kept before.
   * Default true.
   */
  keepRecords?: boolean;
  /** Seqs per bucket of tap claims (docs/decisions/0220); default CLAIM_BLOCK_SEQS. For tests. */
  claimBlockSeqs?: number;
  /** The time at open (ms; default the clock): the day an upgrade from before 0222 is dated. */
  now?: number;
  /**
   * Taps a partition is expected to take a day (ONECARD_DEDUPE_TAPS_PER_PARTITION_DAY): the tap
   * dedupe day buckets are split into sub-buckets of ~64 entries each, so each stays in Redis's
   * compact encoding (redis-seen-split.ts, docs/decisions/0222). Default 0: one bucket a day.
   */
  tapsPerPartitionDay?: number;
  /**
   * Claims and commits as onecard's Redis module's commands (ONECARD.CLAIM, ONECARD.COMMIT,
   * docs/decisions/0232) where the Redis has them (commits only when records are not kept); the
   * Lua scripts otherwise. Default true; false: always the scripts (ONECARD_REDIS_MODULE=off).
   */
  useModule?: boolean;
}

export async function openRedisStore(opts: RedisStoreOptions): Promise<Store> {
  const keys = new RedisKeys(opts.keyPrefix ?? 'oc', opts.partitions ?? 16, opts.claimBlockSeqs);
  const target = opts.target ?? opts.url;
  if (target === undefined) throw new TypeError('openRedisStore: give a url or a target');
  const redis = connectRedis(target);
  let generation: string;
  let oldFieldsUntil: number;
  const keepRecords = opts.keepRecords ?? true;
  let natives = new Set<ScriptName>();
  try {
    oldFieldsUntil = await tapFieldsSince(redis, keys, opts.now ?? Date.now());
    await checkLayout(redis, keys);
    generation = await ensureGeneration(redis, keys);
    // The module writes no records: with records kept, the script commits.
    if (opts.useModule ?? true)
      natives = await nativesOf(redis, keepRecords ? ['claimTaps'] : ['claimTaps', 'commitEffects']);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const durability: Durability | undefined =
    (opts.waitReplicas ?? 0) > 0
      ? {
          replicas: opts.waitReplicas!,
          timeoutMs: opts.waitTimeoutMs ?? 1000,
          markKey: (first) => keys.waitMark(first),
        }
      : undefined;
  // A Cluster client holds a connection per node already and does not auto-pipeline, so more
  // Cluster clients would add connections, not group commits.
  const linkCount = isCluster(redis) ? 1 : (opts.commitConnections ?? 4);
  const links = [redis, ...Array.from({ length: linkCount - 1 }, () => redis.duplicate())];
  const bucketTtl = bucketTtlSeconds(checkWindowDays(opts.dedupeWindowDays ?? DEFAULT_DEDUPE_WINDOW_DAYS));
  const splits = new SeenSplits(
    redis,
    keys,
    subBucketsFor(opts.tapsPerPartitionDay ?? 0),
    oldFieldsUntil,
    bucketTtl,
  );
  return new RedisStore(
    redis,
    keys,
    generation,
    defineScripts(redis, durability, natives),
    links.map((link) => ({
      link,
      scripts: defineScripts(link, durability, natives),
    })),
    bucketTtl,
    keepRecords,
    oldFieldsUntil,
    splits,
    opts.commitGroupEffects ?? 1_000,
  );
}

/**
 * The last UTC day whose tap dedupe buckets may hold entries under the tap's dedupe key itself
 * (before 0222), set by the first gateway of 0222 to open the store: -1 for a store it creates
 * (no layout yet: nothing was written the old way); for an older store, its today + 2. Gateways
 * of before 0222 still running write old entries for taps dated up to their today + 1 (a device
 * clock a day ahead), so those are read while the rollout ends before the second UTC midnight
 * after the first new gateway started (docs/decisions/0222).
 */
async function tapFieldsSince(redis: RedisClient, keys: RedisKeys, now: number): Promise<number> {
  const fresh = (await redis.exists(keys.layout())) === 0;
  await redis.set(keys.tapFieldsSince(), fresh ? '-1' : String(dedupeDay(now) + 2), 'NX');
  const day = Number(await redis.get(keys.tapFieldsSince()));
  if (!Number.isSafeInteger(day) || day < -1)
    throw new Error(`'${keys.tapFieldsSince()}' holds no day number`);
  return day;
}

/** The store generation, created with the data (the first gateway to open it sets it). */
async function ensureGeneration(redis: RedisClient, keys: RedisKeys): Promise<string> {
  await redis.set(keys.listGeneration(), newGeneration(Date.now(), randomBytes(8)), 'NX');
  const generation = await redis.get(keys.listGeneration());
  if (generation === null || !isGeneration(generation))
    throw new Error(`the store generation under '${keys.listGeneration()}' is malformed: ${generation}`);
  return generation;
}

/** Refuses to open data written with another partition count: every card would be looked for elsewhere. */
async function checkLayout(redis: RedisClient, keys: RedisKeys): Promise<void> {
  await redis.set(keys.layout(), String(keys.partitions), 'NX');
  const stored = Number(await redis.get(keys.layout()));
  if (stored !== keys.partitions)
    throw new Error(
      `the Redis data under '${keys.prefix}' uses ${stored} partitions, not ${keys.partitions}; open it with partitions: ${stored}`,
    );
}

/** A dead letter as the list holds it (short names: 10,000 of them are kept). */
interface StoredDeadLetter {
  t: string;
  r: string;
  /** The kept payload, base64. */
  p: string;
  a: number;
  /** The whole payload's size and SHA-256. */
  s: number;
  h: string;
  /** The bytes it counts against the bound (dead-letters.ts letterBytes). */
  n: number;
}

class RedisStore implements Store {
  private readonly lists: RedisLists;
  readonly venues: VenueStore;
  readonly payments: PaymentStore;
  readonly auth: AuthStore;
  readonly credentials: CredentialStore;
  /** One script call per partition (a Cluster: one hash slot a call), or one for all (0210). */
  private readonly perPartition: boolean;
  /** The commit connection the next call goes out on, round robin. */
  private nextLink = 0;
  /** The commits of one turn, as one call (0227); undefined: each its own. */
  private readonly group: TurnGroup<Effect, CommitOutcome> | undefined;
  /** The claims of one turn's batches, as one call (0228); undefined: each its own. */
  private readonly claimGroup: TurnGroup<ClaimRequest, boolean[]> | undefined;
  /** The card loads of one turn, as one MGET (0227); undefined: each its own. */
  private readonly cardGroup: TurnGroup<string, CardState> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly generation: string,
    private readonly scripts: Scripts,
    private readonly commitLinks: ReadonlyArray<{ link: RedisClient; scripts: Scripts }>,
    /** Seconds a day bucket of tap dedupe keys or claims lives after its last write (0196). */
    private readonly bucketTtl: number,
    /** Records, their indexes and ride counters written with each commit (0204). */
    private readonly keepRecords: boolean,
    /** The last day whose tap dedupe entries may be under the old field (tapFieldsSince, 0222). */
    private readonly oldFieldsUntil: number,
    /** Each day's count of tap dedupe sub-buckets (0222). */
    private readonly splits: SeenSplits,
    /** Effects a grouped commit call carries at most; 0: no grouping (0227). */
    groupEffects: number,
  ) {
    this.group = groupEffects > 0 ? new TurnGroup((e) => this.commitNow(e), groupEffects) : undefined;
    // Sections, not claims, counted: a call of 200 batches' claims (0228).
    this.claimGroup =
      groupEffects > 0 && !isCluster(redis) ? new TurnGroup((r) => this.claimNow(r), 200) : undefined;
    this.cardGroup =
      groupEffects > 0
        ? new TurnGroup((tokens: readonly string[]) => readCards(redis, keys, tokens), groupEffects)
        : undefined;
    this.venues = new RedisVenueStore(redis, keys, scripts);
    this.payments = new RedisPaymentStore(redis, keys, scripts);
    this.auth = new RedisAuthStore(redis, keys, scripts);
    this.credentials = new RedisCredentialStore(redis, keys, scripts);
    this.lists = new RedisLists(redis, keys, scripts);
    this.perPartition = isCluster(redis);
  }

  /** Read at open: a new generation (after a restore) takes effect when the gateway restarts. */
  async listGeneration(): Promise<string> {
    return this.generation;
  }

  readonly changeList: Store['changeList'] = (...a) => this.lists.changeList(...a);
  readonly listVersion: Store['listVersion'] = (...a) => this.lists.listVersion(...a);
  readonly listSize: Store['listSize'] = (...a) => this.lists.listSize(...a);
  readonly listChangesSince: Store['listChangesSince'] = (...a) => this.lists.listChangesSince(...a);
  readonly listEntriesPage: Store['listEntriesPage'] = (...a) => this.lists.listEntriesPage(...a);

  async issueCard(card: NewCard): Promise<void> {
    checkNewCard(card);
    const reply = await this.scripts.run(
      'issueCard',
      [this.keys.card(card.token)],
      [newCardString(card.balanceFen, card.flags, card.masked, card.region)],
    );
    resultCode('issueCard', reply);
  }

  /** With the other loads of this turn, as one MGET (turn-group.ts, 0227); each batch its own Map. */
  async loadCards(tokens: readonly string[]): Promise<Map<string, CardState>> {
    if (!this.cardGroup || tokens.length === 0) return loadCards(this.redis, this.keys, tokens);
    const got = await this.cardGroup.submit(tokens);
    const out = new Map<string, CardState>();
    for (let i = 0; i < tokens.length; i++) out.set(tokens[i]!, got[i]!);
    return out;
  }

  /** Checked alone, then committed with the other commits of this turn (turn-group.ts, 0227). */
  async commit(effects: readonly Effect[]): Promise<CommitOutcome[]> {
    checkEffects(effects);
    return this.group ? this.group.submit(effects) : this.commitNow(effects);
  }

  /** Effects already checked, in one call (on a Cluster, one per partition). */
  private async commitNow(effects: readonly Effect[]): Promise<CommitOutcome[]> {
    // The sub-bucket counts of the taps' days: read once a day per gateway (0222).
    const days = new Set<number>();
    for (const e of effects) if (isTapKey(e.dedupeKey)) days.add(dedupeDay(e.record.at));
    if (this.splits.lacks(days)) await this.splits.load(days);
    const splits = this.splits;
    // One Redis's call views the scratch (0236): scripts.run writes it before the next commit is built.
    const calls = commitCallsViewed(effects, this.keys, this.bucketTtl, {
      subBuckets: (day) => splits.of(day),
      keepRecords: this.keepRecords,
      perPartition: this.perPartition,
      oldFieldsUntil: this.oldFieldsUntil,
    });
    const outcomes: CommitOutcome[] = new Array(effects.length);
    // On a Cluster, one call per partition (per-card atomicity is what the port promises), all
    // sent together. On one Redis, one call, on the next connection in turn: several
    // connections are the group commit (with appendfsync always Redis fsyncs once per
    // event-loop turn and reads each ready connection once, at most 16 KB, per turn, so calls
    // arriving on several connections share one fsync). Any order between the calls of
    // different commits is fine: a card's chain lies within one commit, and commits of one card
    // that overlap are ordered by its version's compare-and-set, not by the connection.
    const replies = await Promise.all(
      calls.map((c) => {
        const { scripts } = this.commitLinks[this.nextLink++ % this.commitLinks.length]!;
        return scripts.run('commitEffects', c.keys, c.args);
      }),
    );
    calls.forEach((call, i) => {
      decodeCall(call, effects, replies[i], outcomes);
    });
    return outcomes;
  }

  async committedResult(
    cardToken: string,
    dedupeKey: string,
    at?: number,
  ): Promise<EffectResult | undefined> {
    const p = this.keys.partitionOf(cardToken);
    if (!isTapKey(dedupeKey) || at === undefined) {
      const seen = await this.redis.hget(this.keys.seen(p), dedupeKey);
      return seen === null ? undefined : decodeResult(seen);
    }
    // A tap's entry is under its field (0222), or under its key when written before.
    const day = dedupeDay(at);
    await this.splits.load([day]);
    const [field, old] = await this.redis.hmget(
      this.keys.seenOn(p, day, subBucketOf(dedupeKey, this.splits.of(day))),
      tapField(cardToken, dedupeKey),
      dedupeKey,
    );
    const seen = field ?? old;
    return seen === null || seen === undefined ? undefined : decodeResult(seen);
  }

  /**
   * With the other claims of this turn, one section a batch, as one call (0228); on a Cluster a
   * device's keys are a hash slot of their own, so one call each.
   */
  async claimTaps(
    deviceId: string,
    epoch: string,
    claims: readonly TapClaim[],
    now: number,
  ): Promise<boolean[]> {
    if (claims.length === 0) return [];
    const request = { deviceId, epoch, claims, now };
    return this.claimGroup
      ? (await this.claimGroup.submit([request]))[0]!
      : (await this.claimNow([request]))[0]!;
  }

  /** The sections in one call, in order. */
  private async claimNow(requests: readonly ClaimRequest[]): Promise<boolean[][]> {
    const call = claimCall(this.keys, requests, this.bucketTtl);
    return decodeClaims(requests, await this.scripts.run('claimTaps', call.keys, call.args));
  }

  async seenBeforeWindow(deviceId: string, epoch: string, seqs: readonly number[]): Promise<boolean[]> {
    const top = Number((await this.redis.hget(this.keys.tapMarks(deviceId), epoch || '-')) ?? 0);
    return seqs.map((seq) => seq <= top);
  }

  /** The day buckets expire on their own (EXPIRE in the scripts that write them). */
  async pruneDedupe(_now: number): Promise<number> {
    return 0;
  }

  async setCardStatus(token: string, status: CardStatus): Promise<boolean> {
    const reply = await this.scripts.run('setCardStatus', [this.keys.card(token)], [status]);
    return resultCode('setCardStatus', reply) === ScriptResult.OK;
  }

  queryRecords(q: RecordQuery): Promise<RecordPage> {
    return queryRecords(this.redis, this.keys, q);
  }

  async queryStats(q: { operatorId?: string; from: number; to: number }): Promise<StatSummary> {
    // Every operator with a ride has a registered device (ingest refuses the others); '' holds
    // the sweep's adjustments on a network that names no operator (core/overdue.ts), which the
    // SQLite store's totals count too, so both stores' totals agree (docs/decisions/0162).
    const operators =
      q.operatorId !== undefined
        ? [q.operatorId]
        : [...new Set(['', ...(await this.listDevices()).map((d) => d.operatorId)])];
    return queryStats(this.redis, this.keys, operators, q.from, q.to);
  }

  async openEntries(q: OpenEntryQuery): Promise<OpenEntry[]> {
    checkPartition(q.partition, this.keys.partitions);
    const { after, before, limit } = q;
    const out: OpenEntry[] = [];
    // Equal scores come in member order, as the SQLite store's ORDER BY at, card. The range
    // starts at the cursor's time, inclusive: the entries of that time up to the cursor's token
    // are dropped here, page after page if a crowd of cards entered in that one millisecond.
    for (let skip = 0; out.length < limit; skip += limit) {
      const flat = await this.redis.zrangebyscore(
        this.keys.openEntries(q.partition),
        after ? after.at : '-inf',
        before,
        'WITHSCORES',
        'LIMIT',
        skip,
        limit,
      );
      for (let i = 0; i < flat.length && out.length < limit; i += 2) {
        const e = { cardToken: flat[i]!, at: Number(flat[i + 1]) };
        if (!after || e.at > after.at || e.cardToken > after.cardToken) out.push(e);
      }
      if (flat.length < 2 * limit) break;
    }
    return out;
  }

  outboxPartitions(): number {
    return this.keys.partitions;
  }

  async readOutbox(partition: number, limit: number): Promise<OutboxEntry[]> {
    checkPartition(partition, this.keys.partitions);
    return readOutbox(this.redis, this.keys, partition, limit);
  }

  async ackOutbox(partition: number, uptoId: string): Promise<void> {
    checkPartition(partition, this.keys.partitions);
    const m = /^(\d+)-(\d+)$/.exec(uptoId);
    if (!m) throw new RangeError(`not an outbox id of this store: ${uptoId}`);
    // MINID keeps ids >= the threshold; the id right after uptoId keeps everything newer.
    const next = `${m[1]}-${BigInt(m[2]!) + 1n}`;
    await this.redis.xtrim(this.keys.outbox(partition), 'MINID', next);
  }

  async leaseOutbox(partition: number, owner: string, ttlMs: number): Promise<boolean> {
    checkPartition(partition, this.keys.partitions);
    const reply = await this.scripts.run('leaseOutbox', [this.keys.outboxLease(partition)], [owner, ttlMs]);
    return resultCode('leaseOutbox', reply) === ScriptResult.OK;
  }

  async putDeadLetter(letter: DeadLetter, bounds: DeadLetterBounds): Promise<{ dropped: number }> {
    checkBounds(bounds);
    const { kept, bytes } = keptLetter(letter, bounds);
    const stored: StoredDeadLetter = {
      t: kept.topic,
      r: kept.reason,
      p: kept.payload.toString('base64'),
      a: kept.at,
      s: kept.payloadBytes,
      h: kept.payloadSha256,
      n: bytes,
    };
    const dropped = await this.scripts.run(
      'putDeadLetter',
      [this.keys.deadLetters('kept'), this.keys.deadLetters('bytes')],
      [JSON.stringify(stored), bytes, bounds.maxCount, bounds.maxBytes],
    );
    return { dropped: Number(dropped) };
  }

  async deadLetters(limit: number): Promise<KeptDeadLetter[]> {
    if (limit <= 0) return [];
    const rows = await this.redis.lrange(this.keys.deadLetters('kept'), 0, limit - 1);
    return rows.map((row) => {
      const l = JSON.parse(row) as StoredDeadLetter;
      return {
        topic: l.t,
        reason: l.r,
        payload: Buffer.from(l.p, 'base64'),
        at: l.a,
        payloadBytes: l.s,
        payloadSha256: l.h,
      };
    });
  }

  async putFindings(findings: readonly Finding[]): Promise<void> {
    if (findings.length === 0) return;
    // Both keys share the {findings} hash slot; NX on both keeps the first finding per id.
    const multi = this.redis.multi();
    for (const f of findings) {
      multi.hsetnx(this.keys.findings(), f.id, JSON.stringify(f));
      multi.zadd(this.keys.findingsByTime(), 'NX', f.foundAt, f.id);
    }
    const replies = await multi.exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error('findings were not written (transaction aborted)');
  }

  async findings(q: { limit: number; since?: number }): Promise<Finding[]> {
    if (q.limit <= 0) return [];
    const ids = await this.redis.zrevrangebyscore(
      this.keys.findingsByTime(),
      '+inf',
      q.since ?? 0,
      'LIMIT',
      0,
      q.limit,
    );
    if (ids.length === 0) return [];
    const bodies = await this.redis.hmget(this.keys.findings(), ...ids);
    return bodies.filter((b): b is string => b !== null).map((b) => JSON.parse(b) as Finding);
  }

  async upsertDevice(device: Device): Promise<void> {
    await this.redis.hset(this.keys.devices(), device.deviceId, JSON.stringify(deviceOf(device)));
  }

  async getDevice(deviceId: string): Promise<Device | undefined> {
    const body = await this.redis.hget(this.keys.devices(), deviceId);
    return body === null ? undefined : (JSON.parse(body) as Device);
  }

  async listDevices(): Promise<Device[]> {
    const all = await this.redis.hgetall(this.keys.devices());
    return Object.keys(all)
      .sort()
      .map((id) => JSON.parse(all[id]!) as Device);
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return appendAudit(this.redis, this.keys.audit(), entry);
  }

  queryAudit(q: { limit: number; cursor?: string }): Promise<AuditPage> {
    return queryAudit(this.redis, this.keys.audit(), q);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  moduleCommands(): ReadonlyMap<string, boolean> {
    // In use while every connection still sends it: one that met a Redis without the module
    // (a failover to a node without it) has gone back to the script, and the others follow on
    // their next call.
    const out = new Map<string, boolean>();
    for (const [name, command] of Object.entries(NATIVE_COMMANDS) as [ScriptName, string][])
      out.set(
        command.toUpperCase(),
        this.scripts.natives().has(name) &&
          this.commitLinks.every(({ scripts }) => scripts.natives().has(name)),
      );
    return out;
  }

  async close(): Promise<void> {
    for (const { link } of this.commitLinks)
      if (link !== this.redis && link.status !== 'end') await link.quit();
    if (this.redis.status === 'end') return;
    await this.redis.quit();
  }
}
