// Who owns what, for the tenancy rules in auth/policy.ts (docs/decisions/0154-tenancy.md): a
// venue belongs to the operator its venue file names; a route or station belongs to the
// operators of its network in the tariff (networks[].operatorIds). Read at start-up from the
// same files the gateway runs on; nothing a tenant registers can make a place its own.
import type { CompiledTariff } from '../../../core/tariff/compile.js';
import type { Owners } from './policy.js';

export function ownersFrom(src: {
  venues?: { find(venueId: string): { operatorId: string } | undefined };
  tariff?: CompiledTariff;
}): Owners {
  const operatorsOf = new Map<string, readonly string[]>();
  for (const n of src.tariff?.doc.networks ?? [])
    if (n.operatorIds && n.operatorIds.length > 0) operatorsOf.set(n.id, n.operatorIds);
  return {
    venue: (venueId) => src.venues?.find(venueId)?.operatorId,
    // The network as the fare engine finds it (core/tariff/engine.ts): by route, then station.
    place(routeId, stationId) {
      const t = src.tariff;
      const network =
        (routeId ? t?.networkOfRoute.get(routeId) : undefined) ??
        (stationId ? t?.networkOfStation.get(stationId) : undefined);
      return network === undefined ? undefined : operatorsOf.get(network);
    },
  };
}
