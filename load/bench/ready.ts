// A gateway process the bench started is ready when /readyz answers 200 (bounded: 30 s).
export async function waitReady(url: string, what = 'the gateway'): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready in 30 s`);
}

/**
 * A port the OS has just given out and taken back, for a child process of the bench to listen
 * on: a guessed port may be a service's (the Kafka controller's, say) and the child fails.
 */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
