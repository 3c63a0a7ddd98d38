// The console's figures over a month of one bus company's rides in the SQLite store:
//   stats       console_stats_month_ms: the month's ridership/revenue from the counters kept at
//               commit; baseline console_stats_scan_ms: the same figures by reading and grouping
//               the month's records (what the charts would cost without counters);
//   records     console_records_deep_page_ms: a page 10,000 rows deep by keyset cursor;
//               baseline console_records_offset_page_ms: the same page by OFFSET;
//   csv         console_csv_rows_per_s: a day's records streamed as CSV; baseline
//               console_json_rows_per_s: the same records fetched and serialised as JSON;
//   live        console_live_taps_per_s: taps through the live feed's aggregation (what the
//               ingest path pays per record); baseline console_json_taps_per_s: serialising each
//               tap, the least a page-per-tap push would cost.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { LedgerRecord } from '../../core/ledger.js';
import { recordsCsv } from '../../gateway/src/http/csv.js';
import { LiveFeed } from '../../gateway/src/live/feed.js';
import { statOf, summarize } from '../../gateway/src/stats/rides.js';
import { openSqliteStore } from '../../gateway/src/store/sqlite.js';
import { seedMonth } from '../seed-month.js';
import { progress, round } from './stats.js';

const DAY = 86_400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeMs(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

export async function consoleBench(quick: boolean): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-console-bench-'));
  const file = join(dir, 'gw.db');
  const store = await openSqliteStore({ file });
  const now = Date.now();
  const ridesPerDay = quick ? 2_000 : 10_000;
  try {
    await seedMonth(store, {
      operatorId: 'busco',
      tokenKey: Buffer.alloc(32, 9),
      days: 30,
      ridesPerDay,
      cards: 5_000,
      lines: 24,
      now,
      onProgress: progress('console: a month of rides'),
    });
    const from = now - 30 * DAY;
    const stats = await timeMs(5, () => store.queryStats({ operatorId: 'busco', from, to: now }));
    const db = new Database(file, { readonly: true });
    const scan = await timeMs(3, () => {
      const rows = db
        .prepare('SELECT body FROM records WHERE operator = ? AND at >= ? AND at < ?')
        .all('busco', from, now) as { body: string }[];
      return summarize(rows.map((r) => statOf(JSON.parse(r.body) as LedgerRecord)!));
    });
    const deep = (await store.queryRecords({ operatorId: 'busco', limit: 10_000 })).nextCursor!;
    const keyset = await timeMs(5, () =>
      store.queryRecords({ operatorId: 'busco', limit: 50, cursor: deep }),
    );
    const offset = await timeMs(5, () =>
      db
        .prepare(
          'SELECT body FROM records WHERE operator = ? ORDER BY at DESC, id DESC LIMIT 50 OFFSET 10000',
        )
        .all('busco'),
    );
    db.close();

    const dayQ = { operatorId: 'busco', from: now - DAY, to: now };
    let csvRows = 0;
    const csvMs = await timeMs(3, async () => {
      csvRows = 0;
      for await (const chunk of recordsCsv(store, dayQ, 1_000_000))
        csvRows += String(chunk).split('\r\n').length - 1;
    });
    let jsonRows = 0;
    const jsonMs = await timeMs(3, async () => {
      jsonRows = 0;
      let cursor: string | undefined;
      do {
        const page = await store.queryRecords({ ...dayQ, limit: 500, cursor });
        JSON.stringify(page);
        jsonRows += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
    });

    const sample = (await store.queryRecords({ operatorId: 'busco', limit: 500 })).items;
    const taps = quick ? 200_000 : 1_000_000;
    const feed = new LiveFeed(() => Date.now());
    const stop = feed.subscribe(undefined, () => {});
    const liveMs = await timeMs(1, () => {
      for (let i = 0; i < taps; i += sample.length) {
        feed.publish(sample);
        if (i % 50_000 < sample.length) feed.tick();
      }
    });
    stop();
    const jsonTapMs = await timeMs(1, () => {
      for (let i = 0; i < taps; i += sample.length) for (const r of sample) JSON.stringify(r);
    });
    return {
      console_month_rides: ridesPerDay * 30,
      console_stats_month_ms: round(stats),
      console_stats_scan_ms: round(scan),
      ratio_stats_scan_to_counters: round(scan / stats, 1),
      console_records_deep_page_ms: round(keyset),
      console_records_offset_page_ms: round(offset),
      ratio_records_offset_to_keyset: round(offset / keyset, 1),
      console_csv_rows_per_s: Math.round((csvRows - 1) / (csvMs / 1000)),
      console_json_rows_per_s: Math.round(jsonRows / (jsonMs / 1000)),
      ratio_csv_to_json: round((csvRows - 1) / csvMs / (jsonRows / jsonMs), 2),
      console_live_taps_per_s: Math.round(taps / (liveMs / 1000)),
      console_json_taps_per_s: Math.round(taps / (jsonTapMs / 1000)),
      ratio_live_to_json: round(jsonTapMs / liveMs, 2),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: node --import tsx load/bench/console.ts [--quick]
if (process.argv[1]?.endsWith('console.ts'))
  console.log(JSON.stringify(await consoleBench(process.argv.includes('--quick'))));
