// The one place the store meets ioredis' client classes (docs/decisions/0183): every other
// file takes a RedisClient, which one Redis and a Cluster both are, so a Cluster connection
// can be handed in without touching them. What makes that hold: every key a command or script
// touches carries its hash tag (redis-keys.ts), a MULTI changes keys of one tag only, and scripts
// go out as EVALSHA (runScript), a command whose keys ioredis knows, so it routes each call by
// its first key. A command defined with defineCommand would be routed by its first argument, the
// key count, and sent to the wrong node.
import { createHash } from 'node:crypto';
import { Cluster, Command, type Pipeline, Redis } from 'ioredis';
import { encodeCommand, type Joined, ownedParts, type SplitKeys } from './resp.js';

export type RedisClient = Redis | Cluster;

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** host:port */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where the store's data lives (docs/decisions/0193): one Redis at a URL, a Redis Cluster
 * reached through seed nodes, or the primary that Sentinels name.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; seeds: RedisNode[] }
  | { kind: 'sentinel'; sentinels: RedisNode[]; master: string; db?: number };

/** "host:port,host:port" → nodes; throws on a malformed entry. */
export function parseNodes(list: string): RedisNode[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^([^:\s]+):(\d{1,5})$/.exec(s);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new RangeError(`not a host:port: '${s}'`);
      return { host: m[1]!, port: Number(m[2]) };
    });
}

export function connectRedis(target: RedisTarget | string): RedisClient {
  const t: RedisTarget = typeof target === 'string' ? { kind: 'single', url: target } : target;
  // Auto-pipelining on one connection: the concurrent calls of a commit (one per partition) and
  // of many batches in flight share network writes.
  if (t.kind === 'single') return new Redis(t.url, { enableAutoPipelining: true });
  if (t.kind === 'sentinel')
    return new Redis({
      sentinels: t.sentinels,
      name: t.master,
      db: t.db ?? 0,
      enableAutoPipelining: true,
      // After a failover the old primary may answer as a replica for a moment: a write there is
      // refused with READONLY: reconnect (to whatever the Sentinels now name) and resend it (2).
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    });
  // No auto-pipelining on a Cluster: ioredis groups auto-pipelined calls by their first
  // flattened argument, which for EVALSHA is the SHA, not a key, so script calls of different
  // slots met in one pipeline ("All keys in the pipeline should belong to the same slots
  // allocation group", ioredis issue 2109; /work/shared/INFRA.md). Commit calls still overlap:
  // they are sent concurrently, one per partition.
  return new Cluster(t.seeds, {
    enableAutoPipelining: false,
    scaleReads: 'master',
    redisOptions: { maxRetriesPerRequest: 3 },
  });
}

/** A Lua script as sent: its source and the SHA-1 Redis knows it by. */
export interface LuaScript {
  lua: string;
  sha: string;
}

export function luaScript(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * Replicas a write must reach before its caller goes on (docs/decisions/0194). 0: none (one
 * Redis, or replication accepted as asynchronous).
 */
export interface Durability {
  replicas: number;
  timeoutMs: number;
  /** A key in the slot of the call's keys that the store may overwrite (the wait mark). */
  markKey(firstKey: string): string;
}

/**
 * A write that Redis ran but too few replicas confirmed: the caller must not report it done. Over
 * HTTP it is a 503 with this code (the error handler reads statusCode): the write may stand, so
 * a client retries with the same request id and gets the idempotent answer.
 */
export class ReplicaWaitError extends Error {
  readonly code = 'REDIS_REPLICA_WAIT';
  readonly statusCode = 503;
  constructor(
    readonly wanted: number,
    readonly reached: number,
    timeoutMs: number,
  ) {
    super(`the write reached ${reached} of ${wanted} replica(s) within ${timeoutMs} ms`);
  }
}

/**
 * A command whose bytes are already written (encodeCommand, resp.ts): ioredis sends them as they
 * are and reads the reply as for any command.
 */
export class WrittenCommand extends Command {
  constructor(
    name: string,
    readonly bytes: Buffer,
    /** The SendBuffers buffer `bytes` is written in, given back once the command settles. */
    readonly lent?: Buffer,
  ) {
    // Replies as strings, as ioredis's call() reads them (its commands without "Buffer").
    super(name, [], { replyEncoding: 'utf8' });
  }

  override toWritable(): Buffer {
    return this.bytes;
  }
}

/**
 * MGET of these keys on one Redis (a Cluster routes a command by its first key: one slot only),
 * written once as RESP (resp.ts) and sent as it is. ioredis builds a command of a turn's hundreds
 * of card keys as one string, argument by argument, and converts it to bytes at the write
 * (docs/decisions/0235). Strings back, nil as null, as its mget answers.
 */
export async function mgetWritten(
  client: Redis,
  keys: readonly string[] | SplitKeys,
): Promise<Array<string | null>> {
  const written = writtenCommand('MGET', [], keys, []);
  try {
    return (await client.sendCommand(written)) as Array<string | null>;
  } finally {
    release(written);
  }
}

/** A script's or module command's argument: a Joined one is copied where the call is written. */
export type Arg = string | number | Buffer | Joined;

/**
 * The buffers module commands are written into, each reused once its command has settled
 * (docs/decisions/0236). A commit's command was a new Buffer of ~0.4 KB a tap; every Buffer of
 * 4 KB or more is an ArrayBuffer of its own, and V8 starts a full mark-compact for each ~64 MB
 * of them allocated, however short their lives ("external memory pressure"). A command's bytes
 * are the socket's until Redis has read them all, and ioredis sends a command again after a
 * reconnect until it settles: a reply or a rejection, after which nothing reads them. So a
 * buffer comes back only then. That needs a client without ioredis's `commandTimeout` (none of
 * connectRedis's has one): a command it times out is rejected while its bytes may still wait in
 * the socket's queue. Bounded: at most MAX_FREE kept, none over MAX_KEPT.
 */
export class SendBuffers {
  static readonly MAX_FREE = 16;
  static readonly MAX_KEPT = 1 << 20;
  private readonly free: Buffer[] = [];

  /** A buffer of at least n bytes, not in use by any command. */
  take(n: number): Buffer {
    const free = this.free;
    for (let i = free.length - 1; i >= 0; i--) {
      const b = free[i]!;
      if (b.length < n) continue;
      free[i] = free[free.length - 1]!;
      free.pop();
      return b;
    }
    // Room to spare, so that a commit a little larger than the last still fits.
    return Buffer.allocUnsafe(Math.max(16 * 1024, n + (n >> 1)));
  }

  /** Back from a command that settled; kept unless too large or enough are. */
  give(b: Buffer): void {
    if (b.length > SendBuffers.MAX_KEPT) return;
    if (this.free.length < SendBuffers.MAX_FREE) this.free.push(b);
    else {
      // The smallest makes room: a full set of too-small buffers would allocate every time.
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++)
        if (this.free[i]!.length < this.free[smallest]!.length) smallest = i;
      if (this.free[smallest]!.length < b.length) this.free[smallest] = b;
    }
  }

  /** Buffers kept, and their bytes (tests). */
  kept(): { count: number; bytes: number } {
    let bytes = 0;
    for (const b of this.free) bytes += b.length;
    return { count: this.free.length, bytes };
  }
}

/** The process's send buffers: commands are written one at a time, so one set serves them all. */
export const sendBuffers = new SendBuffers();

/**
 * A command of onecard's Redis module (docs/decisions/0232) that stands for a script, written:
 * the same keys and arguments after the key count, as EVALSHA's are. Its bytes are every
 * argument's one copy (resp.ts, docs/decisions/0233, 0236), made now, before the caller goes on,
 * into a buffer of sendBuffers: release gives it back once the command has settled.
 */
export function nativeCommand(
  command: string,
  keys: readonly string[] | SplitKeys,
  args: readonly Arg[],
): WrittenCommand {
  return writtenCommand(command, [String(keys.length)], keys, args);
}

/**
 * A command written into a buffer of sendBuffers, under its name as written; ioredis knows it by
 * the name in lower case. release gives the buffer back once the command has settled.
 */
function writtenCommand(
  name: string,
  head: readonly Arg[],
  middle: readonly Arg[] | SplitKeys,
  tail: readonly Arg[],
): WrittenCommand {
  let lent: Buffer | undefined;
  const bytes = encodeCommand(name, head, middle, tail, (n) => {
    lent = sendBuffers.take(n);
    return lent;
  });
  return new WrittenCommand(name.toLowerCase(), bytes, lent);
}

/** A written command's buffer back to sendBuffers: only once it has settled, and not read after. */
export function release(written: WrittenCommand): void {
  // Settled: Redis has read it all, or ioredis will never send it again.
  if (written.lent) sendBuffers.give(written.lent);
}

/**
 * Sends a written module command; durability as runScript's. firstKey: the command's first key
 * (the wait mark goes in its slot), undefined when it has none. The buffer is not given back
 * here: the caller releases it once done with its bytes.
 */
export async function sendWritten(
  client: RedisClient,
  written: WrittenCommand,
  firstKey: string | undefined,
  durability?: Durability,
): Promise<unknown> {
  // Sent at once, not through auto-pipelining: a commit is one large command, nothing to gain
  // from sharing a write.
  if (!durability || durability.replicas === 0 || firstKey === undefined) return client.sendCommand(written);
  // A pipeline takes a written command as one of its own (sendCommand is not in its typings).
  const pipeline = client.pipeline();
  (pipeline as unknown as Pipeline).sendCommand(written);
  const replies = await pipeline
    .set(durability.markKey(firstKey), '1')
    .wait(durability.replicas, durability.timeoutMs)
    .exec();
  if (!replies) throw new Error(`the ${written.name} pipeline was discarded`);
  return waited(replies, durability);
}

/** The write's reply from [write, SET mark, WAIT] replies; throws what failed or too few replicas. */
function waited(replies: [Error | null, unknown][], { replicas, timeoutMs }: Durability): unknown {
  const [[writeErr, reply], [markErr], [waitErr, reached]] = replies as [
    [Error | null, unknown],
    [Error | null, unknown],
    [Error | null, unknown],
  ];
  if (writeErr) throw writeErr;
  if (markErr) throw markErr;
  if (waitErr) throw waitErr;
  if (Number(reached) < replicas) throw new ReplicaWaitError(replicas, Number(reached), timeoutMs);
  return reply;
}

const isNoScript = (err: unknown) => err instanceof Error && err.message.startsWith('NOSCRIPT');

/**
 * EVALSHA, and EVAL once when Redis does not have the script (a restart, SCRIPT FLUSH, a new
 * Cluster node): Redis caches it then, so the next call is an EVALSHA again. With durability,
 * the script goes in one pipeline with SET <mark> and WAIT <replicas> <timeout>, on the
 * connection (and, on a Cluster, the node) of its keys: WAIT counts the replicas that have
 * everything this connection wrote. The SET makes that "everything up to now", so a script that
 * only read (a duplicate answered from the dedupe hash) still waits for the write it answers from.
 */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly (string | Buffer)[],
  args: readonly Arg[],
  durability?: Durability,
): Promise<unknown> {
  // Keys and arguments as one array, which ioredis flattens: a commit of many effects has more
  // arguments than a spread into a call may carry (the engine's stack, ~120,000 on node 20).
  // A Joined argument is copied now: ioredis keeps a command's arguments until it is written,
  // and a NOSCRIPT retry sends them again later (0236).
  const flat: Array<string | number | Buffer> = (keys as Array<string | number | Buffer>).concat(
    ownedParts<string | number | Buffer>(args),
  );
  if (!durability || durability.replicas === 0 || keys.length === 0) {
    try {
      return await client.evalsha(script.sha, keys.length, flat as string[]);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return client.eval(script.lua, keys.length, flat as string[]);
    }
  }
  const { replicas, timeoutMs } = durability;
  const first = keys[0]!;
  const mark = durability.markKey(typeof first === 'string' ? first : first.toString('latin1'));
  const send = async (withSource: boolean) => {
    const p = client.pipeline();
    if (withSource) p.eval(script.lua, keys.length, flat as string[]);
    else p.evalsha(script.sha, keys.length, flat as string[]);
    const replies = await p.set(mark, '1').wait(replicas, timeoutMs).exec();
    if (!replies) throw new Error('the script pipeline was discarded');
    return replies;
  };
  let replies = await send(false);
  if (isNoScript(replies[0]![0])) replies = await send(true);
  return waited(replies, durability);
}
