// Edge agent process: `node --import tsx edge-agent/src/main.ts [--config <file.json>]`,
// configured by ONECARD_EDGE_* variables and/or the JSON file (edge-agent/src/config.ts).
// `--print-public-key`: prints the device's Ed25519 public key (making the key file on first
// use) for enrolment with POST /v1/devices, and exits without starting.
// stdout: one JSON line per decision (token prefix only, never the card number);
// stderr: the log, one JSON object per line.
import { startAgent } from './agent.js';
import { CONFIG_FILE_ENV, type EdgeConfig, EdgeConfigError, loadEdgeConfig } from './config.js';
import { loadDeviceKey } from './device-key.js';
import { jsonLineLogger, type Logger } from './log.js';
import type { Reader } from './reader/port.js';
import { LineReader, RandomReader } from './reader/simulated.js';

function configFile(argv: readonly string[]): string | undefined {
  const i = argv.indexOf('--config');
  return i >= 0 ? argv[i + 1] : process.env[CONFIG_FILE_ENV];
}

function makeReader(config: EdgeConfig, log: Logger): Reader {
  if (config.reader === 'stdin') return new LineReader(process.stdin, log);
  if (config.reader === 'random')
    return new RandomReader({
      tapsPerSecond: config.simTapsPerSecond,
      cardCount: config.simCardCount,
      seed: hashSeed(config.deviceId),
    });
  return { start() {}, stop() {} };
}

/** Each simulated device draws its own sequence of cards, the same on every run. */
function hashSeed(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const out = (obj: object) => process.stdout.write(`${JSON.stringify(obj)}\n`);

try {
  const file = configFile(process.argv.slice(2));
  const config = loadEdgeConfig({ env: process.env, ...(file ? { file } : {}) });
  if (process.argv.includes('--print-public-key')) {
    process.stdout.write(`${loadDeviceKey(config).publicKey}\n`);
    process.exit(0);
  }
  const log = jsonLineLogger(config.logLevel, (line) => process.stderr.write(`${line}\n`), {
    deviceId: config.deviceId,
  });
  const agent = await startAgent(config, makeReader(config, log), { log });
  agent.events.on('decision', (d) =>
    out({
      event: 'decision',
      seq: d.seq,
      decision: d.decision,
      reason: d.reason,
      token: d.cardToken.slice(0, 8),
      offline: d.offline,
      display: d.display.en,
    }),
  );
  agent.events.on('online', () => out({ event: 'online' }));
  agent.events.on('offline', () => out({ event: 'offline' }));
  out({ event: 'started', deviceId: config.deviceId, lastSeq: agent.lastSeq(), depth: agent.journalDepth() });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the edge agent');
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (err) {
  console.error(err instanceof EdgeConfigError ? err.message : err);
  process.exit(1);
}
