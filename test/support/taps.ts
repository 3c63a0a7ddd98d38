// Builders for taps and cards in tests.
import type { CardState } from '../../core/card.js';
import type { TapInput } from '../../core/ledger.js';

export function tapInput(overrides: Partial<TapInput> = {}): TapInput {
  return {
    operatorId: 'busco',
    deviceId: 'v1',
    seq: 1,
    deviceTimeMs: Date.UTC(2026, 10, 23, 8, 0, 0),
    credential: 'card',
    cardToken: 'aa'.repeat(16),
    issuingRegion: '500228',
    routeId: 'r12',
    stopId: 's3',
    stationId: '',
    venueId: '',
    direction: 'board',
    edgeDecision: 'allow',
    edgeReason: 'OK',
    offline: false,
    ...overrides,
  };
}

export function cardState(overrides: Partial<CardState> = {}): CardState {
  return {
    token: 'aa'.repeat(16),
    known: true,
    version: 3,
    balanceFen: 1000,
    status: 'active',
    flags: 0,
    masked: 'A12****78',
    region: '500228',
    fare: {},
    ...overrides,
  };
}
