// The result stored under a dedupe key (and answered to a resend) on Redis: a compact positional
// string "<outcome>,<chargedFen>,<balanceAfterFen>,<reason>" with the wire codes of protos/codec.ts
// (docs/decisions/0210), e.g. "1,200,800,0". Values written before 0210 are the result's JSON
// and start with '{': they stay in the dedupe window for up to its length and still decode.
import type { EffectResult } from '../../../core/ledger.js';
import { outcomes, reasonCode, reasonName } from '../../../protos/codec.js';

export function encodeResult(r: EffectResult): string {
  const outcome = outcomes.code[r.outcome];
  const reason = reasonCode(r.reason);
  // A name the wire has no code for (none today) keeps its JSON rather than decode as another.
  if (outcome === undefined || (reason === 0 && r.reason !== 'UNSPECIFIED')) return JSON.stringify(r);
  return `${outcome},${r.chargedFen},${r.balanceAfterFen},${reason}`;
}

export function decodeResult(text: string): EffectResult {
  if (text.charCodeAt(0) === 123 /* { */) return JSON.parse(text) as EffectResult;
  const [o, charged, balance, reason] = text.split(',');
  const outcome = outcomes.name[Number(o)];
  if (outcome === undefined || reason === undefined || !/^\d+$/.test(reason))
    throw new Error(`not a stored effect result: '${text.slice(0, 80)}'`);
  return {
    outcome,
    chargedFen: Number(charged),
    balanceAfterFen: Number(balance),
    reason: reasonName(Number(reason)),
  };
}
