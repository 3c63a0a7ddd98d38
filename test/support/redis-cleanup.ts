// Suites share one test Redis: each test works under a key prefix of its own and removes its
// keys afterwards (SCAN + UNLINK, never FLUSHDB, which would wipe other suites' keys mid-run).
// The bench removes its runs' keys the same way; one function for both.
export { unlinkPrefix } from '../../load/bench/redis-admin.js';
