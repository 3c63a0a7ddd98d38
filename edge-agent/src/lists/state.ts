// The lists a device decides with, in memory: deny (exact 16-byte tokens), concession flags
// (64-bit token prefixes), recognised regions, and the entitlements of the device's own venue.
// cardFacts() turns them into core/facts.ts CardFacts for one tap: a few typed-array reads.
//
// This module only holds and changes state from records that were already verified
// (envelope signature, order and body: apply.ts); it never sees unverified bytes.
import type { CardFacts, Entitlement } from '../../../core/facts.js';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import { forEachEntitlement, forEachRegion, TOKEN_RECORD_BYTES } from '../../../core/lists/records.js';
import { type DenyReasonName, denyReasons, type ListKind } from '../../../protos/codec.js';
import { TokenTable } from './table.js';

const noEntitlements: readonly Entitlement[] = Object.freeze([]);

export interface ListVersionInfo {
  kind: ListKind;
  scope: string;
  version: number;
  entries: number;
}

/** The in-memory content of one list, swappable as a whole when a snapshot arrives. */
export type ListContent =
  | { kind: 'deny'; table: TokenTable }
  | { kind: 'flags'; table: TokenTable }
  | { kind: 'regions'; regions: Set<string> }
  | { kind: 'entitlements'; byToken: Map<string, Entitlement[]> };

export class ListState {
  deny = new TokenTable(4);
  flags = new TokenTable(2);
  regions = new Set<string>();
  /** Token hex → entitlements at this venue. A venue's entitlements are few enough for a Map. */
  entitlements = new Map<string, Entitlement[]>();
  readonly versions: Record<ListKind, number> = { deny: 0, flags: 0, regions: 0, entitlements: 0 };
  /** The store generation of each list's version ('' before the first from a gateway with one). */
  readonly generations: Record<ListKind, string> = { deny: '', flags: '', regions: '', entitlements: '' };

  /** venueId: the device's venue ('' for transit devices, which hold no entitlements). */
  constructor(readonly venueId: string) {}

  scopeOf(kind: ListKind): string {
    return kind === 'entitlements' ? this.venueId : ALL_SCOPE;
  }

  /** The kinds this device keeps (entitlements only on a device with a venue). */
  kinds(): ListKind[] {
    return this.venueId ? ['deny', 'flags', 'regions', 'entitlements'] : ['deny', 'flags', 'regions'];
  }

  /**
   * What the device knows about a card at a tap. token: the 16-byte keyed token;
   * issuingRegion: the 6-digit region read from the card ('' when unknown).
   */
  cardFacts(token: Uint8Array, issuingRegion: string): CardFacts {
    const deny = denyReasons.name[this.deny.get(token, 0)];
    const flags = this.flags.get(token, 0);
    // No region list yet (version 0): no basis to refuse same-city treatment; see decision 0050.
    const regionRecognised = this.versions.regions === 0 || this.regions.has(issuingRegion);
    const entitlements =
      this.entitlements.size === 0
        ? noEntitlements
        : (this.entitlements.get(Buffer.from(token.buffer, token.byteOffset, 16).toString('hex')) ??
          noEntitlements);
    return { deny, flags, regionRecognised, entitlements };
  }

  /** Deny lookup by hex token (the agent API and tests). */
  denyOf(tokenHex: string): DenyReasonName | undefined {
    return denyReasons.name[this.deny.get(Buffer.from(tokenHex, 'hex'), 0)];
  }

  entryCount(kind: ListKind): number {
    if (kind === 'deny') return this.deny.size;
    if (kind === 'flags') return this.flags.size;
    if (kind === 'regions') return this.regions.size;
    let n = 0;
    for (const l of this.entitlements.values()) n += l.length;
    return n;
  }

  versionInfo(): ListVersionInfo[] {
    return this.kinds().map((kind) => ({
      kind,
      scope: this.scopeOf(kind),
      version: this.versions[kind],
      entries: this.entryCount(kind),
    }));
  }

  /** The current content of a list (what a delta changes in place). */
  content(kind: ListKind): ListContent {
    if (kind === 'deny') return { kind, table: this.deny };
    if (kind === 'flags') return { kind, table: this.flags };
    if (kind === 'regions') return { kind, regions: this.regions };
    return { kind, byToken: this.entitlements };
  }

  /** Fresh, empty content for a snapshot to be built into (sizeHint: expected entries). */
  static emptyContent(kind: ListKind, sizeHint = 0): ListContent {
    if (kind === 'deny') return { kind, table: TokenTable.sizedFor(4, sizeHint) };
    if (kind === 'flags') return { kind, table: TokenTable.sizedFor(2, sizeHint) };
    if (kind === 'regions') return { kind, regions: new Set() };
    return { kind, byToken: new Map() };
  }

  /** Puts a fully built and verified snapshot in place, with its version and generation. */
  replace(content: ListContent, version: number, generation: string): void {
    if (content.kind === 'deny') this.deny = content.table;
    else if (content.kind === 'flags') this.flags = content.table;
    else if (content.kind === 'regions') this.regions = content.regions;
    else this.entitlements = content.byToken;
    this.versions[content.kind] = version;
    if (generation) this.generations[content.kind] = generation;
  }
}

/** Applies the records of a validated body (records.ts bodyProblem passed) to content, in order. */
export function applyRecords(content: ListContent, body: Uint8Array, venueId: string): void {
  if (content.kind === 'deny' || content.kind === 'flags') {
    const { table } = content;
    for (let o = 0; o < body.length; o += TOKEN_RECORD_BYTES) table.set(body, o, body[o + 16]!);
  } else if (content.kind === 'regions') {
    forEachRegion(body, (region, recognised) => {
      if (recognised) content.regions.add(region);
      else content.regions.delete(region);
    });
  } else {
    const { byToken } = content;
    forEachEntitlement(body, (token, put, e, why) => {
      if (why) return;
      const list = (byToken.get(token) ?? []).filter((x) => x.id !== e.id);
      if (put) list.push({ ...e, venueId });
      if (list.length > 0) byToken.set(token, list);
      else byToken.delete(token);
    });
  }
}
