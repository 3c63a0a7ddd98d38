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
