// Reading cards from Redis: one loadCards-1.lua call per partition a read touches (its card
// keys share the partition's hash tag, so one slot on a Cluster), not one HMGET per card
// (docs/decisions/0207). A partition with a single card asked for is one HMGET: the same reply
// shape, and Redis runs a plain command more cheaply than a script.
import { type CardState, type CardStatus, unknownCard } from '../../../core/card.js';
import { decodeFareState } from '../../../core/tariff/state.js';
import { decodeUses } from '../../../core/uses.js';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';
import type { Scripts } from './redis-scripts.js';

/** The card hash's fields the planner needs, in the order every reply gives them. */
export const CARD_FIELDS = ['b', 'v', 's', 'f', 'm', 'r', 'fs', 'u'] as const;
const WIDTH = CARD_FIELDS.length;

type Field = string | null | undefined;

/** The cards by token, in the order asked; a token with no card hash is an unknown card. */
export async function loadCardsByPartition(
  redis: RedisClient,
  scripts: Scripts,
  keys: RedisKeys,
  tokens: readonly string[],
): Promise<Map<string, CardState>> {
  // Per token: its partition's group and its place in that group's flat reply.
  const groups = new Map<number, string[]>();
  const groupOf: string[][] = new Array(tokens.length);
  const offset: number[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const p = keys.partitionOf(tokens[i]!);
    let g = groups.get(p);
    if (g === undefined) {
      g = [];
      groups.set(p, g);
    }
    offset[i] = g.length * WIDTH;
    g.push(keys.card(tokens[i]!));
    groupOf[i] = g;
  }
  const replies = new Map<string[], readonly Field[]>();
  await Promise.all(
    [...groups.values()].map(async (g) => {
      const reply =
        g.length === 1
          ? await redis.hmget(g[0]!, ...CARD_FIELDS)
          : await scripts.run('loadCards', g, CARD_FIELDS);
      if (!Array.isArray(reply) || reply.length !== g.length * WIDTH)
        throw new Error(`loadCards answered ${String(reply).slice(0, 80)} for ${g.length} cards`);
      replies.set(g, reply as Field[]);
    }),
  );
  const out = new Map<string, CardState>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    out.set(token, cardOf(token, replies.get(groupOf[i]!)!, offset[i]!));
  }
  return out;
}

/** A card from its fields at `at` in a flat reply (CARD_FIELDS order). */
function cardOf(token: string, row: readonly Field[], at: number): CardState {
  // No 'u' on a card from before 0203: its uses are derived on first need.
  const uses = decodeUses(row[at + 7], `card ${token}`);
  const v = row[at + 1];
  if (v === null || v === undefined) return unknownCard(token);
  return {
    token,
    known: true,
    version: Number(v),
    balanceFen: Number(row[at]),
    status: row[at + 2] as CardStatus,
    flags: Number(row[at + 3]),
    masked: row[at + 4] ?? '',
    region: row[at + 5] ?? '',
    fare: decodeFareState(row[at + 6], `card ${token}`),
    ...(uses ? { uses } : {}),
  };
}
