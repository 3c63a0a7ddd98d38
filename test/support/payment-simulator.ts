// The payment provider simulator (scripts/payment-simulator.ts) as a real child process, for
// tests and the demo: its key seed is known here, so a test can also sign a notification of
// its own (a late one, a replayed one) exactly as the provider would.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { privateKeyFromSeed } from '../../core/credentials/keys.js';
import type { PaymentNotification } from '../../gateway/src/payments/signature.js';
import { testEnv } from './env.js';

export interface Simulator {
  url: string;
  /** The public key the gateway verifies with (ONECARD_PAYMENT_PROVIDER_PUBLIC_KEY). */
  publicKeyHex: string;
  /** The seed it signs with: tests sign their own notifications with it. */
  seedHex: string;
  privateKey: ReturnType<typeof privateKeyFromSeed>;
  /** "The app pays" an order. */
  pay(payReference: string, amountFen?: number): Promise<{ status: number; providerTxnId: string }>;
  payment(txn: string): Promise<{
    acknowledged: boolean;
    attempts: number;
    lastStatus: number;
    done: boolean;
    notification?: PaymentNotification;
  }>;
  redeliver(txn: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startSimulator(
  env: { attempts?: number; backoffMs?: number } = {},
  root = testEnv.root,
): Promise<Simulator> {
  const seedHex = randomBytes(32).toString('hex');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts/payment-simulator.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        ONECARD_SIM_PORT: '0',
        ONECARD_SIM_PRIVATE_KEY: seedHex,
        ONECARD_SIM_ATTEMPTS: String(env.attempts ?? 8),
        ONECARD_SIM_BACKOFF_MS: String(env.backoffMs ?? 50),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const errors: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => errors.push(l));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${errors.join('\n')}`)));
  });
  const { url, publicKey } = JSON.parse(first) as { url: string; publicKey: string };
  const json = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    url,
    publicKeyHex: publicKey,
    seedHex,
    privateKey: privateKeyFromSeed(Buffer.from(seedHex, 'hex')),
    async pay(payReference, amountFen) {
      const r = await json('POST', '/v1/pay', { payReference, amountFen });
      return { status: r.status, providerTxnId: String(r.body.providerTxnId ?? '') };
    },
    async payment(txn) {
      return (await json('GET', `/v1/payments/${txn}`)).body as never;
    },
    async redeliver(txn) {
      return Number((await json('POST', `/v1/payments/${txn}/redeliver`)).body.status);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
