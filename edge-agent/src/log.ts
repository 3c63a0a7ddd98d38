// The logging surface the agent's modules receive (pino-shaped, like the gateway's). Never log
// card numbers or ID numbers: log tokens (or their first 8 hex chars) and masked forms.
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** One JSON object per line, e.g. to stderr, so a device's log can be shipped and parsed as is. */
export function jsonLineLogger(
  level: LogLevel,
  write: (line: string) => void,
  base: Record<string, unknown> = {},
  now: () => number = Date.now,
): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (obj: object | string, msg?: string) => {
    if (rank[lvl] < rank[level]) return;
    const fields = typeof obj === 'string' ? { msg: obj } : { ...obj, ...(msg ? { msg } : {}) };
    write(JSON.stringify({ level: lvl, time: now(), ...base, ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
