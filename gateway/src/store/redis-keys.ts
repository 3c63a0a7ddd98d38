// Every Redis key the store uses, built here and nowhere else. Keys that one script changes
// together share a hash tag ({pN}, {lists}, ...), so the same code runs on Redis Cluster: a
// card, its records, their indexes, the dedupe keys and the outbox of partition N all live in
// the slot of {pN}.
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import { PackWriter } from './msgpack.js';

/**
 * The partition of a card: the first 4 bytes of its token as an unsigned integer, modulo the
 * partition count. Tokens are keyed hashes, so partitions fill evenly.
 */
export function partitionOf(token: string, partitions: number): number {
  // One pass that checks the token (as core/pii.ts isTokenHex) and reads its first 8 digits: no regular
  // expression, no cut string and no parseInt, for a call made twice a tap (0240).
  if (token.length !== 32) throw notAToken(token);
  let head = 0;
  for (let i = 0; i < 32; i++) {
    const c = token.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) throw notAToken(token);
    if (i < 8) head = head * 16 + d;
  }
  return head % partitions;
}

function notAToken(token: string): TypeError {
  return new TypeError(`not a card token (32 lowercase hex): '${token}'`);
}

/**
 * Seqs per bucket of tap claims (docs/decisions/0220): a device's seqs rise, so a bucket is
 * written for a while, then left to expire. 128 keeps a bucket within Redis's compact hash
 * encoding (hash-max-listpack-entries, 128 by default): a claim costs ~25 bytes there against
 * ~70 in a hash table. A slow gate's bucket lives a little longer than the window, bounded by it.
 */
export const CLAIM_BLOCK_SEQS = 128;

/** Bytes of a tap's field in its dedupe bucket (tapField). */
export const TAP_FIELD_BYTES = 12;

/**
 * A tap's field in its day bucket of dedupe entries (docs/decisions/0222): 12 bytes where the
 * dedupe key itself ("tap:<device>:<epoch>:<seq>", ~40 bytes) was: the card token's first 4
 * bytes (what partitionOf reads, so an offline re-partition can tell the entry's partition without
 * the record), then the first 8 bytes of the key's SHA-256. A Redis string of up to 12 bytes takes
 * a 16-byte allocation. Two taps' fields meet only if their tokens share 4 bytes (the same card, or
 * 1 in 2^32) and their digests 8 (1 in 2^64): at a city's 22 M taps a day, ~6 same-card pairs a card
 * and n²/2^33 random ones a bucket, the expected collisions a day are below 10^-11: none in the
 * life of a city. A device cannot aim one at another tap: that is a second preimage of SHA-256.
 *
 * Written into a commit's column (redis-commit.ts) as a MessagePack str: the token's first 8 hex
 * digits decoded there and the digest's 8 bytes written there by the gateway's addon, with no
 * Buffer or hex string made for it (docs/decisions/0235, 0247). The token is one partitionOf has
 * checked.
 */
export function packTapField(w: PackWriter, cardToken: string, dedupeKey: string): void {
  w.hexThenSha256(cardToken, 8, dedupeKey, TAP_FIELD_BYTES - 4);
}

/** The same field as bytes (a lookup's HMGET of one entry): packTapField's, after its str header. */
export function tapField(cardToken: string, dedupeKey: string): Buffer {
  const w = new PackWriter(TAP_FIELD_BYTES + 1);
  packTapField(w, cardToken, dedupeKey);
  return w.finish().subarray(1);
}

/** The deny list's keys as they were named when it had methods of its own. */
const DENY_KEYS = { l: 'deny', lv: 'deny:version', ll: 'deny:log' } as const;

export class RedisKeys {
  /** A venue's keys (redis-venues.ts). */
  readonly venue: VenueKeys;

  constructor(
    readonly prefix: string,
    readonly partitions: number,
    /** Seqs per bucket of tap claims (CLAIM_BLOCK_SEQS; a test makes them turn over sooner). */
    readonly claimBlockSeqs = CLAIM_BLOCK_SEQS,
  ) {
    if (!Number.isInteger(claimBlockSeqs) || claimBlockSeqs < 1)
      throw new RangeError(`claim blocks must hold a positive whole number of seqs, got ${claimBlockSeqs}`);
    if (/[{}]/.test(prefix)) throw new TypeError(`a key prefix must not contain braces: '${prefix}'`);
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
    this.venue = new VenueKeys(prefix);
  }

  partitionOf(token: string): number {
    return partitionOf(token, this.partitions);
  }

  /** Each partition's first key, built once (every key of a commit starts with one; 0219). */
  private readonly parts: string[] = [];

  /** The first key of partition p; every key of the partition starts with it. */
  private part(p: number): string {
    let k = this.parts[p];
    if (k === undefined) {
      k = `${this.prefix}:{p${p}}`;
      if (this.isPartition(p)) this.parts[p] = k;
    }
    return k;
  }

  /** String: version, balance, fare state JSON, uses JSON, status, flags, masked number, region,
   *  "\n"-separated (redis-card.ts, 0214; a hash of those fields when written before 0214). */
  card(token: string): string {
    return this.cardIn(this.partitionOf(token), token);
  }

  /**
   * The same key when the caller has just computed p = partitionOf(token), which checked the
   * token (the commit's arguments: one check a tap, not two; docs/decisions/0219).
   */
  cardIn(p: number, token: string): string {
    // The partition's card key head is built once: a key is then one concatenation, not two
    // (docs/decisions/0240); the card read writes the two parts with none (0244).
    return this.cardHead(p) + token;
  }

  /** What every card key of partition p starts with: its key is this and its token. */
  cardHead(p: number): string {
    let head = this.cardHeads[p];
    if (head === undefined) {
      head = `${this.part(p)}:card:`;
      if (this.isPartition(p)) this.cardHeads[p] = head;
    }
    return head;
  }

  /** Each partition's card key head (cardIn), built once. */
  private readonly cardHeads: string[] = [];

  /** Partitions are few (a configured count) and their keys kept; any other number is built each time. */
  private isPartition(p: number): boolean {
    return Number.isInteger(p) && p >= 0 && p < this.partitions;
  }

  /** Hash: dedupe key → result JSON, for every effect but taps (top-ups, sweeps, purchases): kept. */
  seen(p: number): string {
    return `${this.part(p)}:seen`;
  }

  /**
   * Hash: tap field (tapField) → compact result (redis-results.ts), the taps made on one UTC day
   * (core/dedupe-window.ts): expires with the dedupe window (docs/decisions/0196). Entries
   * written before 0222 are under the tap's dedupe key itself ("tap:<device>:<epoch>:<seq>").
   */
  seenOn(p: number, day: number, sub = -1): string {
    // A day split into sub-buckets (redis-seen-split.ts, 0222): one of them; -1: the day's one.
    return sub < 0 ? `${this.part(p)}:seen:${day}` : `${this.part(p)}:seen:${day}:${sub}`;
  }

  /**
   * String: how many sub-buckets the tap dedupe buckets of a UTC day are split into, fixed at the
   * day's first commit (redis-seen-split.ts, docs/decisions/0222); expires with the day's buckets.
   */
  seenSplit(day: number): string {
    return `${this.prefix}:{meta}:seen-split:${day}`;
  }

  /**
   * String: the last UTC day whose tap dedupe buckets may hold entries under the old field (the
   * dedupe key itself, before 0222), or -1 when none can (a store created since). Set once, by
   * the first gateway of 0222 to open the store (redis.ts).
   */
  tapFieldsSince(): string {
    return `${this.prefix}:{meta}:tap-fields-since`;
  }

  /**
   * Hash: seq → content digest of the taps one device sent under one journal epoch ('-' for the
   * legacy epoch ''), Store.claimTaps (docs/decisions/0175). Under the device's own hash tag: the
   * claim is made before the commit, for every card of the batch at once.
   */
  tapClaims(deviceId: string, epoch: string): string {
    return `${this.prefix}:{d:${deviceId}}:claims:${epoch || '-'}`;
  }

  /**
   * The claims of one block of CLAIM_BLOCK_SEQS seqs of one device under one epoch (block = seq
   * div claimBlockSeqs): expires a dedupe window after its last write (docs/decisions/0196).
   * Keyed by the seq alone, never by anything else the tap says: every content sent under a
   * seq meets the same bucket, whatever time it claims (docs/decisions/0220). tapClaims is where
   * claims were kept before the window; `claims:<epoch>:<day>` where they were kept by day.
   */
  tapClaimsIn(deviceId: string, epoch: string, block: number): string {
    return `${this.tapClaims(deviceId, epoch)}:b${block}`;
  }

  /** The block of claims a seq belongs to (tapClaimsIn). */
  claimBlock(seq: number): number {
    return Math.floor(seq / this.claimBlockSeqs);
  }

  /** Hash: epoch ('-' for the legacy one) → the highest seq the device ever claimed under it. */
  tapMarks(deviceId: string): string {
    return `${this.prefix}:{d:${deviceId}}:hwm`;
  }

  /** Hash: record id → record JSON. Not written when the history is in PostgreSQL (0204), nor the indexes and counters. */
  records(p: number): string {
    return `${this.part(p)}:rec`;
  }

  /** Zset of every record of the partition, scored by record.at. */
  byTime(p: number): string {
    return `${this.part(p)}:ix:t`;
  }

  /** Zset of a card's records; the only index that lives in one partition. */
  byCard(token: string): string {
    return `${this.part(this.partitionOf(token))}:ix:c:${token}`;
  }

  byDevice(p: number, deviceId: string): string {
    return `${this.part(p)}:ix:d:${deviceId}`;
  }

  byStation(p: number, stationId: string): string {
    return `${this.part(p)}:ix:s:${stationId}`;
  }

  byStop(p: number, stopId: string): string {
    return `${this.part(p)}:ix:sp:${stopId}`;
  }

  /** Records of every card shown with this masked number (docs/decisions/0136). */
  byMasked(p: number, masked: string): string {
    return `${this.part(p)}:ix:m:${masked}`;
  }

  byRoute(p: number, routeId: string): string {
    return `${this.part(p)}:ix:r:${routeId}`;
  }

  byOperator(p: number, operatorId: string): string {
    return `${this.part(p)}:ix:o:${operatorId}`;
  }

  /**
   * Hash of ride counters of one operator for one UTC day in partition p:
   * field <hour ms>|<line>|<concession>|<metric letter> → count (redis-stats.ts).
   */
  stats(p: number, operatorId: string, day: string): string {
    return `${this.part(p)}:st:${operatorId}:${day}`;
  }

  /** SCAN pattern of every partition's ride counter hashes (redis-drop-records.ts, 0212). */
  statsScanPattern(): string {
    return `${this.prefix}:{p*}:st:*`;
  }

  /** Zset of the partition's cards with an open entry, scored by the entry's time (docs/decisions/0113). */
  openEntries(p: number): string {
    return `${this.part(p)}:open`;
  }

  /** Stream: one entry per committed record, field i = record id (and r = the record JSON when records are not kept, 0204). */
  outbox(p: number): string {
    return `${this.part(p)}:outbox`;
  }

  outboxLease(p: number): string {
    return `${this.part(p)}:outbox:lease`;
  }

  /**
   * A list (store/ports/lists.ts): entries hash (l), version counter (lv), change log (ll). The
   * part comes first so no scope (which may hold ':') can make two keys meet. The deny list
   * keeps the names it had before it became a list kind (docs/decisions/0184), so data written
   * then reads on without a migration.
   */
  list(kind: string, scope: string, part: 'l' | 'lv' | 'll' = 'l'): string {
    if (kind === 'deny' && scope === ALL_SCOPE) return `${this.prefix}:{lists}:${DENY_KEYS[part]}`;
    return `${this.prefix}:{lists}:${part}:${kind}:${scope}`;
  }

  /**
   * The lists' store generation (core/lists/generation.ts), beside the layout: read at open,
   * never in a script. Deleted after a restore from a backup, so the next open begins another.
   */
  listGeneration(): string {
    return `${this.prefix}:{meta}:generation`;
  }

  /** Hash: device id → device JSON. */
  devices(): string {
    return `${this.prefix}:{devices}:all`;
  }

  /** Hash: device id → its secret's hash (Mosquitto `$7$`, docs/decisions/0170). */
  deviceSecrets(): string {
    return `${this.prefix}:{devices}:secrets`;
  }

  /** Hash: retired device id → when (Unix ms). */
  retiredDevices(): string {
    return `${this.prefix}:{devices}:retired`;
  }

  /** Counter: moves on every credential change or retirement (gateways poll it). */
  deviceRegistryVersion(): string {
    return `${this.prefix}:{devices}:version`;
  }

  /** Hash: finding id → finding JSON. */
  findings(): string {
    return `${this.prefix}:{findings}:all`;
  }

  /** Sorted set: finding id scored by when it was found. */
  findingsByTime(): string {
    return `${this.prefix}:{findings}:by-time`;
  }

  /**
   * Dead letters, apart from the ledger under their own prefix <prefix>:{dlq}: (one hash slot,
   * so putDeadLetter-2.lua bounds them atomically; docs/decisions/0160). `kept` is the list,
   * newest first, each element a JSON letter; `bytes` the sum of the kept letters' sizes.
   * (Before the bounds, letters went to <prefix>:{dlq}:letters, unbounded: safe to delete.)
   */
  deadLetters(part: 'kept' | 'bytes' = 'kept'): string {
    return `${this.prefix}:{dlq}:${part}`;
  }

  /** Stream of audit entries (field e = entry JSON), oldest first. */
  audit(): string {
    return `${this.prefix}:{audit}:log`;
  }

  /**
   * Paid top-up orders (redis-payments.ts) share one hash tag {pay}: a daily-sum check reads
   * every order of the card's day in the script that writes the new one. Orders are few next
   * to taps, so one slot carries them. Hash: body (creation facts JSON), st, txn, up, amt, exp.
   */
  payOrder(id: string): string {
    return `${this.prefix}:{pay}:order:${id}`;
  }

  /** The order id of a card's request id (idempotent order creation). */
  payRequest(token: string, requestId: string): string {
    return `${this.prefix}:{pay}:req:${token}:${requestId}`;
  }

  /** Set of the order ids a card made on a China-time day (the daily sum). */
  payCardDay(token: string, day: number): string {
    return `${this.prefix}:{pay}:day:${day}:${token}`;
  }

  /** Hash of a daily sum: id → amount, '#sum' → the total. The day first: no key can end in one. */
  payDailyUse(key: string, day: number): string {
    return `${this.prefix}:{pay}:use:${day}:${key}`;
  }

  /** Zset of order ids by retainUntil (prune). */
  payRetention(): string {
    return `${this.prefix}:{pay}:retain`;
  }

  /**
   * Failed-login records (docs/decisions/0152), hash: subject → lua/noteLoginFailure-2.lua's
   * record. Subjects are hashes of names and addresses, never a name in clear.
   */
  loginThrottle(): string {
    return `${this.prefix}:{auth}:throttle`;
  }

  /** Zset of the throttled subjects scored by when their record expires (pruning, the cap). */
  loginThrottleExpiry(): string {
    return `${this.prefix}:{auth}:throttle:exp`;
  }

  /** Zset of revoked operator session ids, scored by the session's expiry. */
  revokedSessions(): string {
    return `${this.prefix}:{auth}:revoked`;
  }

  /** Hash: username → session epoch (a session minted under another epoch is void). */
  sessionEpochs(): string {
    return `${this.prefix}:{auth}:epochs`;
  }

  /** The card's holder-token epoch, in the card's partition; set once the card is reported lost. */
  holderEpoch(token: string): string {
    return `${this.part(this.partitionOf(token))}:holder:${token}`;
  }

  /** The partition count the data was written with; another count would misplace every card. */
  layout(): string {
    return `${this.prefix}:{meta}:partitions`;
  }

  /** SCAN pattern of every key of this prefix (re-partition: redis-repartition.ts). */
  scanPattern(): string {
    return `${this.prefix}:*`;
  }

  /** A key of partition p by what follows its tag (re-partition: the same key in another layout). */
  partitionKey(p: number, suffix: string): string {
    return `${this.part(p)}:${suffix}`;
  }

  /**
   * A key of this prefix taken apart: a partition key gives its partition and what follows the
   * tag, any other key what follows the prefix (the same key under another prefix is
   * prefix + ':' + rest).
   */
  parse(key: string): { partition: number; suffix: string } | { rest: string } | undefined {
    if (!key.startsWith(`${this.prefix}:`)) return undefined;
    const rest = key.slice(this.prefix.length + 1);
    const m = /^\{p(\d+)\}:(.+)$/.exec(rest);
    return m ? { partition: Number(m[1]), suffix: m[2]! } : { rest };
  }

  /** A non-partition key under this prefix (the inverse of parse's rest). */
  other(rest: string): string {
    return `${this.prefix}:${rest}`;
  }

  /**
   * The key a durable script call overwrites before WAIT (redis-client.ts runScript), in the
   * hash slot of the call's first key, whose hash tag it takes.
   */
  waitMark(firstKey: string): string {
    const tag = /\{[^{}]+\}/.exec(firstKey.slice(this.prefix.length));
    if (!firstKey.startsWith(`${this.prefix}:`) || !tag)
      throw new TypeError(`not a tagged key of this store: '${firstKey}'`);
    return `${this.prefix}:${tag[0]}:wait`;
  }
}

/**
 * A venue's keys, all under its hash tag {v:<venue>} (one slot per venue: each venue script
 * changes only its own venue's keys). Booking bodies and statuses are hashes by booking id;
 * cnt the capacity counters; pending the zset of bookings awaiting payment; day and card the
 * booking id lists of a validity day and of a card; noshow a card's no-show days; occ the day's
 * occupancy and visit counters; seen the day's counted passage ids.
 */
export class VenueKeys {
  constructor(private readonly prefix: string) {}
  private tag(venueId: string): string {
    if (/[{}]/.test(venueId)) throw new TypeError(`a venue id must not contain braces: '${venueId}'`);
    return `${this.prefix}:{v:${venueId}}`;
  }
  bodies = (v: string) => `${this.tag(v)}:bk`;
  statuses = (v: string) => `${this.tag(v)}:bk:st`;
  counters = (v: string) => `${this.tag(v)}:cnt`;
  pending = (v: string) => `${this.tag(v)}:pending`;
  day = (v: string, day: number) => `${this.tag(v)}:day:${day}`;
  card = (v: string, token: string) => `${this.tag(v)}:card:${token}`;
  noShows = (v: string, token: string) => `${this.tag(v)}:noshow:${token}`;
  occupancy = (v: string, day: number) => `${this.tag(v)}:occ:${day}`;
  seen = (v: string, day: number) => `${this.tag(v)}:seen:${day}`;
}
