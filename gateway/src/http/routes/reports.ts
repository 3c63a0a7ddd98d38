// Operators: the reconciliation report. Taps the devices allowed offline (or on lists not yet
// updated) that would have been refused online, newest found first: rides that took a card
// below zero (the card went on the deny list), cards used after their lost report, single-use
// tickets admitted at two gates; and taps the gateway would not price: a place the device is
// not registered for, or no fare there (docs/decisions/0161); and taps quarantined because their
// (device, epoch, seq) came before with other content (docs/decisions/0175). Card tokens and masked numbers
// only, never a card number.
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

const finding = {
  type: 'object',
  properties: {
    id: {
      type: 'string',
      description:
        "The record id, tap:<device>:<epoch>:<seq> (tap:<device>:<seq> without a journal epoch); a seq_conflict's is the id the quarantined tap would have had, then '#' and its content digest",
    },
    kind: {
      type: 'string',
      enum: [
        'negative_balance',
        'lost_after_the_fact',
        'entitlement_reused',
        'location_not_allowed',
        'location_not_priced',
        'seq_conflict',
      ],
    },
    reason: { type: 'string', description: 'The record reason (docs/reason-codes.md)' },
    action: { type: 'string', enum: ['deny_listed', 'marked', 'quarantined'] },
    at: { type: 'integer', description: 'Tap time (device clock), Unix ms' },
    foundAt: { type: 'integer', description: 'When the gateway reconciled it, Unix ms' },
    cardToken: { type: 'string' },
    cardMasked: { type: 'string' },
    operatorId: { type: 'string' },
    deviceId: { type: 'string' },
    seq: { type: 'integer' },
    routeId: { type: 'string' },
    stationId: { type: 'string' },
    venueId: { type: 'string' },
    entitlementId: { type: 'string' },
    offline: { type: 'boolean' },
    chargedFen: { type: 'integer' },
    balanceAfterFen: { type: 'integer' },
  },
  required: ['id', 'kind', 'reason', 'action', 'at', 'foundAt', 'cardToken', 'deviceId', 'seq', 'offline'],
} as const;

export const reportRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/v1/reports/reconciliation',
    {
      config: { permission: 'records:read' },
      schema: {
        tags: ['reports'],
        summary: 'Reconciliation findings: offline decisions that would have been refused online',
        querystring: {
          type: 'object',
          properties: {
            since: { ...s.unixMs, description: 'Found at or after, Unix ms' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: finding } },
            required: ['items'],
          },
          ...s.errors,
        },
      },
    },
    async (req) => {
      const items = await services.store.findings({
        limit: req.query.limit,
        ...(req.query.since !== undefined ? { since: req.query.since } : {}),
      });
      // A tenant account sees its own operator's findings only (docs/decisions/0130).
      const tenant = req.principal?.tenant;
      return { items: tenant ? items.filter((f) => f.operatorId === tenant) : items };
    },
  );
};
