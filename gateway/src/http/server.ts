// The HTTP side: one Fastify instance, a plugin per area, a schema on every route, OpenAPI at
// /openapi.json, errors as application/problem+json (5xx details hidden).
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { type CardState, ConcessionFlag } from '../../../core/card.js';
import { type AuthContext, AuthError, guardDevices, guardHolders, guardOperators } from '../auth/guard.js';
import { guardQr } from '../auth/qr-guard.js';
import type { CardService } from '../cards/service.js';
import { CardError } from '../cards/service.js';
import type { Fleet } from '../fleet.js';
import type { DeviceRegistry } from '../ingest/devices.js';
import type { DenyListPublisher } from '../lists/deny.js';
import type { ListService } from '../lists/service.js';
import type { LiveFeed } from '../live/feed.js';
import type { Metrics } from '../metrics.js';
import type { QrService } from '../qr/service.js';
import type { Store } from '../store/port.js';
import type { TariffSummary } from '../tariff/load.js';
import type { VenuePassages } from '../venues/passages.js';
import type { VenueService } from '../venues/service.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { cardRoutes } from './routes/cards.js';
import { consoleRoutes } from './routes/console.js';
import { deviceRoutes } from './routes/devices.js';
import { healthRoutes } from './routes/health.js';
import { holderRoutes } from './routes/holder.js';
import { holderTokenRoutes } from './routes/holder-tokens.js';
import { listAdminRoutes } from './routes/list-admin.js';
import { listRoutes } from './routes/lists.js';
import { liveRoutes } from './routes/live.js';
import { qrRoutes } from './routes/qr.js';
import { recordRoutes } from './routes/records.js';
import { reportRoutes } from './routes/reports.js';
import { signedListRoutes } from './routes/signed-lists.js';
import { statsRoutes } from './routes/stats.js';
import { tariffRoutes } from './routes/tariff.js';
import { venueHolderRoutes } from './routes/venue-holder.js';
import { venueOperatorRoutes, venuePublicRoutes } from './routes/venues.js';
import * as schemas from './schemas.js';

export interface Services {
  store: Store;
  cards: CardService;
  deny: DenyListPublisher;
  lists: ListService;
  fleet: Fleet;
  devices: DeviceRegistry;
  metrics: Metrics;
  /** E-card QR issuing and online checks (routes/qr.ts); absent: those routes are not served. */
  qr?: QrService;
  /** The tariff pricing the taps (gateway/src/tariff/load.ts). */
  tariff: TariffSummary;
  auth: AuthContext;
  live: LiveFeed;
  /** Venue products, bookings and occupancy (routes/venues.ts); absent: not served. */
  venues?: { service: VenueService; passages: VenuePassages };
  /** Readiness: store reachable and MQTT connected. */
  ready: () => Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}

const codeStatus: Record<CardError['code'], number> = { CARD_NOT_FOUND: 404, TOPUP_CONFLICT: 409 };

export async function buildHttp(app: FastifyInstance, services: Services): Promise<FastifyInstance> {
  for (const s of [schemas.problem, schemas.card, schemas.record, schemas.recordPage, schemas.tapResult])
    app.addSchema(s);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'onecard gateway',
        version: '1',
        description:
          'Ride records, card services and device lists for the social security card (社保卡) on transit and venues.',
      },
    },
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status = err.statusCode ?? 500;
    let code = err.code ?? 'INTERNAL';
    if (err instanceof AuthError) {
      status = err.statusCode;
      code = err.code;
    } else if (err instanceof CardError) {
      status = codeStatus[err.code];
      code = err.code;
    } else if (err.validation) {
      status = 400;
      code = 'BAD_REQUEST';
    }
    if (status >= 500) req.log.error({ err }, 'request failed');
    void reply
      .status(status)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: status >= 500 ? 'Internal error' : err.message,
        status,
        code,
        ...(status < 500 ? { detail: err.message } : {}),
      });
  });
  // Open: health, login, the console's static files. Everything else sits in one of three
  // scopes whose single onRequest hook decides who may call it (docs/decisions/0130).
  await app.register(healthRoutes, { services });
  await app.register(authRoutes, { services });
  await app.register(consoleRoutes, { services });
  // The tariff in use is published information (fares are public notices).
  await app.register(tariffRoutes, { services });
  await app.register(async (qr) => {
    guardQr(qr, services.auth, (n) => services.cards.tokenOf(n));
    await qr.register(qrRoutes, { services });
  });
  await app.register(async (operators) => {
    guardOperators(operators, services.auth);
    await operators.register(cardRoutes, { services });
    await operators.register(recordRoutes, { services });
    await operators.register(deviceRoutes, { services });
    await operators.register(auditRoutes, { services });
    await operators.register(liveRoutes, { services });
    await operators.register(statsRoutes, { services });
    await operators.register(holderTokenRoutes, { services });
    await operators.register(reportRoutes, { services });
    await operators.register(listAdminRoutes, { services });
    await operators.register(venueOperatorRoutes, { services });
  });
  await app.register(async (holders) => {
    guardHolders(holders, services.auth);
    await holders.register(holderRoutes, { services });
    await holders.register(venueHolderRoutes, { services });
  });
  await app.register(async (devices) => {
    guardDevices(devices, services.auth);
    await devices.register(listRoutes, { services });
    await devices.register(signedListRoutes, { services });
  });
  await app.register(venuePublicRoutes, { services });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

export function createFastify(logLevel: string, trustProxy = ''): FastifyInstance {
  return Fastify({
    trustProxy: trustProxy === '' ? false : trustProxy,
    logger: {
      level: logLevel,
      // Card numbers travel only in request bodies, which are never logged; redact anyway.
      redact: ['req.body.cardNumber', 'req.headers.authorization'],
    },
    // Request lines only at debug level: at thousands of API calls a second they drown the log.
    logController: new LogController({ disableRequestLogging: logLevel !== 'debug' }),
  });
}

export function toCardJson(c: CardState) {
  const concessions = Object.entries(ConcessionFlag)
    .filter(([, bit]) => c.flags & bit)
    .map(([name]) => name);
  return {
    token: c.token,
    masked: c.masked,
    region: c.region,
    status: c.status,
    balanceFen: c.balanceFen,
    concessions,
  };
}
