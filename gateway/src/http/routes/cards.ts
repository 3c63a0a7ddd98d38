// Card service staff: issue, look up, top up, report lost / found (cards:read / cards:write).
// Cards are addressed by token here; the holder routes take the card number in the body.
import { cardScope } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import { toCardJson } from '../card-json.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';
import { paymentErrors } from './payments.js';

/** Closed list: free text could carry a card or ID number into the audit log. */
export const counterTopUpReasons = ['cash', 'bank_card', 'correction', 'compensation', 'migration'] as const;

const topUpBody = {
  type: 'object',
  properties: {
    amountFen: {
      type: 'integer',
      minimum: 1,
      maximum: 100_000_00,
      description: 'Amount, fen; at most 100,000 CNY',
    },
    requestId: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.:-]{8,64}$',
      description: 'Idempotency key: a retry with the same id tops up once',
    },
    channel: {
      type: 'string',
      pattern: '^[A-Za-z0-9_.-]{1,64}$',
      default: 'counter',
      description: 'Outlet or app that took the money',
    },
    reason: {
      type: 'string',
      enum: [...counterTopUpReasons],
      description:
        'Why staff top up at the counter (kept in the audit log; no free text, docs/decisions/0151)',
    },
  },
  required: ['amountFen', 'requestId', 'reason'],
  additionalProperties: false,
} as const;

export const cardRoutes: RoutePlugin = async (app, { services }) => {
  const { cards } = services;
  const refusals = services.metrics.tenantRefusals;
  // A card's balance, status and concessions are the card service's (0154): not for a tenant.
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.url !== '/v1/cards/:token/records')
      enforce(req, refusals, cardScope(req.principal!, 'card'));
  });
  app.post(
    '/v1/cards',
    {
      config: { permission: 'cards:write', audit: 'card.issue' },
      schema: {
        tags: ['cards'],
        summary:
          'Issue (register) a card: only its token, masked number, region and concession flags are kept',
        body: {
          type: 'object',
          properties: {
            cardNumber: s.cardNumber,
            region: { type: 'string', pattern: '^[0-9]{6}$' },
            concessions: {
              type: 'array',
              // The built-in concessions and those the tariff defines.
              items: { type: 'string', enum: [...cards.concessions.names] },
              uniqueItems: true,
            },
            balanceFen: { type: 'integer', minimum: 0, maximum: 100_000_00 },
          },
          required: ['cardNumber', 'region'],
          additionalProperties: false,
        },
        response: { 201: { $ref: 'Card#' }, ...s.errors },
      },
    },
    async (req, reply) => {
      const card = await cards.issue({
        ...req.body,
        concessions: req.body.concessions ?? [],
        balanceFen: req.body.balanceFen ?? 0,
      });
      req.auditTarget = card.token;
      return reply.status(201).send(toCardJson(card, cards.concessions));
    },
  );
  app.post(
    '/v1/cards/lookup',
    {
      config: { permission: 'cards:read' },
      schema: {
        tags: ['cards'],
        summary: 'Find a card by its number (at the counter; the number goes in the body, never a URL)',
        body: {
          type: 'object',
          properties: { cardNumber: s.cardNumber },
          required: ['cardNumber'],
          additionalProperties: false,
        },
        response: { 200: { $ref: 'Card#' }, ...s.errors },
      },
    },
    async (req) => toCardJson(await cards.get(cards.tokenOf(req.body.cardNumber)), cards.concessions),
  );
  app.get(
    '/v1/cards/:token',
    {
      config: { permission: 'cards:read' },
      schema: {
        tags: ['cards'],
        summary: 'Card balance and status',
        params: s.tokenParam,
        response: { 200: { $ref: 'Card#' }, ...s.errors },
      },
    },
    async (req) => toCardJson(await cards.get(req.params.token), cards.concessions),
  );
  app.post(
    '/v1/cards/:token/topups',
    {
      config: { permission: 'cards:write', audit: 'card.topup' },
      schema: {
        tags: ['cards'],
        summary:
          "Top up the transit account at the counter (社保卡充值), idempotent by requestId, within the account's daily sum",
        params: s.tokenParam,
        body: topUpBody,
        response: { 200: { $ref: 'MoneyResult#' }, ...paymentErrors },
      },
    },
    async (req) => {
      req.auditReason = req.body.reason;
      return services.payments.counterTopUp({
        account: req.principal?.username ?? '',
        cardToken: req.params.token,
        amountFen: req.body.amountFen,
        requestId: req.body.requestId,
        channel: req.body.channel,
      });
    },
  );
  const denyAnswer = { type: 'object', properties: { denyListVersion: { type: 'integer' } } } as const;
  app.post(
    '/v1/cards/:token/lost',
    {
      config: { permission: 'cards:write', audit: 'card.lost' },
      schema: {
        tags: ['cards'],
        summary: 'Report the card lost (挂失): it goes on every device’s deny list within seconds',
        params: s.tokenParam,
        response: { 200: denyAnswer, ...s.errors },
      },
    },
    async (req) => cards.reportLost(req.params.token),
  );
  app.post(
    '/v1/cards/:token/found',
    {
      config: { permission: 'cards:write', audit: 'card.found' },
      schema: {
        tags: ['cards'],
        summary: 'Withdraw a lost report: the card works again',
        params: s.tokenParam,
        response: { 200: denyAnswer, ...s.errors },
      },
    },
    async (req) => cards.reportFound(req.params.token),
  );
  app.get(
    '/v1/cards/:token/records',
    {
      config: { permission: 'cards:read' },
      schema: {
        tags: ['cards'],
        summary: 'A card’s rides and top-ups, newest first',
        params: s.tokenParam,
        querystring: s.pageQuery,
        response: { 200: { $ref: 'RecordPage#' }, ...s.errors },
      },
    },
    async (req) => {
      // A tenant-bound account sees the card's records at its own operator only.
      const scope = cardScope(req.principal!, 'records');
      enforce(req, refusals, scope);
      return services.history.queryRecords({
        cardToken: req.params.token,
        operatorId: scope.operatorId,
        limit: req.query.limit,
        cursor: req.query.cursor,
      });
    },
  );
};
