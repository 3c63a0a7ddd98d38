// The lists on disk, so a rebooted device decides from them before it reconnects:
//   <file>      the whole state (tables as raw arrays, versions, regions, entitlements),
//               rewritten atomically (temp file, fsync, rename, fsync of the directory);
//   <file>.log  the signed deltas applied since, appended and fsynced before they are applied.
// Boot loads the base, then replays the log (re-verifying each envelope; replays of versions
// the base already has are skipped; a torn or bad tail is cut off). Integrity of the base is a
// SHA-256 checksum (torn writes); authenticity rests on the device's file system, as it does
// for the agent's own code. See docs/decisions/0050-signed-compact-lists.md.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeEntitlementRecord, encodeRegionRecords } from '../../../core/lists/records.js';
import type { ListKind } from '../../../protos/codec.js';
import { applyRecords, ListState } from './state.js';
import { TokenTable } from './table.js';

const MAGIC = Buffer.from('OCLB');
const FORMAT = 1;

interface BaseHeader {
  format: number;
  littleEndian: boolean;
  venueId: string;
  versions: Record<ListKind, number>;
  /** Absent in files written before store generations (docs/decisions/0184). */
  generations?: Record<ListKind, string>;
  deny: { capacity: number; count: number };
  flags: { capacity: number; count: number };
  regionsBytes: number;
  entitlementsBytes: number;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class ListFiles {
  private log: FileHandle | undefined;

  constructor(readonly file: string) {}

  /**
   * The persisted state, or undefined when there is none or it is unusable (a problem is
   * returned so the caller can log it; the device then starts empty and resyncs).
   */
  loadBase(venueId: string): { state?: ListState; problem?: string } {
    if (!existsSync(this.file)) return {};
    // Read straight into the tables' arrays: no second copy of a 100 MB file in memory.
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      const hash = createHash('sha256');
      let pos = 0;
      const read = (into: Uint8Array) => {
        if (pos + into.length > size - 32) throw new Error('file is shorter than its header says');
        for (let o = 0; o < into.length; ) {
          const n = readSync(fd, into, o, into.length - o, pos + o);
          if (n === 0) throw new Error('unexpected end of file');
          o += n;
        }
        pos += into.length;
        hash.update(into);
        return into;
      };
      const pre = read(Buffer.alloc(12)) as Buffer;
      if (!pre.subarray(0, 4).equals(MAGIC)) return { problem: 'not a lists file' };
      const h = JSON.parse(
        (read(Buffer.alloc(pre.readUInt32BE(8))) as Buffer).toString('utf8'),
      ) as BaseHeader;
      if (h.format !== FORMAT || h.littleEndian !== littleEndian) return { problem: 'other format' };
      if (h.venueId !== venueId) return { problem: `lists are for venue "${h.venueId}"` };
      const table = (words: 2 | 4, t: { capacity: number; count: number }) => {
        const keys = new Uint32Array(t.capacity * words);
        read(new Uint8Array(keys.buffer));
        const vals = read(new Uint8Array(t.capacity));
        return TokenTable.fromArrays(words, keys, vals, t.count);
      };
      const state = new ListState(venueId);
      state.deny = table(4, h.deny);
      state.flags = table(2, h.flags);
      const regions = read(Buffer.alloc(h.regionsBytes));
      const ents = read(Buffer.alloc(h.entitlementsBytes));
      const digest = Buffer.alloc(32);
      readSync(fd, digest, 0, 32, pos);
      if (pos + 32 !== size || !digest.equals(hash.digest())) return { problem: 'checksum does not match' };
      applyRecords(state.content('regions'), regions, venueId);
      applyRecords(state.content('entitlements'), ents, venueId);
      Object.assign(state.versions, h.versions);
      Object.assign(state.generations, h.generations ?? {});
      return { state };
    } catch (err) {
      return { problem: (err as Error).message };
    } finally {
      closeSync(fd);
    }
  }

  /** Writes the whole state atomically and empties the log. The state must not change meanwhile. */
  async saveBase(state: ListState): Promise<void> {
    const regions = encodeRegionRecords([...state.regions].map((region) => ({ region, recognised: true })));
    const ents = Buffer.concat(
      [...state.entitlements].flatMap(([token, list]) => list.map((e) => encodeEntitlementRecord(token, e))),
    );
    const header: BaseHeader = {
      format: FORMAT,
      littleEndian,
      venueId: state.venueId,
      versions: { ...state.versions },
      generations: { ...state.generations },
      deny: { capacity: state.deny.capacity, count: state.deny.size },
      flags: { capacity: state.flags.capacity, count: state.flags.size },
      regionsBytes: regions.length,
      entitlementsBytes: ents.length,
    };
    const json = Buffer.from(JSON.stringify(header));
    const pre = Buffer.alloc(12);
    MAGIC.copy(pre);
    pre.writeUInt32BE(FORMAT, 4);
    pre.writeUInt32BE(json.length, 8);
    const parts: Uint8Array[] = [
      pre,
      json,
      bytesOf(state.deny.keys),
      state.deny.vals,
      bytesOf(state.flags.keys),
      state.flags.vals,
      regions,
      ents,
    ];
    const tmp = `${this.file}.tmp`;
    const hash = createHash('sha256');
    const fh = await open(tmp, 'w');
    try {
      for (const p of parts) {
        hash.update(p);
        await fh.write(p);
      }
      await fh.write(hash.digest());
      await fh.sync();
    } finally {
      await fh.close();
    }
    renameSync(tmp, this.file);
    fsyncDir(dirname(this.file));
    // Only now may the log go: the base holds everything it had.
    this.truncateLog();
  }

  /** The envelopes in the log, oldest first; a torn tail is cut off. */
  readLog(): Uint8Array[] {
    const file = `${this.file}.log`;
    if (!existsSync(file)) return [];
    const buf = readFileSync(file);
    const out: Uint8Array[] = [];
    let o = 0;
    while (o + 4 <= buf.length) {
      const n = buf.readUInt32BE(o);
      if (o + 4 + n > buf.length) break;
      out.push(buf.subarray(o + 4, o + 4 + n));
      o += 4 + n;
    }
    if (o !== buf.length) this.truncateLog(o);
    return out;
  }

  /**
   * Appends one verified envelope durably (fdatasync) before it is applied. Asynchronous, so
   * taps are decided while the disk syncs.
   */
  async appendLog(envelope: Uint8Array): Promise<void> {
    this.log ??= await open(`${this.file}.log`, 'a');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(envelope.length);
    await this.log.write(Buffer.concat([len, envelope]));
    await this.log.datasync();
  }

  logBytes(): number {
    const file = `${this.file}.log`;
    return existsSync(file) ? statSync(file).size : 0;
  }

  async close(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    await log?.close();
  }

  private truncateLog(at = 0): void {
    const fd = openSync(`${this.file}.log`, 'a');
    try {
      ftruncateSync(fd, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function bytesOf(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
