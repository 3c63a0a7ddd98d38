// The device's lists as one module: verifies signed envelopes, enforces version order, persists
// before applying, applies, and answers cardFacts() for every tap. Changes run one at a time
// (a queue); decisions never wait for them: they read whatever the tables hold at that moment.
//
// Order rules (docs/decisions/0050-signed-compact-lists.md): a delta applies only when its
// previous version is the local version; a version not above the local one is a replay and is
// refused; a delta from further ahead is a gap, and the caller resyncs over HTTP. Anything
// refused is logged with its reason and changes nothing. Store generations (0184): a snapshot
// of a later generation than the local one is taken whatever its version (the store was
// restored from a backup and numbers again); a delta or head of one makes the device fetch
// that snapshot (resyncFrom answers 0); anything of an earlier generation is refused.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { CardFacts } from '../../../core/facts.js';
import type { EnvelopeHeader, ListPublicKey } from '../../../core/lists/envelope.js';
import { isLaterGeneration } from '../../../core/lists/generation.js';
import { bodyProblem, TOKEN_RECORD_BYTES } from '../../../core/lists/records.js';
import { envelopeTypes, type ListKind, listKinds } from '../../../protos/codec.js';
import { v1 } from '../../../protos/wire.js';
import type { Logger } from '../log.js';
import { openEnvelope } from './envelope.js';
import { ListFiles } from './persist.js';
import { applyRecords, type ListContent, ListState, type ListVersionInfo } from './state.js';

export type ListOutcome =
  | { status: 'applied'; kind: ListKind; version: number }
  | { status: 'refused'; why: string; kind?: ListKind }
  | { status: 'gap'; kind: ListKind; local: number; incoming: number };

export interface EdgeListsOptions {
  /** Base file of the persisted lists (persist.ts). */
  file: string;
  venueId: string;
  keys: ReadonlyMap<string, ListPublicKey>;
  log: Logger;
  /** After a list moved to a new version. */
  onVersion?: (kind: ListKind, version: number) => void;
}

/** Records applied between two yields to the event loop, so taps are decided in between. */
const APPLY_SLICE_RECORDS = 1024;
/** The log is folded into the base file beyond this size. */
const MAX_LOG_BYTES = 16 * 1024 * 1024;

export class EdgeLists {
  state: ListState;
  private readonly files: ListFiles;
  private queue: Promise<unknown> = Promise.resolve();
  private refusals = 0;
  /** Lists for which a later store generation was announced: resync them from 0 (a snapshot). */
  private readonly laterGeneration = new Set<ListKind>();

  constructor(private readonly opts: EdgeListsOptions) {
    this.state = new ListState(opts.venueId);
    this.files = new ListFiles(opts.file);
  }

  /** Loads the persisted lists and replays the logged deltas (synchronous: before any tap). */
  start(): void {
    const { log } = this.opts;
    const base = this.files.loadBase(this.opts.venueId);
    if (base.problem)
      log.warn({ file: this.opts.file, why: base.problem }, 'persisted lists unusable: resync');
    if (base.state) this.state = base.state;
    let replayed = 0;
    for (const bytes of this.files.readLog()) {
      const opened = openEnvelope(bytes, this.opts.keys);
      if (!opened.ok) {
        log.warn({ why: opened.why }, 'logged list delta refused on replay');
        break;
      }
      const order = this.order(opened.header);
      if (order?.status === 'refused') continue; // already in the base
      if (order || bodyProblem(opened.header.kind, opened.body)) break;
      applyRecords(this.state.content(opened.header.kind), opened.body, this.opts.venueId);
      this.state.versions[opened.header.kind] = opened.header.version;
      replayed++;
    }
    log.info({ lists: this.versionInfo(), replayed }, 'lists loaded');
  }

  /** Closes the log file once queued changes are done. */
  async stop(): Promise<void> {
    await this.idle();
    await this.files.close();
  }

  cardFacts(token: Uint8Array, issuingRegion: string): CardFacts {
    return this.state.cardFacts(token, issuingRegion);
  }

  version(kind: ListKind): number {
    return this.state.versions[kind];
  }

  /** The version to resync from: 0 (a snapshot) once a later store generation was announced. */
  resyncFrom(kind: ListKind): number {
    return this.laterGeneration.has(kind) ? 0 : this.version(kind);
  }

  versionInfo(): ListVersionInfo[] {
    return this.state.versionInfo();
  }

  /** List messages refused since start (each logged with its reason). */
  refusedCount(): number {
    return this.refusals;
  }

  /** Resolves when every queued change has been applied. */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** A SignedList delta from MQTT. */
  applyDelta(bytes: Uint8Array): Promise<ListOutcome> {
    const opened = openEnvelope(bytes, this.opts.keys);
    if (!opened.ok) return Promise.resolve(this.report(this.refused(opened.why)));
    if (opened.header.type !== 'delta')
      return Promise.resolve(this.report(this.refused('not a delta', opened.header.kind)));
    return this.serial(() => this.applyVerifiedDelta(opened.header, opened.body, bytes));
  }

  /**
   * A delta whose body came over HTTP before its verified trailer (sync.ts). Re-wrapped with the
   * body so the log holds a self-contained, verifiable envelope.
   */
  applyStreamedDelta(header: EnvelopeHeader, body: Uint8Array, signature: Uint8Array): Promise<ListOutcome> {
    const bytes = v1.SignedList.encode({
      kind: listKinds.code[header.kind],
      scope: header.scope,
      type: envelopeTypes.code[header.type],
      version: header.version,
      previousVersion: header.previousVersion,
      issuedAtMs: header.issuedAtMs,
      keyId: header.keyId,
      storeGeneration: header.generation ?? '',
      body,
      signature,
    }).finish();
    return this.serial(() => this.applyVerifiedDelta(header, body, bytes));
  }

  /** A snapshot built from a verified HTTP stream: swapped in whole, then persisted. */
  applySnapshot(header: EnvelopeHeader, content: ListContent): Promise<ListOutcome> {
    return this.serial(async () => {
      const order = this.order(header);
      if (order) return this.report(order);
      this.state.replace(content, header.version, header.generation ?? '');
      this.laterGeneration.delete(header.kind);
      // Taps use the new list from here on; persisting it follows (the queue waits for it).
      const outcome = this.report({ status: 'applied', kind: header.kind, version: header.version });
      await this.files.saveBase(this.state);
      return outcome;
    });
  }

  /** A retained head: whether the gateway has a version other than ours (then resync). */
  checkHead(bytes: Uint8Array): { kind: ListKind; differs: boolean } | undefined {
    const opened = openEnvelope(bytes, this.opts.keys);
    if (
      !opened.ok ||
      opened.header.type !== 'head' ||
      opened.header.scope !== this.scopeOf(opened.header.kind)
    ) {
      this.refusals++;
      this.opts.log.warn({ why: opened.ok ? 'not a head for this device' : opened.why }, 'list head refused');
      return undefined;
    }
    const h = opened.header;
    if (this.isLater(h)) this.laterGeneration.add(h.kind);
    return { kind: h.kind, differs: h.version !== this.version(h.kind) || this.laterGeneration.has(h.kind) };
  }

  scopeOf(kind: ListKind): string {
    return this.state.scopeOf(kind);
  }

  private async applyVerifiedDelta(
    h: EnvelopeHeader,
    body: Uint8Array,
    bytes: Uint8Array,
  ): Promise<ListOutcome> {
    const order = this.order(h);
    if (order) return this.report(order);
    const problem = bodyProblem(h.kind, body);
    if (problem) return this.report(this.refused(`body: ${problem}`, h.kind));
    // Durable first: a device that loses power mid-apply replays the delta on boot.
    await this.files.appendLog(bytes);
    const content = this.state.content(h.kind);
    const slice = APPLY_SLICE_RECORDS * TOKEN_RECORD_BYTES;
    if (content.kind === 'deny' || content.kind === 'flags') {
      for (let o = 0; o < body.length; o += slice) {
        if (o > 0) await yieldToLoop();
        applyRecords(content, body.subarray(o, o + slice), this.opts.venueId);
      }
    } else applyRecords(content, body, this.opts.venueId);
    this.state.versions[h.kind] = h.version;
    if (h.generation) this.state.generations[h.kind] = h.generation;
    if (this.files.logBytes() > MAX_LOG_BYTES) await this.files.saveBase(this.state);
    return this.report({ status: 'applied', kind: h.kind, version: h.version });
  }

  /** undefined when the envelope is next in line; otherwise why it is not. */
  private order(h: EnvelopeHeader): Exclude<ListOutcome, { status: 'applied' }> | undefined {
    if (h.scope !== this.scopeOf(h.kind))
      return this.refused(`scope "${h.scope}" is not this device's`, h.kind);
    const local = this.version(h.kind);
    const generation = this.state.generations[h.kind];
    if (h.generation && generation && h.generation !== generation) {
      if (!this.isLater(h))
        return this.refused(`store generation ${h.generation} is older than local ${generation}`, h.kind);
      // A later generation numbers its versions anew: only its snapshot replaces ours.
      if (h.type === 'snapshot') return undefined;
      this.laterGeneration.add(h.kind);
      return { status: 'gap', kind: h.kind, local, incoming: h.version };
    }
    if (h.version <= local)
      return this.refused(`version ${h.version} is not newer than local ${local} (replayed)`, h.kind);
    if (h.type === 'delta' && h.previousVersion !== local)
      return { status: 'gap', kind: h.kind, local, incoming: h.version };
    return undefined;
  }

  /** Whether the envelope belongs to a later store generation than the local list. */
  private isLater(h: EnvelopeHeader): boolean {
    return h.generation !== undefined && isLaterGeneration(h.generation, this.state.generations[h.kind]);
  }

  private refused(why: string, kind?: ListKind): Extract<ListOutcome, { status: 'refused' }> {
    return kind ? { status: 'refused', why, kind } : { status: 'refused', why };
  }

  private report<T extends ListOutcome>(o: T): T {
    const { log } = this.opts;
    if (o.status === 'applied') {
      log.info({ kind: o.kind, version: o.version }, 'list applied');
      this.opts.onVersion?.(o.kind, o.version);
    } else if (o.status === 'refused') {
      this.refusals++;
      log.warn({ kind: o.kind, why: o.why }, 'list refused');
    } else
      log.warn({ kind: o.kind, local: o.local, incoming: o.incoming }, 'list delta skips versions: resync');
    return o;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
