// Vitest setup file, used only when ONECARD_TEST_NOW names an instant (vitest.config.ts): each
// test file starts with its clock at that instant, and the processes it starts share that clock
// (clock-shift.mjs through NODE_OPTIONS). scripts/test-clock.sh runs suites this way at the
// instants where a Beijing day, a UTC day and a month turn over.
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JS module, also loaded by child processes without a TypeScript loader
import { realNow, shiftClock } from './clock-shift.mjs';

const at = process.env.ONECARD_TEST_NOW;
if (at) {
  const target = Date.parse(at);
  if (!Number.isFinite(target)) throw new Error(`ONECARD_TEST_NOW is not an instant: ${at}`);
  const offset = target - realNow();
  shiftClock(offset);
  process.env.ONECARD_TEST_CLOCK_OFFSET_MS = String(offset);
  const self = fileURLToPath(new URL('./clock-shift.mjs', import.meta.url));
  const opts = process.env.NODE_OPTIONS ?? '';
  if (!opts.includes(self)) process.env.NODE_OPTIONS = `${opts} --import ${self}`.trim();
}
