// Shared by the k6 scripts: the environment serve.ts wrote, and the run's shape. Every run is
// bounded (a fixed number of virtual users for a fixed time) and hits 127.0.0.1 only.
export const env = JSON.parse(open(__ENV.ENV_FILE));
export const BASE = __ENV.BASE_URL;

export const shape = {
  scenarios: {
    steady: { executor: 'constant-vus', vus: Number(__ENV.VUS || 10), duration: __ENV.DURATION || '20s' },
  },
};

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

export function headers(role, json = false) {
  return {
    headers: { authorization: env.bearer[role], ...(json ? { 'content-type': 'application/json' } : {}) },
  };
}
