// The logging surface modules receive (pino's, so fastify's logger fits). Never log card
// numbers or ID numbers: log tokens (or their first 8 hex chars) and masked forms.
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
