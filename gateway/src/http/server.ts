// The HTTP side: one Fastify instance, a plugin per area, a schema on every route, OpenAPI at
// /openapi.json, errors as application/problem+json (5xx details hidden).
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import { AuthError, guardDevices, guardHolders, guardOperators } from '../auth/guard.js';
import { guardQr } from '../auth/qr-guard.js';
import { CardError } from '../cards/service.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { cardRoutes } from './routes/cards.js';
import { consoleRoutes } from './routes/console.js';
import { deviceCredentialRoutes } from './routes/device-credentials.js';
import { deviceRoutes } from './routes/devices.js';
import { healthRoutes } from './routes/health.js';
import { holderRoutes } from './routes/holder.js';
import { holderTokenRoutes } from './routes/holder-tokens.js';
import { listAdminRoutes } from './routes/list-admin.js';
import { listRoutes } from './routes/lists.js';
import { liveRoutes } from './routes/live.js';
import { holderPaymentRoutes, notifyRoutes, operatorPaymentRoutes } from './routes/payments.js';
import { qrRoutes } from './routes/qr.js';
import { recordRoutes } from './routes/records.js';
import { reportRoutes } from './routes/reports.js';
import { signedListRoutes } from './routes/signed-lists.js';
import { statsRoutes } from './routes/stats.js';
import { tariffRoutes } from './routes/tariff.js';
import { venueHolderRoutes } from './routes/venue-holder.js';
import { venueOperatorRoutes, venuePublicRoutes } from './routes/venues.js';
import * as schemas from './schemas.js';
import type { Services } from './services.js';
import { buildValidator, redactUrl, refusePersonalData, strictTextIntegers } from './validation.js';

const codeStatus: Record<CardError['code'], number> = { CARD_NOT_FOUND: 404, TOPUP_CONFLICT: 409 };

/** The status and stable code of an error thrown anywhere below a route. */
function classify(err: FastifyError): { status: number; code: string } {
  if (err instanceof AuthError) return { status: err.statusCode, code: err.code };
  if (err instanceof CardError) return { status: codeStatus[err.code], code: err.code };
  if (err.validation) return { status: 400, code: 'BAD_REQUEST' };
  const status = err.statusCode ?? 500;
  return { status: status >= 400 && status < 600 ? status : 500, code: err.code ?? 'INTERNAL' };
}

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
    const { status, code } = classify(err);
    // A known refusal (a domain error with its status, an outside service that is down) is
    // the system working: a warning at most. Only what nothing expected is an error, and its
    // details (message, stack) never leave the process.
    const expected = status < 500 || (typeof err.statusCode === 'number' && status !== 500);
    if (!expected) req.log.error({ err }, 'request failed');
    else if (status >= 500) req.log.warn({ code, status }, 'request refused: a service is unavailable');
    void reply
      .status(status)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: expected ? err.message : 'Internal error',
        status,
        code: expected ? code : 'INTERNAL',
        ...(status < 500 ? { detail: err.message } : {}),
      });
  });
  // Unknown routes are problems too, with the same shape and a stable code.
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: 'Not found',
        status: 404,
        code: 'NOT_FOUND',
        detail: `no route ${req.method} ${req.url.split('?')[0]}`,
      });
  });
  // Browsers must not guess a type for our answers (a JSON answer is never run as a script).
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  strictTextIntegers(app);
  refusePersonalData(app);
  // Open: health, login, the console's static files. Everything else sits in one of three
  // scopes whose single onRequest hook decides who may call it (docs/decisions/0130).
  await app.register(healthRoutes, { services });
  await app.register(authRoutes, { services });
  await app.register(consoleRoutes, { services });
  // The tariff in use is published information (fares are public notices).
  await app.register(tariffRoutes, { services });
  await app.register(async (qr) => {
    guardQr(qr, services, (n) => services.cards.tokenOf(n));
    await qr.register(qrRoutes, { services });
  });
  await app.register(async (operators) => {
    guardOperators(operators, services.auth);
    await operators.register(cardRoutes, { services });
    await operators.register(recordRoutes, { services });
    await operators.register(deviceRoutes, { services });
    await operators.register(deviceCredentialRoutes, { services });
    await operators.register(auditRoutes, { services });
    await operators.register(liveRoutes, { services });
    await operators.register(statsRoutes, { services });
    await operators.register(holderTokenRoutes, { services });
    await operators.register(reportRoutes, { services });
    await operators.register(listAdminRoutes, { services });
    await operators.register(venueOperatorRoutes, { services });
    await operators.register(operatorPaymentRoutes, { services });
  });
  await app.register(async (holders) => {
    guardHolders(holders, services.auth);
    await holders.register(holderRoutes, { services });
    await holders.register(venueHolderRoutes, { services });
    await holders.register(holderPaymentRoutes, { services });
  });
  await app.register(async (devices) => {
    guardDevices(devices, services.auth);
    await devices.register(listRoutes, { services });
    await devices.register(signedListRoutes, { services });
  });
  await app.register(venuePublicRoutes, { services });
  // Signed by the payment provider: the signature, not a session, authenticates it (0150).
  await app.register(notifyRoutes, { services });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/**
 * The Fastify instance. `trustProxy`: ONECARD_TRUST_PROXY ('' trusts no proxy); `stream` sends
 * the log elsewhere than stdout (tests read it).
 */
export function createFastify(
  logLevel: string,
  trustProxy = '',
  stream?: { write(line: string): void },
): FastifyInstance {
  return Fastify({
    trustProxy: trustProxy === '' ? false : trustProxy,
    logger: {
      level: logLevel,
      ...(stream ? { stream } : {}),
      // Card numbers travel only in request bodies, which are never logged; redact anyway.
      redact: ['req.body.cardNumber', 'req.headers.authorization'],
      // A request line is logged without its query string's values: a search by card (even a
      // refused full number) or by any other field must not reach the log at any level.
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
      },
    },
    schemaController: { compilersFactory: { buildValidator: buildValidator() } },
    // The router's own refusals (a broken percent-encoding, an over-long path segment) as
    // problems like every other, without echoing the URL (it may carry what it should not).
    frameworkErrors: (err, _req, reply) => {
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const code = status === 414 ? 'URL_TOO_LONG' : 'BAD_URL';
      void (reply as FastifyReply)
        .status(status)
        .header('x-content-type-options', 'nosniff')
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: 'Malformed URL',
          status,
          code,
          detail: 'the URL cannot be read',
        });
    },
    // Request lines only at debug level: at thousands of API calls a second they drown the log.
    logController: new LogController({ disableRequestLogging: logLevel !== 'debug' }),
  });
}
