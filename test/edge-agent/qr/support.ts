// A device's verifier with the QR gate, the entry rules of its configuration (rules/config.ts),
// a memory journal, lists given as a table of holders and a settable clock: card taps and QR
// scans go through the same verifier, as on a real device.
import { rawPublicKey } from '../../../core/credentials/index.js';
import type { Entitlement } from '../../../core/facts.js';
import { profiles } from '../../../core/profiles.js';
import type { EdgeConfig } from '../../../edge-agent/src/config.js';
import { MemoryJournal } from '../../../edge-agent/src/journal/memory.js';
import { silentLogger } from '../../../edge-agent/src/log.js';
import { openQrGate } from '../../../edge-agent/src/qr/gate.js';
import { gateFrom } from '../../../edge-agent/src/rules/config.js';
import { EntryEngine } from '../../../edge-agent/src/rules/engine.js';
import { MemoryHistory } from '../../../edge-agent/src/rules/history.js';
import { type DecisionEvent, Verifier } from '../../../edge-agent/src/verifier.js';
import type { DenyReasonName } from '../../../protos/codec.js';
import { issuer, NOW, rotatedIssuer } from '../../core/credentials/fixtures.js';
import { edgeConfig } from '../support.js';

/** The token of the fixtures' e-card credential and tickets (test/core/credentials/fixtures.ts). */
export const TOKEN = '00112233445566778899aabbccddeeff';

/** What the device's lists say about one card token. */
export interface Listed {
  deny?: DenyReasonName;
  flags?: number;
  entitlements?: Entitlement[];
}

export interface DeviceOptions {
  /** Lists by card token (hex); a token not here is on no list. */
  holders?: Record<string, Listed>;
  /** Recognised issuing regions; absent: no region list yet (every region passes). */
  regions?: string[];
  online?: boolean;
  clock?: { now: number };
}

export function device(over: Partial<EdgeConfig> = {}, opts: DeviceOptions = {}) {
  const config = edgeConfig({
    deviceId: 'gate-1',
    profile: 'museum_gate',
    routeId: '',
    venueId: 'museum-1',
    journalFile: ':memory:',
    qrIssuerKeys: `1:${rawPublicKey(issuer.publicKey).toString('hex')},2:${rawPublicKey(rotatedIssuer.publicKey).toString('hex')}`,
    qrOutsidePrefixes: 'HSA:',
    ...over,
  });
  const clock = opts.clock ?? { now: NOW };
  const online = () => opts.online ?? false;
  const journal = new MemoryJournal();
  const events: DecisionEvent[] = [];
  const qr = openQrGate(config, { isOnline: online, now: () => clock.now, log: silentLogger });
  const profile = profiles[config.profile];
  const verifier = new Verifier({
    qr: qr.gate,
    profile,
    location: {
      routeId: config.routeId,
      stopId: config.stopId,
      stationId: config.stationId,
      venueId: config.venueId,
    },
    tokenKey: Buffer.from(config.tokenKeyHex, 'hex'),
    facts: (t, region) => {
      const listed = opts.holders?.[Buffer.from(t).toString('hex')] ?? {};
      return {
        deny: listed.deny,
        flags: listed.flags ?? 0,
        regionRecognised: opts.regions === undefined || opts.regions.includes(region),
        entitlements: listed.entitlements ?? [],
      };
    },
    rules: new EntryEngine({
      gate: gateFrom(config),
      history: new MemoryHistory(100),
      lastAckedSeq: () => journal.lastAckedSeq(),
    }),
    journal,
    isOnline: online,
    now: () => clock.now,
    onDecision: (e) => events.push(e),
  });
  const scan = (qrText: string) => verifier.handle({ cardNumber: '', credential: 'qr', qrText });
  const tap = (cardNumber: string, issuingRegion = '500228') =>
    verifier.handle({ cardNumber, issuingRegion, credential: 'card' });
  return { scan, tap, journal, events, close: qr.close, clock, config };
}
