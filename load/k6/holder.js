// The card holder path: the e-card app's backend mints a holder token (the credential the
// phone then uses), and the holder reads balance and ride records with it.
import { check } from 'k6';
import http from 'k6/http';
import { BASE, env, holderToken, limits, pick, shape } from './common.js';

export const options = {
  ...shape,
  thresholds: limits({
    http_req_failed: ['rate<0.01'],
    'http_req_duration{kind:token}': ['p(95)<150'],
    'http_req_duration{kind:card}': ['p(95)<100'],
    'http_req_duration{kind:records}': ['p(95)<150'],
  }),
};

export default function () {
  const h = { headers: { authorization: `Bearer ${holderToken(pick(env.cardNumbers))}` } };
  check(http.get(`${BASE}/v1/holder/card`, { ...h, tags: { kind: 'card' } }), {
    'card 200': (r) => r.status === 200,
  });
  check(http.get(`${BASE}/v1/holder/records?limit=20`, { ...h, tags: { kind: 'records' } }), {
    'records 200': (r) => r.status === 200,
  });
}
