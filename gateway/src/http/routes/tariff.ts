// The tariff pricing the taps: which one, its networks, and the published rules it encodes.
import type { RoutePlugin } from '../services.js';

const summary = {
  type: 'object',
  properties: {
    id: { type: 'string', description: "Tariff id ('flat' for the flat fares)" },
    name: { type: 'string' },
    currency: { type: 'string', description: 'ISO 4217; amounts in its minor unit (fen)' },
    sources: { type: 'array', items: { type: 'string' }, description: 'Published rules it encodes' },
    networks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          tapOut: { type: 'boolean', description: 'Priced at the exit tap from the entry' },
        },
        required: ['id', 'name', 'tapOut'],
      },
    },
  },
  required: ['id', 'name', 'currency', 'sources', 'networks'],
} as const;

export const tariffRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/v1/tariff',
    {
      schema: {
        tags: ['tariff'],
        summary: 'The tariff in use (ONECARD_TARIFF), for operators: docs/tariffs.md',
        response: { 200: summary },
      },
    },
    async () => services.tariff,
  );
};
