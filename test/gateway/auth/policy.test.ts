import { describe, expect, it } from 'vitest';
import {
  can,
  mayWriteOperator,
  type Permission,
  type Principal,
  type Role,
  scopeOperator,
} from '../../../gateway/src/auth/policy.js';

const p = (role: Role, tenant = ''): Principal => ({ kind: 'operator', username: 'u', role, tenant });

describe('what each role may do', () => {
  const table: Array<[Role, Permission, boolean]> = [
    ['admin', 'cards:write', true],
    ['admin', 'audit:read', true],
    ['auditor', 'records:read', true],
    ['auditor', 'audit:read', true],
    ['auditor', 'cards:write', false],
    ['auditor', 'devices:write', false],
    ['card_service', 'cards:write', true],
    ['card_service', 'records:read', false],
    ['card_service', 'audit:read', false],
    ['transit_operator', 'records:read', true],
    ['transit_operator', 'devices:write', true],
    ['transit_operator', 'cards:read', false],
    ['venue_operator', 'stats:read', true],
    ['venue_operator', 'cards:write', false],
    ['ecard_app', 'holder:issue', true],
    ['ecard_app', 'tickets:issue', true],
    ['venue_operator', 'tickets:issue', true],
    ['transit_operator', 'tickets:issue', false],
    ['ecard_app', 'records:read', false],
  ];
  it.each(table)('%s → %s: %s', (role, permission, allowed) => {
    expect(can(p(role), permission)).toBe(allowed);
  });
});

describe('the operator a read is narrowed to', () => {
  it.each([
    ['unbound, asks for none', p('admin'), undefined, { ok: true, operatorId: undefined }],
    ['unbound, asks for one', p('auditor'), 'busco', { ok: true, operatorId: 'busco' }],
    ['tenant, asks for none', p('transit_operator', 'busco'), undefined, { ok: true, operatorId: 'busco' }],
    ['tenant, asks for its own', p('transit_operator', 'busco'), 'busco', { ok: true, operatorId: 'busco' }],
    ['tenant, asks for another', p('transit_operator', 'busco'), 'metroco', { ok: false }],
  ] as const)('%s', (_name, principal, requested, expected) => {
    expect(scopeOperator(principal, requested)).toMatchObject(expected);
  });

  it('a tenant registers devices of its own operator only', () => {
    expect(mayWriteOperator(p('transit_operator', 'busco'), 'busco')).toBe(true);
    expect(mayWriteOperator(p('transit_operator', 'busco'), 'metroco')).toBe(false);
    expect(mayWriteOperator(p('admin'), 'metroco')).toBe(true);
    expect(mayWriteOperator(p('auditor'), 'metroco')).toBe(false);
  });
});
