// A venue entry gate's verifier with the QR gate, a memory journal and a settable clock.
import { rawPublicKey } from '../../../core/credentials/index.js';
import type { DenyReasonName } from '../../../core/decide.js';
import { defaultRules } from '../../../core/entry/rules.js';
import { noFacts } from '../../../core/facts.js';
import { profiles } from '../../../core/profiles.js';
import type { EdgeConfig } from '../../../edge-agent/src/config.js';
import { MemoryJournal } from '../../../edge-agent/src/journal/memory.js';
import { silentLogger } from '../../../edge-agent/src/log.js';
import { openQrGate } from '../../../edge-agent/src/qr/gate.js';
import { EntryEngine } from '../../../edge-agent/src/rules/engine.js';
import { MemoryHistory } from '../../../edge-agent/src/rules/history.js';
import { type DecisionEvent, Verifier } from '../../../edge-agent/src/verifier.js';
import { issuer, NOW, rotatedIssuer } from '../../core/credentials/fixtures.js';
import { edgeConfig } from '../support.js';

export const TOKEN = '00112233445566778899aabbccddeeff';

export function device(
  over: Partial<EdgeConfig> = {},
  opts: { denied?: DenyReasonName; online?: boolean; clock?: { now: number } } = {},
) {
  const config = edgeConfig({
    deviceId: 'gate-1',
    profile: 'metro_entry_gate',
    stationId: 'st-1',
    venueId: 'museum-1',
    journalFile: ':memory:',
    qrIssuerKeys: `1:${rawPublicKey(issuer.publicKey).toString('hex')},2:${rawPublicKey(rotatedIssuer.publicKey).toString('hex')}`,
    qrOutsidePrefixes: 'HSA:',
    ...over,
  });
  const clock = opts.clock ?? { now: NOW };
  const journal = new MemoryJournal();
  const events: DecisionEvent[] = [];
  const deny = { lookup: (t: string) => (t === TOKEN ? opts.denied : undefined) };
  const qr = openQrGate(config, {
    profile: profiles[config.profile],
    deny,
    isOnline: () => opts.online ?? false,
    now: () => clock.now,
    log: silentLogger,
  });
  const verifier = new Verifier({
    qr: qr.gate,
    profile: profiles[config.profile],
    location: { routeId: '', stopId: '', stationId: 'st-1', venueId: 'museum-1' },
    tokenKey: Buffer.from(config.tokenKeyHex, 'hex'),
    facts: (t) => {
      const reason = deny.lookup(Buffer.from(t).toString('hex'));
      return reason === undefined ? noFacts : { ...noFacts, deny: reason };
    },
    rules: new EntryEngine({
      gate: {
        profile: profiles[config.profile],
        rules: defaultRules[config.profile],
        venueId: 'museum-1',
        risk: { maxTapsPerCardPerHour: 0, maxUnconfirmedFen: 0, fareEstimateFen: 200 },
      },
      history: new MemoryHistory(100),
      lastAckedSeq: () => journal.lastAckedSeq(),
    }),
    journal,
    isOnline: () => opts.online ?? false,
    now: () => clock.now,
    onDecision: (e) => events.push(e),
  });
  const scan = (qrText: string) => verifier.handle({ cardNumber: '', credential: 'qr', qrText });
  return { scan, journal, events, close: qr.close, clock };
}
