// The seam for card-holder login (docs/decisions/0132): the e-card app's backend, after its own
// real-name check, asks for a holder token for the card it vouches for. The holder then calls
// /v1/holder/* with it and only ever sees that card.
import { mintHolderToken } from '../../auth/sessions.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

export const holderTokenRoutes: RoutePlugin = async (app, { services }) => {
  app.post(
    '/v1/holder-tokens',
    {
      config: { permission: 'holder:issue', audit: 'holder.token' },
      schema: {
        tags: ['holder'],
        summary:
          'Mint a holder token for a card (called by the e-card app backend); it lives ONECARD_HOLDER_TOKEN_TTL_SEC (30 minutes by default) and ends when the card is reported lost',
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
      return reply.status(201).send(await mintHolderToken(services.auth, card.token));
    },
  );
};
