// Rotating a device's secret and retiring a device (docs/decisions/0170). Both take effect on
// the broker within the password file's sync (gateway/src/broker/sync.ts) and on the HTTP API
// at the next request (the stored hash is read every time).
import type { FastifyRequest } from 'fastify';
import { mayManageDevice } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import type { Device } from '../../store/port.js';
import * as s from '../schemas.js';
import type { RoutePlugin, Services } from '../services.js';
import { issued, issueSecret } from './devices.js';

const params = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } },
  required: ['id'],
  additionalProperties: false,
} as const;

/** The registered device the route acts on, if the caller's tenant may manage it; else 404/403. */
async function managed(req: FastifyRequest, id: string, services: Services): Promise<Device> {
  req.auditTarget = id;
  const device = await services.store.getDevice(id);
  if (!device) throw new NotFound(`no registered device ${id}`);
  enforce(req, services.metrics.tenantRefusals, mayManageDevice(req.principal!, device.operatorId));
  return device;
}

/** Answered 404 NOT_FOUND through the one error handler (a coded error, as the others). */
class NotFound extends Error {
  readonly statusCode = 404;
  readonly code = 'NOT_FOUND';
}

export const deviceCredentialRoutes: RoutePlugin = async (app, { services }) => {
  app.post(
    '/v1/devices/:id/credentials/rotate',
    {
      config: { permission: 'devices:write', audit: 'device.rotate' },
      schema: {
        tags: ['devices'],
        summary:
          'Issues the device a new secret (shown once); the old one is refused on the broker within seconds and on the API at once',
        params,
        response: {
          200: { type: 'object', properties: { deviceId: { type: 'string' }, ...issued } },
          ...s.errors,
        },
      },
    },
    async (req) => {
      const device = await managed(req, req.params.id, services);
      return { deviceId: device.deviceId, ...(await issueSecret(services, device.deviceId)) };
    },
  );
  app.delete(
    '/v1/devices/:id',
    {
      config: { permission: 'devices:write', audit: 'device.retire' },
      schema: {
        tags: ['devices'],
        summary:
          'Retires a device: its broker access goes within seconds (a connected device is disconnected), its batches and HTTP requests are refused',
        params,
        response: {
          200: {
            type: 'object',
            properties: { deviceId: { type: 'string' }, retiredAt: { type: 'integer' } },
          },
          ...s.errors,
        },
      },
    },
    async (req) => {
      const device = await managed(req, req.params.id, services);
      const at = services.auth.now();
      // Lost to a concurrent retirement: that one did the work, the answer is the same.
      await services.store.credentials.retire(device.deviceId, at);
      services.devices.forget(device.deviceId);
      services.onDeviceCredentials?.();
      return { deviceId: device.deviceId, retiredAt: at };
    },
  );
};
