// Records as CSV (RFC 4180), for the console's export. Strings that a spreadsheet would run as
// a formula (=, +, -, @ first) are prefixed with ' (OWASP "CSV injection").
import { Readable } from 'node:stream';
import type { LedgerRecord } from '../../../core/ledger.js';
import type { HistoryStore, RecordQuery } from '../store/port.js';

export const csvColumns = [
  'at',
  'kind',
  'cardMasked',
  'cardToken',
  'operatorId',
  'deviceId',
  'routeId',
  'stopId',
  'stationId',
  'venueId',
  'direction',
  'credential',
  'concession',
  'baseFen',
  'chargedFen',
  'subsidyFen',
  'amountFen',
  'balanceAfterFen',
  'outcome',
  'reason',
  'edgeDecision',
  'offline',
] as const;

const NEEDS_QUOTES = /[",\r\n]/;
// First characters a spreadsheet reads as a formula: = + - @ TAB CR.
const FORMULA = new Set([61, 43, 45, 64, 9, 13]);

export function csvField(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  let s = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  if (s === '') return s;
  if (FORMULA.has(s.charCodeAt(0))) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(r: LedgerRecord): string {
  return `${csvColumns.map((c) => csvField(c === 'at' ? new Date(r.at).toISOString() : r[c])).join(',')}\r\n`;
}

/**
 * Streams every record the query matches, a page at a time, so a month of records never sits
 * in memory at once; stops after maxRows (the last line then says so).
 */
export function recordsCsv(
  store: HistoryStore,
  q: Omit<RecordQuery, 'limit' | 'cursor'>,
  maxRows: number,
): Readable {
  async function* lines() {
    yield `${csvColumns.join(',')}\r\n`;
    let cursor: string | undefined;
    let rows = 0;
    do {
      const page = await store.queryRecords({ ...q, limit: 500, cursor });
      let chunk = '';
      for (const r of page.items) {
        if (rows++ === maxRows) {
          yield `${chunk}# truncated after ${maxRows} rows: narrow the time range\r\n`;
          return;
        }
        chunk += csvLine(r);
      }
      yield chunk;
      cursor = page.nextCursor;
    } while (cursor);
  }
  return Readable.from(lines());
}
