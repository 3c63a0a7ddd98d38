// Reading cards from Redis: a card is one string (redis-card.ts, docs/decisions/0214), so a
// batch's cards are one native MGET on a standalone Redis or a Sentinel primary, and one MGET per
// partition on a Cluster (a partition's keys share its hash tag: one slot). No script, no command
// per card. A card still stored as a hash (before 0214: MGET answers nil for it) is read with an
// HMGET, only for the cards MGET found nothing under; the first commit turns it into a string.
import type { CardState } from '../../../core/card.js';
import { cardFromFields, cardFromString, HASH_CARD_FIELDS } from './redis-card.js';
import { isCluster, mgetWritten, type RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';
import { keyAt, SplitKeys } from './resp.js';

/** The cards by token, in the order asked; a token with no card is an unknown card. */
export async function loadCards(
  redis: RedisClient,
  keys: RedisKeys,
  tokens: readonly string[],
): Promise<Map<string, CardState>> {
  const cards = await readCards(redis, keys, tokens);
  const out = new Map<string, CardState>();
  for (let i = 0; i < tokens.length; i++) out.set(tokens[i]!, cards[i]!);
  return out;
}

/** The cards of the tokens, one each in the order asked (an unknown card for a token with none). */
export async function readCards(
  redis: RedisClient,
  keys: RedisKeys,
  tokens: readonly string[],
): Promise<CardState[]> {
  if (tokens.length === 0) return [];
  // On one Redis the keys go as their partition's head and the token, never joined (0244).
  let cardKeys: SplitKeys | readonly string[];
  let values: Array<string | null>;
  if (isCluster(redis)) {
    cardKeys = tokens.map((t) => keys.card(t));
    values = await mgetByPartition(redis, keys, tokens, cardKeys);
  } else {
    const heads = new Array<string>(tokens.length);
    for (let i = 0; i < tokens.length; i++) heads[i] = keys.cardHead(keys.partitionOf(tokens[i]!));
    cardKeys = new SplitKeys(heads, tokens);
    values = await mgetWritten(redis, cardKeys);
  }
  if (values.length !== tokens.length)
    throw new Error(`MGET answered ${values.length} values for ${tokens.length} cards`);
  const hashes = await hashCards(redis, cardKeys, values);
  const out = new Array<CardState>(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const hash = hashes.get(i);
    out[i] = hash ? cardFromFields(token, hash) : cardFromString(token, values[i]);
  }
  return out;
}

/** One MGET per partition (one hash slot each), the values put back in the order asked. */
async function mgetByPartition(
  redis: RedisClient,
  keys: RedisKeys,
  tokens: readonly string[],
  cardKeys: readonly string[],
): Promise<Array<string | null>> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < tokens.length; i++) {
    const p = keys.partitionOf(tokens[i]!);
    let g = groups.get(p);
    if (g === undefined) {
      g = [];
      groups.set(p, g);
    }
    g.push(i);
  }
  const values: Array<string | null> = new Array(tokens.length).fill(null);
  await Promise.all(
    [...groups.values()].map(async (g) => {
      const got = await redis.mget(g.map((i) => cardKeys[i]!));
      for (let j = 0; j < g.length; j++) values[g[j]!] = got[j] ?? null;
    }),
  );
  return values;
}

/** The hash fields of the cards MGET found no string for that are hashes (before 0214), by position. */
async function hashCards(
  redis: RedisClient,
  cardKeys: SplitKeys | readonly string[],
  values: ReadonlyArray<string | null>,
): Promise<Map<number, Array<string | null>>> {
  const found = new Map<number, Array<string | null>>();
  const missing: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] === null) missing.push(i);
  if (missing.length === 0) return found;
  // Unknown cards are the usual reason (a tap of a card never issued); one HMGET each, in one
  // round trip (auto-pipelined).
  const rows = await Promise.all(missing.map((i) => redis.hmget(keyAt(cardKeys, i), ...HASH_CARD_FIELDS)));
  rows.forEach((row, j) => {
    if (row[0] !== null && row[0] !== undefined) found.set(missing[j]!, row);
  });
  return found;
}
