// Edge list benchmark (part of `npm run bench`): the device's lists at city scale.
//   snapshot_load_s_10m    a signed 10M-card flags snapshot through the real resync path
//                          (framed HTTP body → verify → build table → swap: taps use it), and
//                          snapshot_persist_s_10m until it is also on disk (fsync);
//   persisted_load_s_10m   a rebooted device loading its persisted lists (fresh process);
//   edge_rss_mb_10m        that process's resident memory with the lists loaded, against the
//                          same process with no lists (edge_rss_mb_no_lists, node + tsx);
//   list_bytes_per_card    measured: table bytes / cards;
//   edge_decision_p99_us   one card tap: token → CardFacts (deny + flags + region lookups) +
//                          core/decide.ts, half the taps on listed cards;
//   edge_entry_decision_p99_us the same lookups through the device's entry rules (core/entry/);
//   map_lookup_p99_us_1m   baseline in the same run: a plain JS Map<hex token, flags> with 1M
//                          keys (10M string keys would need several GB), and its bytes per card;
//   delta_10k_apply_ms / delta_10k_max_pause_ms: a 10,000-entry signed delta, and the longest
//                          stretch the event loop (taps) waited meanwhile; idle_max_pause_ms is
//                          the same watch with nothing applied (GC, a loaded machine).
// --quick: 1M cards instead of 10M; the keys keep their names and `edge_cards` says the scale.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideEntry } from '../../core/entry/decide.js';
import { emptyHistory } from '../../core/entry/history.js';
import { defaultRules } from '../../core/entry/rules.js';
import { ALL_SCOPE, parsePublicKeys, sha256 } from '../../core/lists/envelope.js';
import { TOKEN_RECORD_BYTES } from '../../core/lists/records.js';
import { profiles } from '../../core/profiles.js';
import { EdgeLists } from '../../edge-agent/src/lists/lists.js';
import { ListSync } from '../../edge-agent/src/lists/sync.js';
import { silentLogger } from '../../edge-agent/src/log.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { decideCardTap } from './baseline.js';
import { percentile, round } from './stats.js';

const SAMPLES = 200_000;
const FRAME_RECORDS = 4096;

function frameHeader(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Times fn per call in µs over the samples; returns sorted durations. */
function timeEach(samples: number, fn: (i: number) => unknown): number[] {
  const out = new Float64Array(samples);
  let sink = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    const r = fn(i);
    out[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (r) sink++;
  }
  if (sink < 0) console.error(sink);
  return [...out].sort((a, b) => a - b);
}

export async function edgeListBench(opts: { quick: boolean; log: (s: string) => void }) {
  const cards = opts.quick ? 1_000_000 : 10_000_000;
  const { log } = opts;
  const signer = new ListSigner('b2'.repeat(32), 'bench');
  const keys = parsePublicKeys(`bench:${signer.publicKeyHex()}`) as Exclude<
    ReturnType<typeof parsePublicKeys>,
    string
  >;
  const file = join(tmpdir(), `onecard-bench-lists-${process.pid}`);

  // The snapshot body: cards × (16-byte token, flags 1..7).
  const body = randomBytes(cards * TOKEN_RECORD_BYTES);
  for (let o = 16; o < body.length; o += TOKEN_RECORD_BYTES) body[o] = 1 + (body[o]! % 7);
  const trailer = signer.trailer(
    {
      kind: 'flags',
      scope: ALL_SCOPE,
      type: 'snapshot',
      version: 1,
      previousVersion: 0,
      issuedAtMs: Date.now(),
    },
    sha256(body),
  );
  const frames = function* () {
    const step = FRAME_RECORDS * TOKEN_RECORD_BYTES;
    for (let o = 0; o < body.length; o += step) {
      const chunk = body.subarray(o, o + step);
      yield frameHeader(chunk.length);
      yield chunk;
    }
    yield frameHeader(0);
    yield frameHeader(trailer.length);
    yield Buffer.from(trailer);
  };

  let inUseAt = 0;
  const lists = new EdgeLists({
    file,
    venueId: '',
    keys,
    log: silentLogger,
    onVersion: () => {
      inUseAt ||= performance.now();
    },
  });
  lists.start();
  const sync = new ListSync({
    lists,
    keys,
    gatewayHttpUrl: 'http://gateway.invalid',
    retryMs: 60_000,
    log: silentLogger,
    fetch: async () =>
      new Response(ReadableStream.from(frames()) as ReadableStream<Uint8Array>, {
        headers: { 'x-onecard-list-type': 'snapshot', 'x-onecard-list-entries': String(cards) },
      }),
  });
  sync.start();
  log(`  edge lists: loading a signed ${cards.toLocaleString('en')}-card snapshot`);
  const t0 = performance.now();
  await sync.requestResync('flags');
  // In use: taps decide from it. Persisted: written to disk (fsync) so a reboot keeps it.
  const snapshotLoadS = (inUseAt - t0) / 1000;
  const snapshotPersistS = (performance.now() - t0) / 1000;
  if (lists.version('flags') !== 1 || lists.state.flags.size < cards * 0.999)
    throw new Error(
      `snapshot not applied: version ${lists.version('flags')}, ${lists.state.flags.size} cards`,
    );
  const bytesPerCard = lists.state.flags.bytes / lists.state.flags.size;

  log(`  edge lists: snapshot applied in ${snapshotLoadS.toFixed(2)} s; timing taps`);
  // Taps: half on listed cards, half on cards not on any list.
  const present = (i: number) =>
    body.subarray((i % cards) * TOKEN_RECORD_BYTES, (i % cards) * TOKEN_RECORD_BYTES + 16);
  const absent = randomBytes(16 * 1024);
  const tapTokens = Array.from({ length: 4096 }, (_, i) =>
    i % 2 === 0
      ? present(Math.floor(Math.random() * cards))
      : absent.subarray((i % 1024) * 16, (i % 1024) * 16 + 16),
  );
  const profile = profiles.bus_validator;
  timeEach(50_000, (i) => decideCardTap(profile, lists.cardFacts(tapTokens[i % 4096]!, '500228').deny)); // warm-up
  const decision = timeEach(SAMPLES, (i) =>
    decideCardTap(profile, lists.cardFacts(tapTokens[i % 4096]!, '500228').deny),
  );
  // The same lookups through the device's entry rules (core/entry/decide.ts), offline.
  const gate = {
    profile,
    rules: defaultRules.bus_validator,
    venueId: '',
    risk: { maxTapsPerCardPerHour: 10, maxUnconfirmedFen: 2000, fareEstimateFen: 200 },
  };
  const now = Date.now();
  const entryDecision = timeEach(SAMPLES, (i) =>
    decideEntry(gate, {
      facts: lists.cardFacts(tapTokens[i % 4096]!, '500228'),
      history: emptyHistory,
      now,
      online: false,
    }),
  );

  log('  edge lists: 10k delta');
  // A 10,000-entry delta while a timer watches how long the event loop is held.
  const delta = randomBytes(10_000 * TOKEN_RECORD_BYTES);
  for (let o = 16; o < delta.length; o += TOKEN_RECORD_BYTES) delta[o] = 2;
  const envelope = signer.envelope(
    {
      kind: 'flags',
      scope: ALL_SCOPE,
      type: 'delta',
      version: 2,
      previousVersion: 1,
      issuedAtMs: Date.now(),
    },
    delta,
  );
  // The longest gap between event-loop turns while `during` runs: how long a tap would wait.
  const maxGap = async <T>(during: () => Promise<T>) => {
    let max = 0;
    let last = performance.now();
    let watching = true;
    const watch = () => {
      const now = performance.now();
      max = Math.max(max, now - last);
      last = now;
      if (watching) setImmediate(watch);
    };
    setImmediate(watch);
    const result = await during();
    watching = false;
    return { max, result };
  };
  const d0 = performance.now();
  const { max: maxPause, result: applied } = await maxGap(() => lists.applyDelta(envelope));
  const deltaMs = performance.now() - d0;
  // Baseline: the same watch over as long with nothing to apply (GC, other processes).
  const { max: idlePause } = await maxGap(() => new Promise((r) => setTimeout(r, deltaMs)));
  if (applied.status !== 'applied') throw new Error(`delta not applied: ${JSON.stringify(applied)}`);
  sync.stop();
  await lists.stop();

  log('  edge lists: reboot in a fresh process');
  // A rebooted device: a fresh process loads the persisted lists; its load time and memory.
  const reboot = (listsFile: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, 'edge-reboot.ts'),
          listsFile,
          `bench:${signer.publicKeyHex()}`,
        ],
        { encoding: 'utf8' },
      ),
    ) as { loadS: number; rssMb: number; cards: number };
  const child = reboot(file);
  // Baseline: the same process with no lists file (node + tsx + the agent's modules).
  const empty = reboot(`${file}-none`);

  log('  edge lists: Map baseline');
  // Baseline: a plain Map over 1M of the same keys (hex strings, as a first version would).
  const mapCards = Math.min(cards, 1_000_000);
  const hexOf = (i: number) => body.toString('hex', i * TOKEN_RECORD_BYTES, i * TOKEN_RECORD_BYTES + 16);
  const heap0 = process.memoryUsage().heapUsed;
  const map = new Map<string, number>();
  for (let i = 0; i < mapCards; i++)
    map.set(
      body.toString('hex', i * TOKEN_RECORD_BYTES, i * TOKEN_RECORD_BYTES + 16),
      body[i * TOKEN_RECORD_BYTES + 16]!,
    );
  const mapBytesPerCard = (process.memoryUsage().heapUsed - heap0) / mapCards;
  const mapKeys = Array.from({ length: 4096 }, (_, i) =>
    i % 2 === 0
      ? hexOf(Math.floor(Math.random() * mapCards))
      : absent.toString('hex', (i % 1024) * 16, (i % 1024) * 16 + 16),
  );
  timeEach(50_000, (i) => map.get(mapKeys[i % 4096]!));
  const mapLookup = timeEach(SAMPLES, (i) => map.get(mapKeys[i % 4096]!));
  map.clear();
  rmSync(file, { force: true });
  rmSync(`${file}.log`, { force: true });

  const decisionP99 = percentile(decision, 99);
  const mapP99 = percentile(mapLookup, 99);
  return {
    edge_cards: cards,
    edge_decision_p50_us: round(percentile(decision, 50), 3),
    edge_decision_p99_us: round(decisionP99, 3),
    edge_entry_decision_p99_us: round(percentile(entryDecision, 99), 3),
    map_lookup_p99_us_1m: round(mapP99, 3),
    ratio_edge_decision_to_map_lookup_p99: round(decisionP99 / mapP99, 2),
    list_bytes_per_card: round(bytesPerCard, 2),
    map_bytes_per_card_1m: round(mapBytesPerCard, 1),
    ratio_list_to_map_bytes_per_card: round(bytesPerCard / mapBytesPerCard, 3),
    snapshot_load_s_10m: round(snapshotLoadS, 2),
    snapshot_persist_s_10m: round(snapshotPersistS, 2),
    persisted_load_s_10m: round(child.loadS, 2),
    edge_rss_mb_10m: round(child.rssMb, 1),
    edge_rss_mb_no_lists: round(empty.rssMb, 1),
    edge_rss_mb_for_lists_10m: round(child.rssMb - empty.rssMb, 1),
    delta_10k_apply_ms: round(deltaMs, 1),
    delta_10k_max_pause_ms: round(maxPause, 2),
    idle_max_pause_ms: round(idlePause, 2),
  };
}
