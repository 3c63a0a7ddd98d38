// The one place the store meets ioredis' client classes (docs/decisions/0183): every other
// file takes a RedisClient, which one Redis and a Cluster both are, so a Cluster connection
// can be handed in without touching them. What makes that hold: every key a command or script
// touches carries its hash tag (redis-keys.ts), a MULTI changes keys of one tag only, and scripts
// go out as EVALSHA (runScript), a command whose keys ioredis knows, so it routes each call by
// its first key. A command defined with defineCommand would be routed by its first argument, the
// key count, and sent to the wrong node.
import { createHash } from 'node:crypto';
import { Cluster, Command, type Pipeline, Redis } from 'ioredis';
import { encodeCommand } from './resp.js';

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
    private readonly bytes: Buffer,
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
export async function mgetWritten(client: Redis, keys: readonly string[]): Promise<Array<string | null>> {
  return (await client.sendCommand(new WrittenCommand('mget', encodeCommand('MGET', [], keys, [])))) as Array<
    string | null
  >;
}

/**
 * A command of onecard's Redis module (docs/decisions/0232) that stands for a script: the same
 * keys and arguments after the key count, as EVALSHA's are; durability as runScript's.
 */
export async function runNative(
  client: RedisClient,
  command: string,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
  durability?: Durability,
): Promise<unknown> {
  // Written as RESP by the store (resp.ts, docs/decisions/0233) and sent at once, not through
  // auto-pipelining: a commit is one large command, nothing to gain from sharing a write.
  const written = new WrittenCommand(command, encodeCommand(command, [String(keys.length)], keys, args));
  if (!durability || durability.replicas === 0 || keys.length === 0) return client.sendCommand(written);
  // A pipeline takes a written command as one of its own (sendCommand is not in its typings).
  const pipeline = client.pipeline();
  (pipeline as unknown as Pipeline).sendCommand(written);
  const replies = await pipeline
    .set(durability.markKey(keys[0]!), '1')
    .wait(durability.replicas, durability.timeoutMs)
    .exec();
  if (!replies) throw new Error(`the ${command} pipeline was discarded`);
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
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
  durability?: Durability,
): Promise<unknown> {
  // Keys and arguments as one array, which ioredis flattens: a commit of many effects has more
  // arguments than a spread into a call may carry (the engine's stack, ~120,000 on node 20).
  const flat: Array<string | number | Buffer> = (keys as Array<string | number | Buffer>).concat(args);
  if (!durability || durability.replicas === 0 || keys.length === 0) {
    try {
      return await client.evalsha(script.sha, keys.length, flat as string[]);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return client.eval(script.lua, keys.length, flat as string[]);
    }
  }
  const { replicas, timeoutMs } = durability;
  const mark = durability.markKey(keys[0]!);
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
