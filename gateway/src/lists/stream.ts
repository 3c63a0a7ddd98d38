// The answer of GET /v1/lists/{kind}/{scope}?since=N as a framed binary stream
// (docs/topics.md "Lists"): `u32 length | records` frames, an empty frame, then the signed
// trailer (SignedList without body, with the body's SHA-256). A delta from N when the device
// is at most MAX_DELTA_VERSIONS behind; otherwise (or from 0) a snapshot, produced page by
// page so a 10-million-card list never exists as JS objects.
import { createHash } from 'node:crypto';
import type { ListKind } from '../../../protos/codec.js';
import type { ListStore } from '../store/port.js';
import type { ListSigner } from './signer.js';
import { changesSince, encodeRecords, PAGE_ENTRIES, snapshotRecords } from './sources.js';

/** A device further behind than this gets a snapshot. */
export const MAX_DELTA_VERSIONS = 1000;

export interface ListAnswer {
  type: 'delta' | 'snapshot' | 'current';
  /** Entries the answer will hold, about (devices size their new table with it). */
  entries: number;
  frames: AsyncIterable<Buffer>;
}

function frame(bytes: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

export async function listAnswer(
  store: ListStore,
  signer: ListSigner,
  kind: ListKind,
  scope: string,
  since: number,
  now: () => number,
): Promise<ListAnswer> {
  const current = await store.listVersion(kind, scope);
  const generation = await store.listGeneration();
  // Nothing to send: the device is current, or there is no list yet. (A device ahead of the
  // gateway, whose store was restored from a backup, gets a snapshot of the store's new
  // generation, which it takes (docs/decisions/0184); a device that learnt of a later
  // generation asks from 0.)
  if (current === 0 || since === current)
    return { type: 'current', entries: 0, frames: (async function* () {})() };
  const delta =
    since > 0 && since < current
      ? await changesSince(store, kind, scope, since, MAX_DELTA_VERSIONS)
      : undefined;
  if (delta) {
    return {
      type: 'delta',
      entries: delta.changes.size,
      frames: (async function* () {
        const hash = createHash('sha256');
        const entries = [...delta.changes].map(([key, value]) => ({ key, value }));
        for (let i = 0; i < entries.length; i += PAGE_ENTRIES) {
          const records = encodeRecords(kind, scope, entries.slice(i, i + PAGE_ENTRIES));
          hash.update(records);
          yield frame(records);
        }
        yield frame(new Uint8Array(0));
        yield frame(
          signer.trailer(
            {
              kind,
              scope,
              type: 'delta',
              version: delta.version,
              previousVersion: since,
              issuedAtMs: now(),
              generation,
            },
            hash.digest(),
          ),
        );
      })(),
    };
  }
  return {
    type: 'snapshot',
    entries: await store.listSize(kind, scope),
    frames: (async function* () {
      const hash = createHash('sha256');
      const records = snapshotRecords(store, kind, scope);
      let next = await records.next();
      while (!next.done) {
        hash.update(next.value);
        yield frame(next.value);
        next = await records.next();
      }
      yield frame(new Uint8Array(0));
      yield frame(
        signer.trailer(
          {
            kind,
            scope,
            type: 'snapshot',
            version: next.value,
            previousVersion: 0,
            issuedAtMs: now(),
            generation,
          },
          hash.digest(),
        ),
      );
    })(),
  };
}
