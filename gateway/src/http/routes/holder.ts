// Card holder services (交通出行相关查询, 挂失; 充值 is routes/payments.ts), behind a holder token
// (docs/decisions/0132): every route acts on the token's card and no other, so no card number
// or card token travels in these requests at all.
import type { LedgerRecord } from '../../../../core/ledger.js';
import { PaymentError } from '../../payments/errors.js';
import { toCardJson } from '../card-json.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

/**
 * The holder's record lists (交通出行相关查询): url, OpenAPI summary, kinds (absent: all).
 * A missing tap-out's adjustment belongs with the rides it corrects; a ticket or pass bought
 * with the card with the visits it opens.
 */
const holderLists: Array<[string, string, LedgerRecord['kind'][] | undefined]> = [
  ['/v1/holder/records', 'My records of every kind, newest first', undefined],
  ['/v1/holder/rides', 'My rides (and fare adjustments), newest first', ['ride', 'adjustment']],
  ['/v1/holder/visits', 'My venue visits and ticket or pass purchases, newest first', ['visit', 'purchase']],
  ['/v1/holder/topups', 'My top-ups, newest first', ['topup']],
];

export const holderRoutes: RoutePlugin = async (app, { services }) => {
  const { cards, history } = services;
  const mine = (card: string | undefined) => card as string;
  app.get(
    '/v1/holder/card',
    {
      schema: {
        tags: ['holder'],
        summary: 'My card: balance and status',
        response: { 200: { $ref: 'Card#' }, ...s.errors },
      },
    },
    async (req) => toCardJson(await cards.get(mine(req.holderCard)), cards.concessions),
  );
  // Gone (docs/decisions/0151): a holder token alone must not add money. Old apps learn where
  // to go instead of getting a bare 404.
  app.post(
    '/v1/holder/topups',
    {
      config: { audit: 'holder.topup' },
      schema: {
        tags: ['holder'],
        summary: 'Gone: top up through a paid order (POST /v1/holder/topup-orders)',
        deprecated: true,
        response: { 410: { $ref: 'Problem#' }, ...s.errors },
      },
    },
    async () => {
      throw new PaymentError('PAYMENT_REQUIRED', 'top-ups are paid orders now: POST /v1/holder/topup-orders');
    },
  );
  app.post(
    '/v1/holder/lost',
    {
      config: { audit: 'holder.lost' },
      schema: {
        tags: ['holder'],
        summary: 'Report my card lost (挂失)',
        response: {
          200: { type: 'object', properties: { denyListVersion: { type: 'integer' } } },
          ...s.errors,
        },
      },
    },
    async (req) => cards.reportLost(mine(req.holderCard)),
  );
  // One list of everything, and one per kind of record, as the e-card app shows them.
  for (const [url, summary, kinds] of holderLists)
    app.get(
      url,
      {
        schema: {
          tags: ['holder'],
          summary,
          querystring: s.pageQuery,
          response: { 200: { $ref: 'RecordPage#' }, ...s.errors },
        },
      },
      async (req) =>
        history.queryRecords({
          cardToken: mine(req.holderCard),
          ...(kinds ? { kinds } : {}),
          limit: req.query.limit,
          cursor: req.query.cursor,
        }),
    );
};
