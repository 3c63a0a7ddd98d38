// The first of the README's two commands: `npm run demo` shows the system working. This runs the
// same script (scripts/demo.ts) for a bounded time and reads what a newcomer would read.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.js';
import { freePort, waitFor } from './harness.js';

describe('the one-command demo', () => {
  it('runs the gateway, the devices and the riders, prints fares and refusals, serves the console, and stops by itself', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(testEnv.root, 'scripts/demo.ts'), '--seconds', '25'],
      {
        cwd: testEnv.root,
        env: {
          ...process.env,
          ONECARD_DEMO_HTTP_PORT: String(httpPort),
          ONECARD_DEMO_MQTT_PORT: String(mqttPort),
          ONECARD_DEMO_DIR: join(testEnv.root, '.run', `demo-test-${process.pid}`),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

    await waitFor('the demo to start', () => out.includes('onecard demo is running'), 60_000);
    const page = await fetch(`http://127.0.0.1:${httpPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    expect(await exited).toBe(0);
    rmSync(join(testEnv.root, '.run', `demo-test-${process.pid}`), { recursive: true, force: true });
    expect(out).toMatch(/Operator console: http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toMatch(/gate-out-xidan: metro fare ¥\d+\.\d\d charged/);
    expect(out).toContain('reported lost (挂失)');
    expect(out).toMatch(/DENIED \(CARD_LOST/);
    expect(out).toMatch(/gate-in-pingguoyuan: card [0-9a-f]{8}… DENIED \(PASSBACK/);
    expect(out).toMatch(/e-card QR on bus-101 \(\d+ chars\): allow/);
    expect(out).toMatch(
      /holder top-up ¥50\.00 paid at the payment simulator: .* credited on its signed notification, balance ¥\d+\.\d\d → ¥\d+\.\d\d/,
    );
    expect(out).toMatch(/\d+ taps so far, \d+ records at the gateway/);
    expect(out).toContain('demo stopped');
    // No card number in what the demo prints: tokens and masked forms only.
    expect(out).not.toMatch(/SIM\d{6}/);
  });
});
