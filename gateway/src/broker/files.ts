// The broker's password and ACL files, built from parts (docs/decisions/0170). Mosquitto reads
// one password_file and one acl_file; several writers own parts of them: scripts/services.sh
// (gateway and admin users, the device ACL patterns), the gateway's registry sync (one part
// per device registry) and, in tests, each suite's own gateway user. Each writer replaces its
// own part in `<file>.d/<part><ext>`, then the file is rebuilt as the parts in name order.
//
// Rebuilding is idempotent and writes only when the content differs, and every gateway
// re-checks each second: two writers racing (each rebuilding from what it read) converge on
// the next check, never on a half-written file (temp file + rename), and the broker is only
// signalled when something changed.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BrokerFiles {
  /** The password_file Mosquitto reads (its parts in `<passwordFile>.d/*.passwd`). */
  passwordFile: string;
  /** The acl_file Mosquitto reads (its parts in `<aclFile>.d/*.acl`); empty: none managed here. */
  aclFile: string;
  /**
   * Mosquitto's pid file: SIGHUP makes it reload both files. Empty: whoever supervises the
   * broker builds the files from their parts and reloads it (scripts/mosquitto-supervise.sh
   * for the tests and the bench); writers then only write their parts.
   */
  pidFile: string;
}

/** Atomically replaces a file (temp file in the same folder, then rename). */
function replaceFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function partPath(file: string, part: string, ext: '.passwd' | '.acl'): string {
  if (!/^[A-Za-z0-9_.-]{1,80}$/.test(part)) throw new Error(`bad part name ${part}`);
  return join(`${file}.d`, `${part}${ext}`);
}

/** Replaces one part of a file (no rebuild); an empty registry has an empty part. */
export function writePart(file: string, part: string, ext: '.passwd' | '.acl', content: string): void {
  const path = partPath(file, part, ext);
  mkdirSync(`${file}.d`, { recursive: true });
  if (readOr(path, '\u0000') !== content) replaceFile(path, content);
}

/** Removes one part of a file (no rebuild). */
export function removePart(file: string, part: string, ext: '.passwd' | '.acl'): void {
  rmSync(partPath(file, part, ext), { force: true });
}

/** Whether a part of the password file exists (an empty registry writes an empty part). */
export function partExists(file: string, part: string): boolean {
  return existsSync(partPath(file, part, '.passwd'));
}

/** Rebuilds a file from its parts; true when its content changed. */
function rebuild(file: string, ext: string): boolean {
  const dir = `${file}.d`;
  if (!existsSync(dir)) return false;
  const parts = readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();
  const content = parts
    .map((f) => readOr(join(dir, f), ''))
    .map((c) => (c === '' || c.endsWith('\n') ? c : `${c}\n`))
    .join('');
  if (readOr(file, '\u0000') === content) return false;
  replaceFile(file, content);
  return true;
}

/**
 * Rebuilds both files and, when either changed, asks Mosquitto to reload them (SIGHUP).
 * Mosquitto 2.0.11 then disconnects every client whose username is gone or whose password no
 * longer matches (checked on the real broker: test/security/broker.int.test.ts).
 */
export function syncBroker(files: BrokerFiles): boolean {
  // Without a pid file the broker's supervisor builds both files from the parts and reloads
  // it (scripts/mosquitto-supervise.sh): writing our part was all there was to do.
  if (files.pidFile === '') return false;
  const changed = rebuild(files.passwordFile, '.passwd');
  const aclChanged = files.aclFile !== '' && rebuild(files.aclFile, '.acl');
  if (!changed && !aclChanged) return false;
  const pid = Number(readOr(files.pidFile, '').trim());
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGHUP');
    } catch {
      // The broker is not running (restarting): it reads the new files when it starts.
    }
  }
  return true;
}
