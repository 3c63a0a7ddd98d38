// Operator accounts from a JSON file (ONECARD_OPERATORS_FILE), checked at start-up with every
// problem listed. A deployment creates entries with `node --import tsx scripts/operator-account.ts`
// (it prints a line with the scrypt hash) and ships the file like any other secret.
import { readFileSync } from 'node:fs';
import { isPasswordHash } from './passwords.js';
import { type Role, roles, tenantRoles } from './policy.js';

export interface Account {
  username: string;
  role: Role;
  /** operatorId for transit/venue operators (required there); '' otherwise, or to narrow an auditor. */
  tenant: string;
  passwordHash: string;
}

export class AccountsError extends Error {}

export function parseAccounts(json: unknown, where: string): Account[] {
  const problems: string[] = [];
  const list = (json as { accounts?: unknown })?.accounts;
  if (!Array.isArray(list)) throw new AccountsError(`${where}: expected {"accounts": [...]}`);
  const seen = new Set<string>();
  const out: Account[] = [];
  list.forEach((a: Record<string, unknown>, i) => {
    const at = `${where} accounts[${i}]`;
    const username = typeof a?.username === 'string' ? a.username : '';
    const role = a?.role as Role;
    const tenant = typeof a?.tenant === 'string' ? a.tenant : '';
    const passwordHash = typeof a?.passwordHash === 'string' ? a.passwordHash : '';
    if (!/^[A-Za-z0-9_.@-]{2,64}$/.test(username))
      problems.push(`${at}: username must be 2-64 of A-Z a-z 0-9 _ . @ -`);
    else if (seen.has(username)) problems.push(`${at}: username ${username} appears twice`);
    seen.add(username);
    if (!roles.includes(role)) problems.push(`${at}: role must be one of ${roles.join(', ')}`);
    if (tenantRoles.has(role) && !/^[A-Za-z0-9_.-]{1,64}$/.test(tenant))
      problems.push(`${at}: role ${role} needs a tenant (the operatorId it may see)`);
    if (!tenantRoles.has(role) && role !== 'auditor' && tenant !== '')
      problems.push(`${at}: role ${role} is not bound to a tenant; remove "tenant"`);
    if (!isPasswordHash(passwordHash))
      problems.push(`${at}: passwordHash must come from scripts/operator-account.ts (scrypt$...)`);
    out.push({ username, role, tenant, passwordHash });
  });
  if (problems.length > 0) throw new AccountsError(`operator accounts:\n  - ${problems.join('\n  - ')}`);
  return out;
}

/** No file configured: no operator can log in (device and holder routes still work). */
export function loadAccounts(file: string): Account[] {
  if (file === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AccountsError(`${file}: cannot read operator accounts: ${(err as Error).message}`);
  }
  return parseAccounts(json, file);
}
