// The password hashes the gateway writes are the ones Mosquitto reads (docs/decisions/0170):
// checked against the real mosquitto_passwd (its lines verify with our code) and the real
// broker (our lines let a client in: test/security/broker.int.test.ts connects every device
// with them). Also the password file built from parts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removePart, syncBroker, writePart } from '../../../gateway/src/broker/files.js';
import { hashSecret, newDeviceSecret, passwdLine, verifySecret } from '../../../gateway/src/broker/passwd.js';

describe('device secrets and their Mosquitto hashes', () => {
  it('are 32 random bytes, base64url', () => {
    const a = newDeviceSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(newDeviceSecret()).not.toBe(a);
  });

  it('verify a line mosquitto_passwd wrote, and refuse another password', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'onecard-passwd-')), 'passwd');
    writeFileSync(file, '');
    execFileSync('mosquitto_passwd', ['-b', file, 'dev-1', 'the secret']);
    const [user, hash] = readFileSync(file, 'utf8').trim().split(/:(.*)/s) as [string, string];
    expect(user).toBe('dev-1');
    expect(hash).toMatch(/^\$7\$101\$/);
    expect(verifySecret('the secret', hash)).toBe(true);
    expect(verifySecret('the secreT', hash)).toBe(false);
  });

  it('are written in the same form: $7$, 101 rounds, 12-byte salt, 64-byte PBKDF2-SHA512', () => {
    const hash = hashSecret('s3cret');
    const [, seven, rounds, salt, digest] = hash.split('$');
    expect([seven, rounds]).toEqual(['7', '101']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(12);
    expect(Buffer.from(digest!, 'base64')).toHaveLength(64);
    expect(verifySecret('s3cret', hash)).toBe(true);
    expect(hashSecret('s3cret')).not.toBe(hash); // a fresh salt each time
    for (const bad of ['', '$6$x$y', '$7$101$salt', `${hash}x`])
      expect(verifySecret('s3cret', bad)).toBe(false);
  });

  it('go into a password file line only for ids that cannot break the file', () => {
    expect(passwdLine('bus-1.a', hashSecret('x'))).toMatch(/^bus-1\.a:\$7\$/);
    for (const id of ['a:b', 'a\nb', '', 'x'.repeat(65)])
      expect(() => passwdLine(id, hashSecret('x'))).toThrow(/not a password file entry/);
  });
});

describe('the password file built from parts', () => {
  it('joins the parts in name order, rewrites only on a change, and drops a removed part', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onecard-parts-'));
    const files = { passwordFile: join(dir, 'passwd'), aclFile: '', pidFile: join(dir, 'no-pid') };
    writePart(files.passwordFile, 'b-devices', '.passwd', 'dev:$7$1$a$b\n');
    writePart(files.passwordFile, 'a-services', '.passwd', 'gw:$7$1$c$d'); // no final newline
    expect(syncBroker(files)).toBe(true);
    expect(readFileSync(files.passwordFile, 'utf8')).toBe('gw:$7$1$c$d\ndev:$7$1$a$b\n');
    expect(syncBroker(files)).toBe(false);
    removePart(files.passwordFile, 'b-devices', '.passwd');
    expect(syncBroker(files)).toBe(true);
    expect(readFileSync(files.passwordFile, 'utf8')).toBe('gw:$7$1$c$d\n');
  });
});
