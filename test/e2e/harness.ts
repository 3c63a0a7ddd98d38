// Real processes for end-to-end tests: gateways and edge agents as child processes
// (`node --import tsx ...`), talking to the real Mosquitto, Redis and Kafka over sockets.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { testEnv } from '../support/env.js';
import { LIST_KEY_ID, LIST_KEYS, LIST_SEED_HEX } from '../support/lists.js';
import { expectedBalancesFen, moneyTallyOverHttp } from '../support/money.js';
import { gatewayBrokerConfig, removeRegistryPart, serviceUser } from '../support/mqtt.js';
import { bearerFor, writeOperatorsFile } from '../support/operators.js';

export const TOKEN_KEY = 'e2e0'.repeat(16);

/**
 * The money invariant at the end of a run (issue 9): the cards' balances sum to what they were
 * issued with, plus top-ups, minus charges, plus refunds, to the fen, as the gateway's own
 * records say (read over its API, as the admin session api() uses).
 */
export async function expectMoneyBalanced(
  url: string,
  cards: ReadonlyArray<{ token: string; issuedFen: number }>,
): Promise<void> {
  const t = await moneyTallyOverHttp(url, sessions.get(url)!, cards);
  expect(t.balancesFen).toBe(expectedBalancesFen(t));
}

/** Admin session per gateway URL (api() sends it) and credential per registered device. */
const sessions = new Map<string, string>();
const deviceCredentials = new Map<string, string>();
/** Private keys the gateway made at registration (answered once), for the agent processes. */
const deviceKeys = new Map<string, string>();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
  );
}

export interface Proc {
  child: ChildProcess;
  /** Lines printed on stdout so far. */
  lines: string[];
  /** Lines printed on stderr so far (the agents' and gateways' JSON logs). */
  errLines: string[];
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(testEnv.root, script), ...args], {
    cwd: testEnv.root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  const errs: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => {
    errs.push(l);
    if (process.env.ONECARD_E2E_VERBOSE) console.error(`[${name}] ${l}`);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    if (code && code !== 0 && !child.killed)
      console.error(`[${name}] exited ${code}:\n${errs.slice(-20).join('\n')}`);
  });
  return {
    child,
    lines,
    errLines: errs,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

export interface GatewayProc extends Proc {
  url: string;
}

/** Gateway processes running per password-file part (one part per store). */
const partUsers = new Map<string, number>();

export async function startGatewayProcess(
  name: string,
  env: Record<string, string>,
  httpPort?: number,
): Promise<GatewayProc> {
  const port = httpPort ?? (await freePort());
  const operatorsFile = await writeOperatorsFile(mkdtempSync(join(tmpdir(), 'onecard-ops-')));
  // Its own broker user (the client id); the registry's part of the password file named after
  // its store, so instances sharing a store share the part (test/support/mqtt.ts).
  const user = serviceUser(name.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24));
  const store = `${env.ONECARD_STORE}:${env.ONECARD_REDIS_URL ?? ''}:${env.ONECARD_SQLITE_FILE ?? ''}`;
  const part = `reg-${createHash('sha256').update(store).digest('hex').slice(0, 16)}`;
  const broker = gatewayBrokerConfig(user, part);
  const proc = startProcess(name, 'gateway/src/main.ts', {
    ONECARD_INSTANCE_ID: name,
    ONECARD_MQTT_USERNAME: user.username,
    ONECARD_MQTT_PASSWORD: user.password,
    ONECARD_BROKER_PASSWORD_FILE: broker.brokerPasswordFile!,
    ONECARD_BROKER_ACL_FILE: broker.brokerAclFile!,
    ONECARD_BROKER_PID_FILE: broker.brokerPidFile!,
    ONECARD_BROKER_PASSWORD_PART: part,
    ONECARD_HTTP_PORT: String(port),
    ONECARD_TOKEN_KEY: TOKEN_KEY,
    ONECARD_LIST_SIGNING_KEY: LIST_SEED_HEX,
    ONECARD_LIST_KEY_ID: LIST_KEY_ID,
    ONECARD_LOG_LEVEL: 'warn',
    // The e2e devices' routes are flat-fare routes; the Beijing tariff is tested in test/core/tariff/.
    ONECARD_TARIFF: 'flat',
    ONECARD_OPERATORS_FILE: operatorsFile,
    ...env,
  });
  // The registry's part goes with the last gateway of that store (a fixed device id enrolled
  // by a later run into another store must not meet this run's hash for it first).
  partUsers.set(part, (partUsers.get(part) ?? 0) + 1);
  void proc.exited.then(() => {
    user.remove();
    const left = (partUsers.get(part) ?? 1) - 1;
    partUsers.set(part, left);
    if (left === 0) removeRegistryPart(part);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} ready`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited with ${proc.child.exitCode}`);
    const r = await fetch(`${url}/readyz`);
    return r.status === 200;
  });
  sessions.set(url, await bearerFor(url, 'admin'));
  return { ...proc, url };
}

export async function api<T = unknown>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(sessions.has(url) ? { authorization: sessions.get(url)! } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status}: ${text}`);
  const answer = JSON.parse(text) as T;
  // A registered device gets its credential for the list resync (startAgentProcess passes it).
  const registered = answer as { deviceId?: string; credential?: string; privateKey?: string };
  if (method === 'POST' && path === '/v1/devices' && registered.deviceId && registered.credential)
    deviceCredentials.set(registered.deviceId, registered.credential);
  // The device signs its batches with the key the gateway made for it (docs/decisions/0173).
  if (method === 'POST' && path === '/v1/devices' && registered.deviceId && registered.privateKey)
    deviceKeys.set(registered.deviceId, registered.privateKey);
  return answer;
}

export interface AgentProc extends Proc {
  deviceId: string;
  /** Types card numbers at the reader, one tap each. */
  tap(...cardNumbers: string[]): void;
  /** Shows a QR code to the scanner. */
  scan(qrText: string): void;
  decisions(): Array<{ seq: number; decision: string; reason: string; offline: boolean }>;
}

export function startAgentProcess(env: {
  deviceId: string;
  operatorId: string;
  profile: string;
  location: Record<string, string>;
  gatewayUrl: string;
  journalFile: string;
  /** More ONECARD_EDGE_* settings (entry rules, offline limits). */
  extra?: Record<string, string>;
}): AgentProc {
  const loc: Record<string, string> = {};
  for (const [k, v] of Object.entries(env.location))
    loc[`ONECARD_EDGE_${k.replace(/Id$/, '').toUpperCase()}_ID`] = v;
  const proc = startProcess(env.deviceId, 'edge-agent/src/main.ts', {
    ONECARD_EDGE_DEVICE_ID: env.deviceId,
    ONECARD_EDGE_OPERATOR_ID: env.operatorId,
    ONECARD_EDGE_PROFILE: env.profile,
    ONECARD_EDGE_MQTT_URL: testEnv.mqttUrl(),
    ONECARD_EDGE_MQTT_PROTOCOL_VERSION: '5',
    ONECARD_EDGE_GATEWAY_HTTP_URL: env.gatewayUrl,
    ONECARD_EDGE_GATEWAY_CREDENTIAL: deviceCredentials.get(env.deviceId) ?? '',
    ONECARD_EDGE_DEVICE_KEY: deviceKeys.get(env.deviceId) ?? '',
    ONECARD_EDGE_JOURNAL_FILE: env.journalFile,
    ONECARD_EDGE_TOKEN_KEY: TOKEN_KEY,
    ONECARD_EDGE_LIST_KEYS: LIST_KEYS,
    ONECARD_EDGE_READER: 'stdin',
    ONECARD_EDGE_ACK_TIMEOUT_MS: '2000',
    ONECARD_EDGE_BATCH_MAX_DELAY_MS: '50',
    ONECARD_EDGE_STATUS_INTERVAL_MS: '1000',
    ONECARD_EDGE_LOG_LEVEL: 'warn',
    ...loc,
    ...env.extra,
  });
  return {
    ...proc,
    deviceId: env.deviceId,
    tap(...cardNumbers) {
      for (const n of cardNumbers) proc.child.stdin!.write(`${n}\n`);
    },
    scan(qrText) {
      proc.child.stdin!.write(`qr ${qrText}\n`);
    },
    decisions() {
      return proc.lines
        .map(
          (l) =>
            JSON.parse(l) as {
              event: string;
              seq: number;
              decision: string;
              reason: string;
              offline: boolean;
            },
        )
        .filter((e) => e.event === 'decision');
    },
  };
}
