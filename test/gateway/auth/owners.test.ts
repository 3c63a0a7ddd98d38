// Who owns what, read from the files the gateway runs on: the venue files name each venue's
// operator; the Beijing tariff gives its metro network to bj-metro and names nobody for the
// distance-fare buses (docs/decisions/0154).
import { describe, expect, it } from 'vitest';
import { ownersFrom } from '../../../gateway/src/auth/owners.js';
import { readTariff, tariffPath } from '../../../gateway/src/tariff/load.js';
import { loadVenues } from '../../../gateway/src/venues/load.js';

describe('ownersFrom', () => {
  const venues = loadVenues();
  const owners = ownersFrom({
    venues: { find: (id) => venues.get(id) },
    tariff: readTariff(tariffPath('beijing')),
  });

  it('a venue belongs to the operator its file names; an unknown venue to nobody', () => {
    expect(owners.venue('bj-national-museum')).toBe('bj-museums');
    expect(owners.venue('bj-scenic-park')).toBe('bj-parks');
    expect(owners.venue('nowhere')).toBeUndefined();
  });

  // The network is found as the fare engine finds it (core/tariff/engine.ts): route, then station.
  it("a route or station belongs to its network's operators, when the tariff names them", () => {
    expect(owners.place('', 'bj-xidan')).toEqual(['bj-metro']);
    expect(owners.place('metro-1', 'bj-xidan')).toEqual(['bj-metro']);
    expect(owners.place('bus-1', '')).toBeUndefined();
    expect(owners.place('r-unknown', '')).toBeUndefined();
  });

  it('with no tariff and no venues, nothing is anyone’s', () => {
    const none = ownersFrom({});
    expect(none.venue('bj-national-museum')).toBeUndefined();
    expect(none.place('metro-1', 'bj-xidan')).toBeUndefined();
  });
});
