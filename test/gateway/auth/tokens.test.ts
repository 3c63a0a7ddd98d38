import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../gateway/src/auth/accounts.js';
import { hashPassword, verifyPassword } from '../../../gateway/src/auth/passwords.js';
import { deriveKeys, MAX_TOKEN_LENGTH, signToken, verifyToken } from '../../../gateway/src/auth/tokens.js';

const keys = deriveKeys(Buffer.alloc(32, 7));
const NOW = 1_750_000_000_000;

describe('signed tokens', () => {
  it('carry their claims until they expire', () => {
    const t = signToken(keys.session, 'op', { u: 'root' }, NOW + 1000);
    expect(verifyToken(keys.session, 'op', t, NOW)).toMatchObject({ u: 'root' });
    expect(verifyToken(keys.session, 'op', t, NOW + 1000)).toBeUndefined();
  });

  it('are refused as another kind, under another key, or altered', () => {
    const t = signToken(keys.session, 'holder', { c: 'ab' }, NOW + 1000);
    expect(verifyToken(keys.session, 'op', t, NOW)).toBeUndefined();
    expect(verifyToken(keys.subjects, 'holder', t, NOW)).toBeUndefined();
    expect(verifyToken(keys.session, 'holder', `${t}x`, NOW)).toBeUndefined();
    expect(verifyToken(keys.session, 'holder', 'holder.e30.AAAA', NOW)).toBeUndefined();
    expect(verifyToken(keys.session, 'holder', 'garbage', NOW)).toBeUndefined();
  });

  it('are refused when the signed body is not an object with a finite numeric exp, or too long', () => {
    const sign = (body: string) => {
      const b = `op.${Buffer.from(body).toString('base64url')}`;
      return `${b}.${createHmac('sha256', keys.session).update(b).digest('base64url')}`;
    };
    expect(verifyToken(keys.session, 'op', sign(`{"exp":${NOW + 1}}`), NOW)).toEqual({ exp: NOW + 1 });
    for (const body of ['5', 'null', '[1]', '"x"', 'not json', `{"exp":"${NOW + 1}"}`, '{"exp":1e400}', '{}'])
      expect(verifyToken(keys.session, 'op', sign(body), NOW)).toBeUndefined();
    const long = signToken(keys.session, 'op', { pad: 'x'.repeat(MAX_TOKEN_LENGTH) }, NOW + 1000);
    expect(verifyToken(keys.session, 'op', long, NOW)).toBeUndefined();
  });

  it('derive a different key per use', () => {
    expect(keys.subjects.equals(keys.session)).toBe(false);
  });
});

describe('passwords', () => {
  it('verify against their scrypt hash only', async () => {
    const h = await hashPassword('s3cret');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('s3cret', h)).toBe(true);
    expect(await verifyPassword('s3cret ', h)).toBe(false);
    expect(await verifyPassword('s3cret', 'plain-text')).toBe(false);
  });
});

describe('the accounts file', () => {
  it('lists every problem at once', async () => {
    const good = await hashPassword('x');
    expect(() =>
      parseAccounts(
        {
          accounts: [
            { username: 'ops', role: 'transit_operator', passwordHash: good },
            { username: 'ops', role: 'admin', passwordHash: good },
            { username: 'x y', role: 'king', passwordHash: 'pw' },
            { username: 'cs', role: 'card_service', tenant: 'busco', passwordHash: good },
          ],
        },
        'ops.json',
      ),
    ).toThrow(
      /needs a tenant[\s\S]*appears twice[\s\S]*username must be[\s\S]*role must be one of[\s\S]*passwordHash must come[\s\S]*not bound to a tenant/,
    );
  });

  it('accepts a good file', async () => {
    const accounts = parseAccounts(
      {
        accounts: [
          {
            username: 'bus',
            role: 'transit_operator',
            tenant: 'busco',
            passwordHash: await hashPassword('x'),
          },
        ],
      },
      'ops.json',
    );
    expect(accounts[0]).toMatchObject({ username: 'bus', tenant: 'busco' });
  });
});
