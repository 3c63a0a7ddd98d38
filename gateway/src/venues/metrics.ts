// The venue side's Prometheus metrics, registered on the instance's registry (metrics.ts).
import { Counter, type Registry } from 'prom-client';

export interface VenueCounters {
  /** Bookings placed, by venue, kind and outcome (confirmed, full, refused reason). */
  bookings: Counter<'venue' | 'kind' | 'outcome'>;
  /** Occupancy crossing the warning share or the limit (最大承载量), by venue and level. */
  capacityWarnings: Counter<'venue' | 'level'>;
}

export function registerVenueMetrics(registry: Registry): VenueCounters {
  return {
    bookings: new Counter({
      name: 'onecard_venue_bookings_total',
      help: 'Venue reservations, tickets and passes requested, by outcome',
      labelNames: ['venue', 'kind', 'outcome'],
      registers: [registry],
    }),
    capacityWarnings: new Counter({
      name: 'onecard_venue_capacity_warnings_total',
      help: 'Venue occupancy reaching the warning share (warning) or the capacity (full)',
      labelNames: ['venue', 'level'],
      registers: [registry],
    }),
  };
}
