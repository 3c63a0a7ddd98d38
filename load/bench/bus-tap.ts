// The bus tap the benches plan and commit: a card let through online at a route's stop. One
// literal from the fields that vary, so each bench says only what is its own.
import type { TapInput } from '../../core/ledger.js';

export function busTap(
  operatorId: string,
  deviceId: string,
  seq: number,
  deviceTimeMs: number,
  cardToken: string,
  epoch?: string,
): TapInput {
  const tap: TapInput = {
    operatorId,
    deviceId,
    seq,
    deviceTimeMs,
    credential: 'card',
    cardToken,
    issuingRegion: '500228',
    routeId: 'r1',
    stopId: 's1',
    stationId: '',
    venueId: '',
    direction: 'board',
    edgeDecision: 'allow',
    edgeReason: 'OK',
    offline: false,
  };
  if (epoch !== undefined) tap.epoch = epoch;
  return tap;
}
