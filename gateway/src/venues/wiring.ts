// Builds the venue side from the configuration: the venue files (checked, every problem
// reported at start-up), the service, the passages counter, the sweeper and their metrics.
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Store } from '../store/port.js';
import { loadVenues } from './load.js';
import { registerVenueMetrics } from './metrics.js';
import { VenuePassages } from './passages.js';
import { type EntitlementSink, VenueService } from './service.js';
import { VenueSweeper } from './sweeper.js';

export function venuesFrom(opts: {
  venuesDir: string;
  store: Store;
  entitlements: EntitlementSink;
  registry: Registry;
  log: FastifyBaseLogger;
  now: () => number;
}): { service: VenueService; passages: VenuePassages; sweeper: VenueSweeper } {
  const venues = opts.venuesDir ? loadVenues(opts.venuesDir) : loadVenues();
  const counters = registerVenueMetrics(opts.registry);
  const service = new VenueService({
    store: opts.store,
    venues,
    entitlements: opts.entitlements,
    counters,
    now: opts.now,
  });
  const passages = new VenuePassages({ store: opts.store, venues: service, log: opts.log, counters });
  const sweeper = new VenueSweeper({ store: opts.store, service, passages, log: opts.log, now: opts.now });
  opts.log.info({ venues: [...venues.keys()] }, 'venues loaded');
  return { service, passages, sweeper };
}
