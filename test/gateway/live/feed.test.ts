import { describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { flatPricer } from '../../../core/pricing.js';
import { flatFare } from '../../../core/tariff/flat.js';
import { planVisit } from '../../../core/visit.js';
import { type LiveEvent, LiveFeed, SAMPLE } from '../../../gateway/src/live/feed.js';
import { cardState, tapInput } from '../../support/taps.js';

const ride = (seq: number, operatorId = 'busco', edgeDecision: 'allow' | 'deny' = 'allow') =>
  planTap(
    cardState(),
    tapInput({ seq, operatorId, edgeDecision, edgeReason: edgeDecision === 'deny' ? 'CARD_LOST' : 'OK' }),
    flatPricer(flatFare()),
    0,
  ).record;

describe('the live feed', () => {
  it('sends each subscriber one event per tick for its operator, counting every tap and sampling a few', () => {
    const feed = new LiveFeed(() => 42);
    const bus: LiveEvent[] = [];
    const all: LiveEvent[] = [];
    const stopBus = feed.subscribe('busco', (e) => bus.push(e));
    const stopAll = feed.subscribe(undefined, (e) => all.push(e));
    feed.publish(Array.from({ length: 1000 }, (_, i) => ride(i + 1)));
    feed.publish([ride(5000, 'metroco'), ride(5001, 'busco', 'deny')]);
    feed.tick();
    expect(bus).toHaveLength(1);
    expect(bus[0]).toMatchObject({ at: 42, taps: 1001, denied: 1 });
    expect(bus[0]!.sample).toHaveLength(SAMPLE);
    expect(bus[0]!.sample.at(-1)).toMatchObject({ operatorId: 'busco', reason: expect.any(String) });
    expect(all[0]).toMatchObject({ taps: 1002, denied: 1 });
    feed.tick();
    expect(bus[1]).toMatchObject({ taps: 0, sample: [] });
    stopBus();
    stopAll();
  });

  it('shows venue entries as well as rides', () => {
    const feed = new LiveFeed(() => 0);
    const got: LiveEvent[] = [];
    const stop = feed.subscribe('museum', (e) => got.push(e));
    const visit = planVisit(
      cardState(),
      tapInput({ seq: 1, operatorId: 'museum', venueId: 'm-1', routeId: '', record: 'visit' }),
      0,
      0,
    ).record;
    expect(visit.kind).toBe('visit');
    feed.publish([visit]);
    feed.tick();
    expect(got[0]).toMatchObject({ taps: 1, sample: [{ venueId: 'm-1' }] });
    stop();
  });

  it('keeps nothing when nobody watches', () => {
    const feed = new LiveFeed(() => 0);
    feed.publish([ride(1)]);
    const got: LiveEvent[] = [];
    const stop = feed.subscribe(undefined, (e) => got.push(e));
    feed.tick();
    expect(got[0]!.taps).toBe(0);
    stop();
  });
});
