// Keeps every list current: MQTT deltas go to EdgeLists in arrival order; a gap, a refused
// next-in-line delta or a head announcing another version triggers an HTTP resync of that
// list (GET /v1/lists/{kind}/{scope}?since=<local version>): the gateway answers the missing
// changes as one signed delta, or a signed snapshot when the device is far behind or empty.
// A snapshot is built into fresh tables while it streams and swapped in only after its
// trailer's signature holds. Decisions never wait for any of this.
import { createHash } from 'node:crypto';
import { bodyProblem } from '../../../core/lists/records.js';
import type { ListKind } from '../../../protos/codec.js';
import type { Logger } from '../log.js';
import { openEnvelope } from './envelope.js';
import type { EdgeLists, ListOutcome } from './lists.js';
import { applyRecords, ListState } from './state.js';
import { readFrames } from './stream.js';

export interface ListSyncOptions {
  lists: EdgeLists;
  keys: Parameters<typeof openEnvelope>[1];
  gatewayHttpUrl: string;
  /** Sent as "Authorization: Device <credential>" (docs/decisions/0130); '' sends none. */
  credential?: string;
  retryMs: number;
  log: Logger;
  fetch?: typeof fetch;
}

const FETCH_TIMEOUT_MS = 120_000;
/** A catch-up delta is buffered whole before its trailer is checked; bigger is refused. */
const MAX_DELTA_BYTES = 64 * 1024 * 1024;
/**
 * The stream is only authenticated at its end, so what it may make the device build before
 * then is bounded: 40M card records, and a size hint (unsigned) of at most 20M entries.
 */
const MAX_SNAPSHOT_BYTES = 40_000_000 * 17;
const MAX_SIZE_HINT = 20_000_000;

export class ListSync {
  private running = new Map<ListKind, Promise<void>>();
  private again = new Set<ListKind>();
  private retryTimers = new Map<ListKind, NodeJS.Timeout>();
  private abort = new AbortController();
  private stopped = true;

  constructor(private readonly opts: ListSyncOptions) {}

  start(): void {
    this.stopped = false;
    this.abort = new AbortController();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
    this.abort.abort();
  }

  /** A SignedList delta from MQTT. */
  async onDelta(payload: Uint8Array): Promise<ListOutcome> {
    const outcome = await this.opts.lists.applyDelta(payload);
    // A refused delta that was signed and next in line (bad body) also means: fetch the version.
    if (outcome.status === 'gap' || (outcome.status === 'refused' && outcome.why.startsWith('body:')))
      void this.requestResync(outcome.kind!);
    return outcome;
  }

  /** A retained SignedList head. */
  onHead(payload: Uint8Array): void {
    const head = this.opts.lists.checkHead(payload);
    if (head?.differs) void this.requestResync(head.kind);
  }

  /** Resyncs one list (or queues one more round after the running one). */
  requestResync(kind: ListKind): Promise<void> {
    if (this.stopped) return Promise.resolve();
    clearTimeout(this.retryTimers.get(kind));
    this.retryTimers.delete(kind);
    const running = this.running.get(kind);
    if (running) {
      this.again.add(kind);
      return running;
    }
    const run = this.loop(kind).finally(() => this.running.delete(kind));
    this.running.set(kind, run);
    return run;
  }

  /** Resolves when no resync is running (one may still be scheduled for a retry). */
  async idle(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** Resyncs every list the device keeps. */
  async resyncAll(): Promise<void> {
    await Promise.all(this.opts.lists.state.kinds().map((k) => this.requestResync(k)));
  }

  private async loop(kind: ListKind): Promise<void> {
    do {
      this.again.delete(kind);
      try {
        await this.resyncOnce(kind);
      } catch (err) {
        if (this.stopped) return;
        this.opts.log.warn(
          { kind, err: (err as Error).message, retryMs: this.opts.retryMs },
          'list resync failed: will retry',
        );
        this.retryTimers.set(
          kind,
          setTimeout(() => void this.requestResync(kind), this.opts.retryMs),
        );
        return;
      }
    } while (this.again.has(kind) && !this.stopped);
  }

  private async resyncOnce(kind: ListKind): Promise<void> {
    const { lists } = this.opts;
    // 0 after a later store generation was announced: its snapshot, whatever our version.
    const since = lists.resyncFrom(kind);
    const scope = lists.scopeOf(kind);
    const url = `${this.opts.gatewayHttpUrl.replace(/\/+$/, '')}/v1/lists/${kind}/${encodeURIComponent(scope)}?since=${since}`;
    const res = await (this.opts.fetch ?? fetch)(url, {
      ...(this.opts.credential ? { headers: { authorization: `Device ${this.opts.credential}` } } : {}),
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
    });
    if (res.status === 204) return; // already current
    if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status}`);
    // The type header is only a hint for how to receive; the signed trailer decides.
    const snapshot = res.headers.get('x-onecard-list-type') === 'snapshot';
    const hint = Number(res.headers.get('x-onecard-list-entries') ?? 0);
    const content = snapshot
      ? ListState.emptyContent(
          kind,
          Number.isSafeInteger(hint) && hint > 0 ? Math.min(hint, MAX_SIZE_HINT) : 0,
        )
      : undefined;
    const parts: Uint8Array[] = [];
    let bytes = 0;
    const hash = createHash('sha256');
    for await (const frame of readFrames(res.body as AsyncIterable<Uint8Array>)) {
      if (frame.type === 'records') {
        const problem = bodyProblem(kind, frame.bytes);
        if (problem) throw new Error(`GET ${url}: malformed records: ${problem}`);
        hash.update(frame.bytes);
        bytes += frame.bytes.length;
        if (content && bytes > MAX_SNAPSHOT_BYTES)
          throw new Error(`GET ${url}: snapshot over ${MAX_SNAPSHOT_BYTES} bytes`);
        if (content) applyRecords(content, frame.bytes, scope);
        else if (bytes > MAX_DELTA_BYTES) throw new Error(`GET ${url}: delta over ${MAX_DELTA_BYTES} bytes`);
        else parts.push(frame.bytes);
        continue;
      }
      const opened = openEnvelope(frame.bytes, this.opts.keys, hash.digest());
      if (!opened.ok) throw new Error(`GET ${url}: trailer refused: ${opened.why}`);
      const h = opened.header;
      if (h.kind !== kind || h.type !== (snapshot ? 'snapshot' : 'delta'))
        throw new Error(`GET ${url}: trailer is a ${h.kind} ${h.type}`);
      if (this.stopped) return;
      const outcome = content
        ? await lists.applySnapshot(h, content)
        : await lists.applyStreamedDelta(h, Buffer.concat(parts), opened.signature);
      // A delta that moved the list while this answer streamed makes it stale: ask again.
      if (outcome.status === 'gap' || (outcome.status === 'refused' && lists.version(kind) !== since))
        this.again.add(kind);
      else if (outcome.status === 'refused') throw new Error(`resync answer refused: ${outcome.why}`);
    }
  }
}
