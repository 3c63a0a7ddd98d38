// Who may do what, as data (docs/decisions/0130-operator-auth.md). Pure: no framework, no I/O.
// Every operator route names one permission; a route without one is refused (fail closed).

export const roles = [
  'admin',
  'auditor',
  'card_service',
  'transit_operator',
  'venue_operator',
  'ecard_app',
] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'records:read',
  'stats:read',
  'live:read',
  'devices:read',
  'devices:write',
  'cards:read',
  'cards:write',
  'audit:read',
  'holder:issue',
  'tickets:issue',
  'lists:write',
] as const;
export type Permission = (typeof permissions)[number];

const grants: Record<Role, readonly Permission[]> = {
  admin: permissions,
  // Reads everything an operator or the card service can read; changes nothing.
  auditor: ['records:read', 'stats:read', 'live:read', 'devices:read', 'cards:read', 'audit:read'],
  // Acts on cards at the counter (top up, lost, found) and reads a card's own records only.
  card_service: ['cards:read', 'cards:write'],
  // A bus/metro company or a venue: its own records, figures, live taps and devices.
  transit_operator: ['records:read', 'stats:read', 'live:read', 'devices:read', 'devices:write'],
  venue_operator: [
    'records:read',
    'stats:read',
    'live:read',
    'devices:read',
    'devices:write',
    'tickets:issue',
  ],
  // The e-card app's backend: after its own real-name login it mints holder tokens and sells
  // tickets and reservations to its holders.
  ecard_app: ['holder:issue', 'tickets:issue'],
};

/** Roles bound to one operator (tenant): every read is narrowed to that operator's data. */
export const tenantRoles: ReadonlySet<Role> = new Set(['transit_operator', 'venue_operator']);

export interface Principal {
  kind: 'operator';
  username: string;
  role: Role;
  /** operatorId the account is bound to; '' = every operator (admin, auditor, card service). */
  tenant: string;
}

export function can(p: Principal, permission: Permission): boolean {
  return grants[p.role].includes(permission);
}

export type ScopeResult = { ok: true; operatorId: string | undefined } | { ok: false; reason: string };

/**
 * The operator a read is narrowed to. A tenant account asking for no operator gets its own; one
 * asking for another operator is refused (not silently narrowed: the caller asked for data it
 * may not see). An unbound account gets what it asked for (undefined = all).
 */
export function scopeOperator(p: Principal, requested: string | undefined): ScopeResult {
  if (p.tenant === '') return { ok: true, operatorId: requested };
  if (requested !== undefined && requested !== p.tenant)
    return { ok: false, reason: `account ${p.username} may only see operator ${p.tenant}` };
  return { ok: true, operatorId: p.tenant };
}

/** Writes to devices: a tenant account only registers devices of its own operator. */
export function mayWriteOperator(p: Principal, operatorId: string): boolean {
  return can(p, 'devices:write') && (p.tenant === '' || p.tenant === operatorId);
}
