// A rebooted device, for load/bench/edge.ts: loads the persisted lists in a fresh process and
// prints its load time and resident memory as one JSON line. Args: lists file, trusted keys.
import { parsePublicKeys } from '../../core/lists/envelope.js';
import { EdgeLists } from '../../edge-agent/src/lists/lists.js';
import { silentLogger } from '../../edge-agent/src/log.js';

const [file, keySpec] = process.argv.slice(2) as [string, string];
const keys = parsePublicKeys(keySpec);
if (typeof keys === 'string') throw new Error(keys);
const t0 = performance.now();
const lists = new EdgeLists({ file, venueId: '', keys, log: silentLogger });
lists.start();
const loadS = (performance.now() - t0) / 1000;
const rssMb = process.memoryUsage().rss / 1024 / 1024;
console.log(JSON.stringify({ loadS, rssMb, cards: lists.state.flags.size }));
await lists.stop();
