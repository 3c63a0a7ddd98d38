// What the Redis topology e2e tests (redis-cluster, redis-failover) share: cards issued over the
// API, a device's records read back page by page, the exactly-once check and the device's own
// acked position as its status reports carry it.
import { expect } from 'vitest';
import { api, type GatewayProc } from './harness.js';

export interface RecordItem {
  id: string;
  seq: number;
  deviceId: string;
  chargedFen: number;
}

export async function issueCards(
  g: GatewayProc,
  cardNumbers: readonly string[],
  balanceFen: number,
): Promise<Array<{ token: string; issuedFen: number }>> {
  const out: Array<{ token: string; issuedFen: number }> = [];
  for (const n of cardNumbers) {
    const c = await api<{ token: string }>(g.url, 'POST', '/v1/cards', {
      cardNumber: n,
      region: '500228',
      balanceFen,
    });
    out.push({ token: c.token, issuedFen: balanceFen });
  }
  return out;
}

export async function deviceRecords(g: GatewayProc, deviceId: string): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: RecordItem[]; nextCursor?: string }>(
      g.url,
      'GET',
      `/v1/records?device=${deviceId}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Every seq 1..n of the device has exactly one record: none missing, none twice. */
export function expectEachTapOnce(records: readonly RecordItem[], n: number): void {
  const seqs = records.map((r) => r.seq).sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 1));
}

/** The highest seq the device says it got an ack for (its status report; 0 before one). */
export async function lastAcked(g: GatewayProc, deviceId: string): Promise<number> {
  const { items } = await api<{ items: Array<{ deviceId: string; lastAckedSeq?: number }> }>(
    g.url,
    'GET',
    '/v1/devices',
  );
  return items.find((d) => d.deviceId === deviceId)?.lastAckedSeq ?? 0;
}

export const cardNumbers = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

/**
 * Taps on the device's reader until n were typed, ten at a time with pauseMs between (devices
 * keep publishing while a test breaks something).
 */
export async function tapSteadily(
  tap: (cardNumber: string) => void,
  cards: readonly string[],
  n: number,
  opts: { pauseMs?: number; onTap?: (i: number) => Promise<void> } = {},
): Promise<void> {
  for (let i = 0; i < n; i++) {
    tap(cards[i % cards.length]!);
    await opts.onTap?.(i);
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, opts.pauseMs ?? 20));
  }
}

export const NO_ENTRY_LIMITS = {
  ONECARD_EDGE_ENTRY_ANTI_PASSBACK_MIN: '0',
  ONECARD_EDGE_OFFLINE_MAX_TAPS_PER_CARD_PER_HOUR: '0',
  ONECARD_EDGE_OFFLINE_MAX_UNCONFIRMED_FEN: '0',
};
