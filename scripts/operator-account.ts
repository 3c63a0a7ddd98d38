// Makes one entry for the operator accounts file (ONECARD_OPERATORS_FILE):
//   node --import tsx scripts/operator-account.ts <username> <role> [tenant] < password-file
// The password is read from standard input (never from the command line, which other users of
// the machine can see); the line printed holds only its scrypt hash. Roles: see
// gateway/src/auth/policy.ts; transit_operator and venue_operator need the tenant (operatorId).
import { parseAccounts } from '../gateway/src/auth/accounts.js';
import { hashPassword } from '../gateway/src/auth/passwords.js';

const [username, role, tenant = ''] = process.argv.slice(2);
if (!username || !role) {
  console.error('usage: operator-account.ts <username> <role> [tenant] < password');
  process.exit(2);
}
let password = '';
for await (const chunk of process.stdin) password += String(chunk);
password = password.replace(/\r?\n$/, '');
if (password.length < 12) {
  console.error('the password must have at least 12 characters');
  process.exit(2);
}
const entry = { username, role, tenant, passwordHash: await hashPassword(password) };
try {
  parseAccounts({ accounts: [entry] }, 'the new account');
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
console.log(JSON.stringify(entry));
