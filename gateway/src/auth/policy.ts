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

// Tenancy (docs/decisions/0154-tenancy.md): who owns what, and what a tenant-bound account or a
// device may reach. The route handlers call these; the owners come from the venue files and
// the tariff (auth/owners.ts), never from what a tenant registered itself.

/** Who owns what. Pure lookups over data read at start-up. */
export interface Owners {
  /** The operator a venue belongs to (its venue file); undefined: no such venue. */
  venue(venueId: string): string | undefined;
  /**
   * The operators of the network a route or station belongs to (the tariff's
   * networks[].operatorIds); undefined: the tariff names none, so the place is nobody's.
   */
  place(routeId: string, stationId: string): readonly string[] | undefined;
}

export type Verdict = { ok: true } | { ok: false; reason: string };
const yes: Verdict = { ok: true };
const no = (reason: string): Verdict => ({ ok: false, reason });

/** The device a request speaks for, as the registry holds it. */
export interface DevicePrincipal {
  kind: 'device';
  deviceId: string;
  operatorId: string;
  venueId: string;
}

/** A venue route (bookings, walk-ins, occupancy, gate config): a tenant acts on its own venues. */
export function mayActOnVenue(p: Principal, venueId: string, owners: Owners): Verdict {
  if (p.tenant === '' || owners.venue(venueId) === p.tenant) return yes;
  return no(`account ${p.username} may only act on the venues of ${p.tenant}`);
}

/**
 * Registering a device: a tenant registers devices of its own operator, at its own venues and
 * on networks the tariff gives it (or gives nobody), and never takes over another's device.
 */
export function mayRegisterDevice(
  p: Principal,
  device: { operatorId: string; venueId?: string; routeId?: string; stationId?: string },
  existingOperatorId: string | undefined,
  owners: Owners,
): Verdict {
  if (p.tenant === '') return yes;
  if (device.operatorId !== p.tenant)
    return no(`account ${p.username} may only register devices of ${p.tenant}`);
  if (existingOperatorId !== undefined && existingOperatorId !== p.tenant)
    return no('the device belongs to another operator');
  if (device.venueId && owners.venue(device.venueId) !== p.tenant)
    return no(`venue ${device.venueId} is not one of ${p.tenant}'s`);
  const network = owners.place(device.routeId ?? '', device.stationId ?? '');
  if (network !== undefined && !network.includes(p.tenant))
    return no(`the route or station is on a network of ${network.join(', ')}`);
  return yes;
}

/**
 * Rotating a device's secret or retiring it: a tenant acts on its own operator's devices only.
 * An unknown device is answered 404 before this is asked.
 */
export function mayManageDevice(p: Principal, deviceOperatorId: string): Verdict {
  if (p.tenant === '' || deviceOperatorId === p.tenant) return yes;
  return no(`account ${p.username} may only manage devices of ${p.tenant}`);
}

/** A device asks about (online checks) the venue it is registered at only. */
export function mayDeviceActAt(deviceVenueId: string, venueId: string): Verdict {
  return venueId === deviceVenueId ? yes : no(`the device stands at venue "${deviceVenueId}"`);
}

/** Tickets and reservations: a tenant issues them for its own venues only (by the venue file). */
export function mayIssueTickets(p: Principal, venueId: string, owners: Owners): Verdict {
  if (p.tenant === '' || owners.venue(venueId) === p.tenant) return yes;
  return no(`venue ${venueId} is not one of ${p.tenant}'s`);
}

/**
 * Card-wide data (balance, status, concessions) is the card service's, not an operator's: a
 * tenant-bound account is refused it. A card's records are narrowed to the tenant's operator.
 */
export function cardScope(p: Principal, part: 'card' | 'records'): ScopeResult {
  if (p.tenant === '') return { ok: true, operatorId: undefined };
  if (part === 'card') return { ok: false, reason: `a card's own data is not for account ${p.username}` };
  return { ok: true, operatorId: p.tenant };
}

/** The audit log spans every operator: unbound accounts only. */
export function mayReadAudit(p: Principal): Verdict {
  return p.tenant === '' ? yes : no('the audit log is for unbound accounts');
}

/**
 * A signed or deny list. A device gets the entitlements of its own venue and the device-wide
 * lists (deny, flags, regions). An operator gets the entitlements of the venues it owns; the
 * device-wide lists name every lost or concession card, so they are for unbound accounts only.
 * scope: 'all', or the venue of an entitlement list.
 */
export function mayFetchList(
  who: Principal | DevicePrincipal,
  kind: string,
  scope: string,
  owners: Owners,
): Verdict {
  const perVenue = kind === 'entitlements';
  if (who.kind === 'device') {
    if (!perVenue || scope === who.venueId) return yes;
    return no(`device ${who.deviceId} gets the entitlements of its own venue only`);
  }
  if (who.tenant === '') return yes;
  if (perVenue && owners.venue(scope) === who.tenant) return yes;
  return no(
    perVenue
      ? `venue ${scope} is not one of ${who.tenant}'s`
      : `the ${kind} list is for devices and unbound accounts`,
  );
}
