// Paid top-ups (docs/decisions/0150): the holder's app makes an order and pays it with the
// provider; the provider's signed notification, and nothing else, credits the card. Card
// service staff may refund a credited order.
import { ORDER_ID_PATTERN, statusAt, type TopUpOrder } from '../../payments/order.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

export const paymentErrors = {
  ...s.errors,
  410: { $ref: 'Problem#' },
  422: { $ref: 'Problem#' },
  502: { $ref: 'Problem#' },
  503: { $ref: 'Problem#' },
} as const;

const orderParam = {
  type: 'object',
  properties: { orderId: { type: 'string', pattern: ORDER_ID_PATTERN } },
  required: ['orderId'],
} as const;

const orderAnswer = {
  type: 'object',
  properties: {
    orderId: { type: 'string' },
    amountFen: { type: 'integer' },
    status: { type: 'string', enum: ['created', 'paid', 'credited', 'expired', 'refunded'] },
    expiresAt: { type: 'integer', description: 'Unpaid after this (Unix ms), the order expires' },
    payReference: { type: 'string', description: "What the app hands the provider's payment sheet" },
    provider: { type: 'string' },
  },
  required: ['orderId', 'amountFen', 'status', 'expiresAt', 'payReference'],
} as const;

function orderJson(o: TopUpOrder, now: number, provider: string) {
  return {
    orderId: o.id,
    amountFen: o.amountFen,
    status: statusAt(o, now),
    expiresAt: o.expiresAt,
    payReference: o.payReference,
    provider,
  };
}

/** Behind the holder guard: the token's card only. */
export const holderPaymentRoutes: RoutePlugin = async (app, { services }) => {
  const { payments } = services;
  const now = () => services.auth.now();
  app.post(
    '/v1/holder/topup-orders',
    {
      config: { audit: 'holder.topup-order' },
      schema: {
        tags: ['holder'],
        summary: 'Make a top-up order to pay with the payment provider; the card is credited once it is paid',
        body: {
          type: 'object',
          properties: {
            amountFen: { type: 'integer', minimum: 1, maximum: 100_000_00 },
            requestId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,64}$' },
          },
          required: ['amountFen', 'requestId'],
          additionalProperties: false,
        },
        response: { 201: orderAnswer, 200: orderAnswer, ...paymentErrors },
      },
    },
    async (req, reply) => {
      const { order, created } = await payments.createOrder(
        req.holderCard as string,
        req.body.amountFen,
        req.body.requestId,
      );
      return reply.status(created ? 201 : 200).send(orderJson(order, now(), payments.providerName));
    },
  );
  app.get(
    '/v1/holder/topup-orders/:orderId',
    {
      schema: {
        tags: ['holder'],
        summary: 'One of my top-up orders: has it been paid and credited?',
        params: orderParam,
        response: { 200: orderAnswer, ...paymentErrors },
      },
    },
    async (req) =>
      orderJson(
        await payments.orderOf(req.holderCard as string, req.params.orderId),
        now(),
        payments.providerName,
      ),
  );
};

/** Behind the operator guard. */
export const operatorPaymentRoutes: RoutePlugin = async (app, { services }) => {
  const { payments } = services;
  app.post(
    '/v1/payments/orders/:orderId/refund',
    {
      config: { permission: 'cards:write', audit: 'payment.refund' },
      schema: {
        tags: ['cards'],
        summary: 'Refund a credited top-up order: the card is debited once and the order refunded',
        params: orderParam,
        response: { 200: orderAnswer, ...paymentErrors },
      },
    },
    async (req) => {
      const order = await payments.refund(req.params.orderId);
      req.auditTarget = order.cardToken;
      return orderJson(order, services.auth.now(), payments.providerName);
    },
  );
};

const notification = {
  type: 'object',
  properties: {
    orderId: { type: 'string', pattern: ORDER_ID_PATTERN },
    amountFen: { type: 'integer', minimum: 1, maximum: 100_000_00 },
    providerTxnId: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
    paidAt: { ...s.unixMs, description: 'When the holder paid, Unix ms' },
    timestamp: { ...s.unixMs, description: 'When the provider signed this notification, Unix ms' },
    nonce: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
    signature: { type: 'string', pattern: '^[A-Za-z0-9_-]{86}$', description: 'Ed25519, base64url' },
  },
  required: ['orderId', 'amountFen', 'providerTxnId', 'paidAt', 'timestamp', 'nonce', 'signature'],
  additionalProperties: false,
} as const;

/**
 * Open at the HTTP level: the provider calls it, and its signature is the authentication. The
 * provider retries until it gets a 2xx, so a repeat answers 200 again without crediting again.
 */
export const notifyRoutes: RoutePlugin = async (app, { services }) => {
  const { payments } = services;
  app.post(
    '/v1/payments/notify',
    {
      // The provider's own ids and signature are signed data, not free text: a transaction id
      // that happened to look like a card number must not keep a paid order from its credit.
      config: { opaqueFields: ['body.providerTxnId', 'body.nonce', 'body.signature'] },
      schema: {
        tags: ['payments'],
        summary: "The payment provider's signed notification that an order was paid",
        body: notification,
        response: {
          200: {
            type: 'object',
            properties: { code: { type: 'string', enum: ['SUCCESS'] }, duplicate: { type: 'boolean' } },
            required: ['code', 'duplicate'],
          },
          ...paymentErrors,
        },
      },
    },
    async (req) => {
      const { duplicate } = await payments.notify(req.body);
      return { code: 'SUCCESS', duplicate };
    },
  );
};
