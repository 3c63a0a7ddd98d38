// Where a tap may say it happened (docs/decisions/0161-tap-location-from-registration.md). A tap
// carries the device's own claim of its route, station and venue, and the fare is priced on that
// claim: a bus validator registered on route 101 that reports another route (or a route the
// tariff does not know) would ride at that route's fare, or for nothing. So the gateway holds
// every tap's location against the device's registration before pricing it. Pure: the caller
// passes the registration it already has cached (gateway/src/ingest/devices.ts).
import type { CardState } from './card.js';
import { type Effect, type EffectResult, type TapInput, tapRecordBase } from './ledger.js';

/** What the fleet API registered for a device (POST /v1/devices): the fields this check reads. */
export interface LocationRegistration {
  routeId: string;
  stationId: string;
  venueId: string;
  /**
   * More routes the device may report besides routeId: a bus validator that changes routes
   * within its operator's network. Absent or empty: the registered route only.
   */
  routes?: readonly string[];
}

/** The location fields of a tap (core/ledger.ts TapInput). The stop is not checked: see below. */
export interface ReportedLocation {
  routeId: string;
  stationId: string;
  venueId: string;
}

export type LocationVerdict = { ok: true } | { ok: false; reason: 'LOCATION_NOT_ALLOWED'; detail: string };

const allowed: LocationVerdict = { ok: true };

/** Every route the device may report: its registered route first, then its extra routes. */
export function allowedRoutes(reg: LocationRegistration): string[] {
  return [...new Set([reg.routeId, ...(reg.routes ?? [])].filter((r) => r !== ''))];
}

/**
 * Whether the device may report this location. Each field is compared on its own, so a field
 * the registration leaves empty must be empty in the tap too: a metro gate that adds a route id
 * would otherwise be priced on that route's network (the engine looks at the route first).
 * - routeId: one of allowedRoutes (or empty when the device has none);
 * - stationId, venueId: exactly the registered ones.
 * The stop is not checked: a bus reports the stop it is at, which changes along the route, and
 * the tariff does not say which stops belong to which route.
 */
export function checkLocation(reg: LocationRegistration, tap: ReportedLocation): LocationVerdict {
  return locationCheck(reg)(tap);
}

/**
 * checkLocation for many taps of one device: the allowed routes are worked out once, not per
 * tap (the ingest checks every tap of a batch against the same registration).
 */
export function locationCheck(reg: LocationRegistration): (tap: ReportedLocation) => LocationVerdict {
  const routes = allowedRoutes(reg);
  return (tap) => {
    if (tap.routeId === '' ? routes.length > 0 : !routes.includes(tap.routeId))
      return refuse('route', tap.routeId, routes);
    if (tap.stationId !== reg.stationId) return refuse('station', tap.stationId, [reg.stationId]);
    if (tap.venueId !== reg.venueId) return refuse('venue', tap.venueId, [reg.venueId]);
    return allowed;
  };
}

function refuse(field: string, got: string, want: readonly string[]): LocationVerdict {
  const shown = want.filter((w) => w !== '');
  return {
    ok: false,
    reason: 'LOCATION_NOT_ALLOWED',
    detail: `${field} "${got}" is not the device's (${shown.length > 0 ? shown.join(', ') : 'none registered'})`,
  };
}

/**
 * Plans a tap the gateway refuses before pricing (tap.refusal): recorded with the refusal as its
 * reason, as a ride or a visit like the device records it, nothing charged and nothing else
 * changed: the card's balance, fare state and entitlement uses stay as they were, because the
 * tap's own account of where it happened is what is in doubt.
 */
export function planRefusal(card: CardState, tap: TapInput, now: number): Effect {
  const base = tapRecordBase(card, tap, tap.record ?? 'ride', now);
  const result: EffectResult = {
    outcome: 'recorded',
    chargedFen: 0,
    balanceAfterFen: card.balanceFen,
    reason: tap.refusal ?? 'LOCATION_NOT_ALLOWED',
  };
  return {
    dedupeKey: base.id,
    cardToken: tap.cardToken,
    expectVersion: null,
    newBalanceFen: card.balanceFen,
    newFare: card.fare,
    record: {
      ...base,
      concession: 'none',
      baseFen: 0,
      amountFen: 0,
      lines: [],
      subsidyFen: 0,
      ...result,
      ...(tap.entitlementId ? { entitlementId: tap.entitlementId } : {}),
    },
    result,
  };
}
