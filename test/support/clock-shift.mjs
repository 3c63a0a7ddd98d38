// Moves a process's wall clock by a fixed offset, for runs that check the suites at the instants
// where days and months turn over (scripts/test-clock.sh, test/support/clock-setup.ts). Loaded
// into the processes a test starts with NODE_OPTIONS=--import; does nothing unless
// ONECARD_TEST_CLOCK_OFFSET_MS is set, so a child shares the clock of the test that started it.
//
// Date.now() and new Date() become the real clock plus the offset and keep running from there.
// Timers, performance.now() and the services' own clocks (Redis, PostgreSQL, Kafka) are not moved.
const REAL = Symbol.for('onecard.test.realDate');

/** Replaces the global Date with one `offsetMs` ahead of the real clock (again: re-offset). */
export function shiftClock(offsetMs) {
  const RealDate = globalThis.Date[REAL] ?? globalThis.Date;
  class ShiftedDate extends RealDate {
    static [REAL] = RealDate;
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate;
}

/** The unshifted clock, whatever shiftClock did. */
export function realNow() {
  return (globalThis.Date[REAL] ?? globalThis.Date).now();
}

const inherited = Number(process.env.ONECARD_TEST_CLOCK_OFFSET_MS);
if (process.env.ONECARD_TEST_CLOCK_OFFSET_MS && Number.isFinite(inherited)) shiftClock(inherited);
