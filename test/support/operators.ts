// Operator accounts for tests that run a whole gateway: a file in the format of
// ONECARD_OPERATORS_FILE with one account per role, all with the same password.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../gateway/src/auth/passwords.js';

export const TEST_PASSWORD = 'test-password-1';

export const testAccounts = [
  { username: 'admin', role: 'admin', tenant: '' },
  { username: 'auditor', role: 'auditor', tenant: '' },
  { username: 'counter', role: 'card_service', tenant: '' },
  { username: 'ecard', role: 'ecard_app', tenant: '' },
] as const;

export interface TenantAccount {
  username: string;
  role: 'transit_operator' | 'venue_operator';
  tenant: string;
}

/** Writes the file (plus any tenant accounts given) and returns its path. */
export async function writeOperatorsFile(dir: string, tenants: TenantAccount[] = []): Promise<string> {
  const passwordHash = await hashPassword(TEST_PASSWORD);
  const file = join(dir, 'operators.json');
  writeFileSync(
    file,
    JSON.stringify({ accounts: [...testAccounts, ...tenants].map((a) => ({ ...a, passwordHash })) }, null, 2),
  );
  return file;
}

/** Logs in over HTTP and returns the Authorization header value. */
export async function bearerFor(url: string, username: string): Promise<string> {
  const r = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD, bearer: true }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return `Bearer ${((await r.json()) as { token: string }).token}`;
}

/** A holder token for the card, minted as the e-card app's backend would (docs/decisions/0132). */
export async function holderBearer(url: string, cardNumber: string): Promise<string> {
  const r = await fetch(`${url}/v1/holder-tokens`, {
    method: 'POST',
    headers: { authorization: await bearerFor(url, 'ecard'), 'content-type': 'application/json' },
    body: JSON.stringify({ cardNumber }),
  });
  if (r.status !== 201) throw new Error(`holder token for a card: ${r.status} ${await r.text()}`);
  return `Bearer ${((await r.json()) as { token: string }).token}`;
}
