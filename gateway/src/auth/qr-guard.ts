// Who may call the QR routes (gateway/src/http/routes/qr.ts), one audience per route, in one
// hook for that folder (docs/decisions/0130, 0132): the holder's app gets a credential only for
// the card its holder token names; tickets are issued by operators allowed to; the online check
// is for registered devices; the issuer keys are public (devices and apps verify with them).
// A QR route missing from the table is refused (fail closed).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { type AuthContext, AuthError, auditWrites, deviceOf, holderOf, operatorOf } from './guard.js';
import { can, mayDeviceActAt, mayIssueTickets, type Owners } from './policy.js';
import { enforce } from './tenancy.js';

type Audience = 'holder' | 'operator' | 'device' | 'public';

const audiences: Record<string, Audience> = {
  '/v1/holder/qr-credential': 'holder',
  '/v1/tickets': 'operator',
  '/v1/qr/online-check': 'device',
  '/v1/qr/keys': 'public',
};

export function guardQr(
  app: FastifyInstance,
  services: { auth: AuthContext; owners: Owners; metrics: { tenantRefusals: Counter<'route'> } },
  tokenOf: (cardNumber: string) => string,
): void {
  const ctx = services.auth;
  const refusals = services.metrics.tenantRefusals;
  app.addHook('onRequest', async (req) => {
    const audience = audiences[req.routeOptions.url ?? ''];
    if (audience === 'public') return;
    if (audience === 'holder') {
      req.holderCard = await holderOf(ctx, req);
      if (!req.holderCard) throw new AuthError(401, 'UNAUTHENTICATED', 'a holder token is required');
      return;
    }
    if (audience === 'device') {
      req.deviceId = await deviceOf(ctx, req);
      if (!req.deviceId) throw new AuthError(401, 'UNAUTHENTICATED', 'a device credential is required');
      return;
    }
    const p = audience === 'operator' ? await operatorOf(ctx, req) : undefined;
    if (!p) throw new AuthError(401, 'UNAUTHENTICATED', 'log in first (session cookie or Bearer token)');
    req.principal = p;
    if (!can(p, 'tickets:issue'))
      throw new AuthError(403, 'FORBIDDEN', `role ${p.role} may not issue tickets`);
  });
  // Body checks, once the body is parsed and validated.
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const body = req.body as { cardNumber?: string; deviceId?: string; venueId?: string } | undefined;
    const audience = audiences[req.routeOptions.url ?? ''];
    if (
      audience === 'holder' &&
      body?.cardNumber !== undefined &&
      tokenOf(body.cardNumber) !== req.holderCard
    )
      throw new AuthError(403, 'FORBIDDEN', 'the holder token is for another card');
    if (audience === 'device' && body?.deviceId !== req.deviceId)
      throw new AuthError(403, 'FORBIDDEN', 'a device checks codes in its own name only');
    if (audience === 'device' && body?.venueId !== undefined) {
      // The outside issuer is told the venue: a device asks only for the venue it stands at.
      const device = await ctx.store.getDevice(req.deviceId ?? '');
      enforce(req, refusals, mayDeviceActAt(device?.venueId ?? '', body.venueId));
    }
    if (audience === 'operator') req.auditTarget = body?.venueId;
    // A venue operator sells for the venues its venue files give it (not for the venues its
    // devices claim: registering a device never makes a venue one's own).
    if (audience === 'operator' && body?.venueId !== undefined)
      enforce(req, refusals, mayIssueTickets(req.principal!, body.venueId, services.owners));
  });
  auditWrites(app, ctx);
}
