// The seam for card-holder login (docs/decisions/0132): the e-card app's backend, after its own
// real-name check, asks for a holder token for the card it vouches for. The holder then calls
// /v1/holder/* with it and only ever sees that card.
import type { FastifyPluginAsync } from 'fastify';
import { signToken } from '../../auth/tokens.js';
import * as s from '../schemas.js';
import type { Services } from '../server.js';

export const HOLDER_TTL_MS = 30 * 60_000;

export const holderTokenRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: { cardNumber: string } }>(
    '/v1/holder-tokens',
    {
      config: { permission: 'holder:issue', audit: 'holder.token' },
      schema: {
        tags: ['holder'],
        summary: 'Mint a 30-minute holder token for a card (called by the e-card app backend)',
        body: {
          type: 'object',
          properties: { cardNumber: s.cardNumber },
          required: ['cardNumber'],
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: { token: { type: 'string' }, expiresAt: { type: 'integer' } },
            required: ['token', 'expiresAt'],
          },
          ...s.errors,
        },
      },
    },
    async (req, reply) => {
      const card = await services.cards.get(services.cards.tokenOf(req.body.cardNumber));
      req.auditTarget = card.token;
      const expiresAt = services.auth.now() + HOLDER_TTL_MS;
      const token = signToken(services.auth.keys.session, 'holder', { c: card.token }, expiresAt);
      return reply.status(201).send({ token, expiresAt });
    },
  );
};
