// Entry rules on the device, measured in the same run against baselines:
//   entry_decide_per_s        decideEntry through the engine (history lookup + roll-over +
//                             rules + remembering the passage, in-memory LRU), per tap;
//   baseline                  decideCardTap (the deny-list-only decision it replaced);
//   entry_history_writes_per_s the persisted history (SQLite, synchronous=NORMAL) per passage;
//   baseline                  the journal append the same tap already costs (synchronous=FULL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyHistory } from '../../core/entry/history.js';
import { defaultRules } from '../../core/entry/rules.js';
import { noFacts } from '../../core/facts.js';
import { profiles } from '../../core/profiles.js';
import { openSqliteJournal } from '../../edge-agent/src/journal/sqlite.js';
import { EntryEngine } from '../../edge-agent/src/rules/engine.js';
import { MemoryHistory, SqliteHistory } from '../../edge-agent/src/rules/history.js';
import { decideCardTap } from './baseline.js';
import { round } from './stats.js';

const token = (i: number) => i.toString(16).padStart(32, '0');

function perSecond(n: number, run: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run(i);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

export function benchEntry(quick: boolean): Record<string, number> {
  const decisions = quick ? 200_000 : 1_000_000;
  const writes = quick ? 2_000 : 10_000;
  const cards = 50_000;
  const tokens = Array.from({ length: cards }, (_, i) => token(i));
  const gate = {
    profile: profiles.metro_entry_gate,
    rules: defaultRules.metro_entry_gate,
    venueId: '',
    risk: { maxTapsPerCardPerHour: 10, maxUnconfirmedFen: 2000, fareEstimateFen: 200 },
  };
  const t0 = Date.parse('2026-11-23T02:00:00Z');

  const baseline = perSecond(decisions, (i) =>
    decideCardTap(gate.profile, i % 97 === 0 ? 'lost' : undefined),
  );
  const engine = new EntryEngine({ gate, history: new MemoryHistory(cards), lastAckedSeq: () => 0 });
  const decide = perSecond(decisions, (i) => {
    const now = t0 + i * 1000;
    const d = engine.decide(tokens[i % cards]!, noFacts, now, i % 2 === 0);
    engine.passed(tokens[i % cards]!, d, i + 1, now, i % 2 === 0);
  });

  const dir = mkdtempSync(join(tmpdir(), 'onecard-bench-entry-'));
  try {
    const journal = openSqliteJournal(join(dir, 'edge.db'));
    const tap = {
      deviceTimeMs: t0,
      credential: 'card' as const,
      cardToken: tokens[0]!,
      issuingRegion: '500228',
      routeId: '',
      stopId: '',
      stationId: 'S01',
      venueId: '',
      direction: 'entry' as const,
      decision: 'allow' as const,
      reason: 'ENTRY_RECORDED' as const,
      concession: 'none' as const,
      offline: true,
    };
    const appends = perSecond(writes, () => journal.append(tap));
    journal.close();
    const history = new SqliteHistory(join(dir, 'edge.db'), 1000);
    const seen = { ...emptyHistory, lastEntryMs: t0, entriesToday: 1 };
    const historyWrites = perSecond(writes, (i) => history.set(tokens[i % cards]!, seen, t0));
    history.close();
    return {
      entry_decide_per_s: Math.round(decide),
      entry_decide_baseline_per_s: Math.round(baseline),
      ratio_entry_decide_to_deny_only: round(decide / baseline, 3),
      entry_history_writes_per_s: Math.round(historyWrites),
      journal_appends_per_s: Math.round(appends),
      ratio_history_write_to_journal_append: round(historyWrites / appends, 3),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
