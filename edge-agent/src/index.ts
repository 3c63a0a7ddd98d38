// The edge agent's public surface, for the gateway's demo and end-to-end tests that run agents
// in-process. (main.ts is the process entry point; importing it would start an agent.)
export { type AckEvent, type Agent, type AgentEvents, type AgentOptions, startAgent } from './agent.js';
export { type EdgeConfig, EdgeConfigError, edgeConfigSchema, loadEdgeConfig } from './config.js';
export { MemoryJournal } from './journal/memory.js';
export type { Journal } from './journal/port.js';
export { openSqliteJournal } from './journal/sqlite.js';
export { jsonLineLogger, type Logger, silentLogger } from './log.js';
export type { GateSignal, Reader, ReaderTap } from './reader/port.js';
export {
  LineReader,
  ManualReader,
  RandomReader,
  ScriptReader,
  syntheticCardNumber,
} from './reader/simulated.js';
export type { DecisionEvent } from './verifier.js';
