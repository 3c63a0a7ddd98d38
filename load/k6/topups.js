// Counter top-ups (card service role): each request a new idempotency key; every tenth one a
// retry of the previous key, which must answer duplicate without charging twice.
import { check } from 'k6';
import http from 'k6/http';
import { BASE, env, headers, limits, pick, shape } from './common.js';

export const options = {
  ...shape,
  thresholds: limits({
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<150'],
    checks: ['rate>0.99'],
  }),
};

let last;

export default function () {
  const retry = last && __ITER % 10 === 9;
  const body = retry
    ? last
    : { token: pick(env.cardTokens), requestId: `k6-${__VU}-${__ITER}-${Date.now()}` };
  const r = http.post(
    `${BASE}/v1/cards/${body.token}/topups`,
    JSON.stringify({ amountFen: 100, requestId: body.requestId, channel: 'k6', reason: 'cash' }),
    headers('counter', true),
  );
  check(r, {
    'top-up 200': (res) => res.status === 200,
    'a retry is a duplicate': (res) => !retry || res.json('duplicate') === true,
  });
  last = body;
}
