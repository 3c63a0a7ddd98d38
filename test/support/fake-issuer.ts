// A stand-in for an outside QR issuer (the national e-card platform) that behaves like a
// remote service: a real HTTP server on 127.0.0.1 speaking the contract in
// gateway/src/issuers/port.ts, with latency and injected failures. Used by tests and the demo.
import { createServer, type Server } from 'node:http';

export interface FakeIssuerOptions {
  /** Added to every answer, ms. */
  latencyMs?: number;
  /** Valid codes → the holder's card number (or null when the issuer does not disclose it). */
  codes?: Record<string, string | null>;
}

export interface FakeIssuer {
  url: string;
  /** Calls received (code, venueId), in order. */
  calls: Array<{ code: string; venueId: string }>;
  /** The next n calls fail this way. */
  fail(n: number, how: 'http500' | 'hang' | 'garbage' | 'reset'): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startFakeIssuer(opts: FakeIssuerOptions = {}): Promise<FakeIssuer> {
  let latency = opts.latencyMs ?? 20;
  const codes = new Map(Object.entries(opts.codes ?? {}));
  const failures: Array<'http500' | 'hang' | 'garbage' | 'reset'> = [];
  const calls: FakeIssuer['calls'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const failure = failures.shift();
      if (req.method !== 'POST' || req.url !== '/v1/codes/check') {
        res.writeHead(404).end();
        return;
      }
      let body: { code?: string; venueId?: string };
      try {
        body = JSON.parse(raw);
      } catch {
        res.writeHead(400).end();
        return;
      }
      calls.push({ code: String(body.code), venueId: String(body.venueId) });
      if (failure === 'hang') return; // never answers: the caller's timeout must fire
      setTimeout(() => {
        if (failure === 'reset') return void req.socket.destroy();
        if (failure === 'http500') return void res.writeHead(500).end('{"error":"down"}');
        if (failure === 'garbage')
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('{no');
        const holder = codes.get(String(body.code));
        const answer =
          holder === undefined
            ? { valid: false }
            : { valid: true, ...(holder ? { cardNumber: holder } : {}) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      }, latency);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    fail: (n, how) => {
      for (let i = 0; i < n; i++) failures.push(how);
    },
    setLatency: (ms) => {
      latency = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
