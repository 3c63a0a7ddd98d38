// Gateway process: `node --import tsx gateway/src/main.ts`, configured by ONECARD_* variables
// (gateway/src/config.ts; README lists them).
import { startGateway } from './app.js';
import { ConfigError, loadGatewayConfig } from './config.js';

try {
  const gateway = await startGateway(loadGatewayConfig());
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: stopping the gateway`);
    // Whatever hangs, the process ends: committed state is durable and devices resend the rest.
    setTimeout(() => {
      console.error('stop took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000).unref();
    await gateway.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
