// Loaded into a child process with NODE_OPTIONS=--import: shifts Date.now by the number of
// milliseconds written in the file ONECARD_TEST_CLOCK_FILE (re-read at most every 20 ms), so an
// end-to-end test can move a real process through a simulated day without sleeping it.
// Only Date.now moves; timers run on real time (the agent takes its clock from Date.now).
// Under scripts/test-clock.sh the test's own clock is ONECARD_TEST_CLOCK_OFFSET_MS ahead of the
// real one (test/support/clock-shift.mjs), and the offsets the test writes are from its clock.
import { readFileSync } from 'node:fs';

const file = process.env.ONECARD_TEST_CLOCK_FILE;
if (file) {
  const real = Date.now;
  const base = Number(process.env.ONECARD_TEST_CLOCK_OFFSET_MS) || 0;
  let offset = 0;
  let checked = 0;
  Date.now = () => {
    const t = real();
    if (t - checked > 20) {
      checked = t;
      try {
        offset = Number(readFileSync(file, 'utf8')) || 0;
      } catch {
        // no file yet: real time
      }
    }
    return t + base + offset;
  };
}
