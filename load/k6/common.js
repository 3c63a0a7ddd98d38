// Shared by the k6 scripts: the environment serve.ts wrote, and the run's shape. Every run is
// bounded (a fixed number of virtual users for a fixed time) and hits 127.0.0.1 only.
import { check } from 'k6';
import http from 'k6/http';

export const env = JSON.parse(open(__ENV.ENV_FILE));
export const BASE = __ENV.BASE_URL || env.baseUrl;

// SMOKE=1 (test/e2e/k6-smoke.test.ts, part of npm test): one virtual user for a few iterations,
// so that a script the API has moved away from fails CI, not the next person who runs it.
export const smoke = __ENV.SMOKE === '1';

/** The steady scenario with this many virtual users (VUS overrides; in smoke mode one user). */
export function steady(vus) {
  if (smoke)
    return {
      executor: 'shared-iterations',
      vus: 1,
      iterations: Number(__ENV.ITERATIONS || 5),
      maxDuration: '60s',
    };
  return { executor: 'constant-vus', vus: Number(__ENV.VUS || vus), duration: __ENV.DURATION || '20s' };
}

export const shape = { scenarios: { steady: steady(10) } };

/**
 * The script's thresholds; in smoke mode without the latency ones (a loaded CI machine's timing
 * is no verdict on the code, and the smoke test asserts nothing timed). Error rates and checks hold.
 */
export function limits(thresholds) {
  if (!smoke) return thresholds;
  return Object.fromEntries(
    Object.entries(thresholds).filter(([metric]) => !metric.startsWith('http_req_duration')),
  );
}

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

export function headers(role, json = false) {
  return {
    headers: { authorization: env.bearer[role], ...(json ? { 'content-type': 'application/json' } : {}) },
  };
}

/**
 * What the e-card app's backend does for a holder (POST /v1/holder-tokens, tagged kind:token):
 * the holder token of the card, checked, for the holder routes.
 */
export function holderToken(cardNumber) {
  const minted = http.post(`${BASE}/v1/holder-tokens`, JSON.stringify({ cardNumber }), {
    ...headers('ecard', true),
    tags: { kind: 'token' },
  });
  check(minted, { 'holder token 201': (r) => r.status === 201 });
  return minted.json('token');
}
