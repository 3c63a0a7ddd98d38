// The Fastify side of the tenancy rules (auth/policy.ts, docs/decisions/0154-tenancy.md): a
// refused verdict becomes 403 FORBIDDEN_TENANT (problem+json through the one error handler;
// writes are audited by the scope's audit hook) and is counted per route.
import type { FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import type { Device } from '../store/port.js';
import { AuthError } from './guard.js';
import type { DevicePrincipal, Principal, ScopeResult, Verdict } from './policy.js';

export const FORBIDDEN_TENANT = 'FORBIDDEN_TENANT';

/** Throws the refusal of a tenancy verdict; the handler has changed nothing yet. */
export function enforce<V extends Verdict | ScopeResult>(
  req: FastifyRequest,
  refusals: Counter<'route'>,
  verdict: V,
): asserts verdict is Extract<V, { ok: true }> {
  if (verdict.ok) return;
  refusals.inc({ route: `${req.method} ${req.routeOptions.url ?? ''}` });
  throw new AuthError(403, FORBIDDEN_TENANT, verdict.reason);
}

/**
 * Who fetches a list (guardDevices let in a registered device or an operator with devices:read):
 * the device as registered, so its venue comes from the registry and not from the request.
 */
export async function listReader(
  req: FastifyRequest,
  devices: { get(deviceId: string): Promise<Device | undefined> },
): Promise<Principal | DevicePrincipal> {
  if (req.principal) return req.principal;
  const d = req.deviceId ? await devices.get(req.deviceId) : undefined;
  // guardDevices refused a request with neither; a device removed since is nobody's.
  if (!d) throw new AuthError(401, 'UNAUTHENTICATED', 'unknown device or wrong device credential');
  return { kind: 'device', deviceId: d.deviceId, operatorId: d.operatorId, venueId: d.venueId };
}
