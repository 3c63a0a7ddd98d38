import { describe, expect, it } from 'vitest';
import {
  can,
  cardScope,
  type DevicePrincipal,
  mayActOnVenue,
  mayDeviceActAt,
  mayFetchList,
  mayIssueTickets,
  mayReadAudit,
  mayRegisterDevice,
  type Owners,
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
});

// Who owns what, as the venue files and the tariff would say (auth/owners.ts builds the real one).
const owners: Owners = {
  venue: (id) => ({ 'museum-a': 'culture-a', 'museum-b': 'culture-b' })[id],
  place: (routeId, stationId) => (routeId === 'm1' || stationId === 'xidan' ? ['metroco'] : undefined),
};
const gate = { operatorId: 'culture-a', venueId: 'museum-a', routeId: '', stationId: '' };

describe('registering a device (0154)', () => {
  it.each([
    ['a tenant, its own gate at its own venue', p('venue_operator', 'culture-a'), gate, undefined, true],
    [
      'a tenant, in its own name at another venue',
      p('venue_operator', 'culture-a'),
      { ...gate, venueId: 'museum-b' },
      undefined,
      false,
    ],
    [
      'a tenant, at a venue no file names',
      p('venue_operator', 'culture-a'),
      { ...gate, venueId: 'zoo' },
      undefined,
      false,
    ],
    [
      "a tenant, in another's name",
      p('venue_operator', 'culture-a'),
      { ...gate, operatorId: 'culture-b' },
      undefined,
      false,
    ],
    ["a tenant, taking over another's device", p('venue_operator', 'culture-a'), gate, 'culture-b', false],
    ['a tenant, re-registering its own device', p('venue_operator', 'culture-a'), gate, 'culture-a', true],
    [
      "a bus company on a metro company's line",
      p('transit_operator', 'busco'),
      { operatorId: 'busco', routeId: 'm1' },
      undefined,
      false,
    ],
    [
      "a bus company at a metro company's station",
      p('transit_operator', 'busco'),
      { operatorId: 'busco', stationId: 'xidan' },
      undefined,
      false,
    ],
    [
      'a bus company on a route the tariff gives nobody',
      p('transit_operator', 'busco'),
      { operatorId: 'busco', routeId: 'r12' },
      undefined,
      true,
    ],
    [
      'the metro company on its line',
      p('transit_operator', 'metroco'),
      { operatorId: 'metroco', routeId: 'm1' },
      undefined,
      true,
    ],
    ['an admin, anywhere', p('admin'), { ...gate, venueId: 'museum-b' }, 'culture-b', true],
  ] as const)('%s: %s', (_name, who, device, existing, ok) => {
    expect(mayRegisterDevice(who, device, existing, owners).ok).toBe(ok);
  });
});

describe('venues, tickets, cards and the audit log (0154)', () => {
  const a = p('venue_operator', 'culture-a');
  it('a tenant acts on and sells for its own venues; unbound accounts for any', () => {
    expect(mayActOnVenue(a, 'museum-a', owners).ok).toBe(true);
    expect(mayActOnVenue(a, 'museum-b', owners).ok).toBe(false);
    expect(mayActOnVenue(p('auditor', 'culture-a'), 'museum-b', owners).ok).toBe(false);
    expect(mayIssueTickets(a, 'museum-a', owners).ok).toBe(true);
    expect(mayIssueTickets(a, 'museum-b', owners).ok).toBe(false);
    expect(mayIssueTickets(a, 'zoo', owners).ok).toBe(false);
    expect(mayIssueTickets(p('ecard_app'), 'museum-b', owners).ok).toBe(true);
  });

  it("a tenant gets a card's records at its operator, never the card itself", () => {
    expect(cardScope(p('auditor', 'culture-a'), 'records')).toEqual({ ok: true, operatorId: 'culture-a' });
    expect(cardScope(p('auditor', 'culture-a'), 'card').ok).toBe(false);
    expect(cardScope(p('auditor'), 'records')).toEqual({ ok: true, operatorId: undefined });
    expect(cardScope(p('card_service'), 'card').ok).toBe(true);
  });

  it('the audit log is for unbound accounts', () => {
    expect(mayReadAudit(p('auditor')).ok).toBe(true);
    expect(mayReadAudit(p('auditor', 'culture-a')).ok).toBe(false);
  });

  it('a device asks online checks for its own venue only', () => {
    expect(mayDeviceActAt('museum-a', 'museum-a').ok).toBe(true);
    expect(mayDeviceActAt('museum-a', 'museum-b').ok).toBe(false);
  });
});

describe('fetching a list (0154)', () => {
  const device: DevicePrincipal = {
    kind: 'device',
    deviceId: 'g',
    operatorId: 'culture-a',
    venueId: 'museum-a',
  };
  it.each([
    ['a device, its venue', device, 'entitlements', 'museum-a', true],
    ['a device, another venue', device, 'entitlements', 'museum-b', false],
    ['a device, the concession flags', device, 'flags', 'all', true],
    ['a device, the deny list', device, 'deny', 'all', true],
    ['a tenant, its venue', p('venue_operator', 'culture-a'), 'entitlements', 'museum-a', true],
    ['a tenant, another venue', p('venue_operator', 'culture-a'), 'entitlements', 'museum-b', false],
    ['a tenant, the concession flags', p('venue_operator', 'culture-a'), 'flags', 'all', false],
    ['a tenant, the regions', p('transit_operator', 'busco'), 'regions', 'all', false],
    ['an unbound auditor, the concession flags', p('auditor'), 'flags', 'all', true],
    ['an admin, any venue', p('admin'), 'entitlements', 'museum-b', true],
  ] as const)('%s', (_name, who, kind, scope, ok) => {
    expect(mayFetchList(who, kind, scope, owners).ok).toBe(ok);
  });
});
