// E-card QR credential issuance: the app's backend mints a holder token, the app asks for its
// credential bound to its key (what every phone does about once a day).
import { check } from 'k6';
import http from 'k6/http';
import { BASE, env, holderToken, limits, pick, shape } from './common.js';

export const options = {
  ...shape,
  thresholds: limits({
    http_req_failed: ['rate<0.01'],
    'http_req_duration{kind:token}': ['p(95)<150'],
    'http_req_duration{kind:credential}': ['p(95)<150'],
  }),
};

export default function () {
  const cardNumber = pick(env.cardNumbers);
  const token = holderToken(cardNumber);
  const r = http.post(
    `${BASE}/v1/holder/qr-credential`,
    JSON.stringify({ cardNumber, appPublicKey: env.appPublicKey }),
    {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      tags: { kind: 'credential' },
    },
  );
  check(r, { 'credential 200': (res) => res.status === 200 && res.json('bytes') > 0 });
}
