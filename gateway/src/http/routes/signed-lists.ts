// Devices fetch their lists here when they boot empty, missed deltas or were told by a head
// that they are behind: a signed delta or snapshot as a framed binary stream (docs/topics.md
// "Lists"; gateway/src/lists/stream.ts), or 204 when they are current.
import { Readable } from 'node:stream';
import { listKinds } from '../../../../protos/codec.js';
import { mayFetchList } from '../../auth/policy.js';
import { enforce, listReader } from '../../auth/tenancy.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

export const signedListRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/v1/lists/:kind/:scope',
    {
      schema: {
        tags: ['lists'],
        summary: 'A signed list for a device: the changes after a version, or the whole list',
        description:
          'application/octet-stream: frames of u32 length + records, an empty frame, then a SignedList trailer. ' +
          'Header x-onecard-list-type: delta or snapshot (a hint; the signed trailer decides).',
        params: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: [...listKinds.names] },
            scope: {
              type: 'string',
              pattern: '^[A-Za-z0-9_.:-]{1,64}$',
              description: '"all", or a venue id',
            },
          },
          required: ['kind', 'scope'],
        },
        querystring: {
          type: 'object',
          properties: { since: { ...s.version, default: 0 } },
          additionalProperties: false,
        },
        response: {
          200: { type: 'string', format: 'binary', description: 'The framed list stream' },
          204: { type: 'null', description: 'The device is current, or there is no list yet' },
          400: { $ref: 'Problem#' },
          401: { $ref: 'Problem#' },
          403: { $ref: 'Problem#' },
        },
      },
    },
    async (req, reply) => {
      const { kind, scope } = req.params;
      if ((kind === 'entitlements') === (scope === 'all'))
        return reply.status(400).type('application/problem+json').send({
          type: 'about:blank',
          title: 'Bad scope',
          status: 400,
          code: 'BAD_REQUEST',
          detail: 'entitlements are per venue; every other list has the scope "all"',
        });
      // A device gets its own venue's entitlements; an operator those of its venues (0154).
      const who = await listReader(req, services.devices);
      enforce(req, services.metrics.tenantRefusals, mayFetchList(who, kind, scope, services.owners));
      const answer = await services.lists.answer(kind, scope, req.query.since);
      if (answer.type === 'current') return reply.status(204).send();
      return reply
        .header('x-onecard-list-type', answer.type)
        .header('x-onecard-list-entries', String(answer.entries))
        .type('application/octet-stream')
        .send(Readable.from(answer.frames));
    },
  );
};
