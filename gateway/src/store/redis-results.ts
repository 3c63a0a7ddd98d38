// The result stored under a dedupe key (and answered to a resend) on Redis, the one codec for it.
// Since 0222: "<outcome><reason><charged>:<balance>", the outcome's wire code as one base-36
// digit, the reason's as two, then the fen charged and the balance after as base-36 integers
// ('-' before a negative one), e.g. "100" + "5k" + ":" + "3pc" for outcome 1, reason 0, 200
// charged, 4,800 left: 9 characters where the decimal form below took 12 and a larger balance 13
// or more. A Redis string of up to 12 bytes takes a 16-byte allocation, 13 to 28 a 32-byte one,
// so in the tap dedupe buckets (hash tables at a city's size) this is 16 bytes a tap
// (docs/decisions/0222).
// Read as well, and never written again: "<outcome>,<charged>,<balance>,<reason>" in decimal
// (0210 to 0222) and the result's JSON, starting with '{' (before 0210). Both stay in the dedupe
// window for up to its length after an upgrade.
import type { EffectResult } from '../../../core/ledger.js';
import { outcomes, reasonCode, reasonName } from '../../../protos/codec.js';
import type { PackWriter } from './msgpack.js';

const INTEGER = /^-?[0-9a-z]{1,11}$/;

export function encodeResult(r: EffectResult): string {
  const head = compactHead(r);
  return head === undefined ? JSON.stringify(r) : head + r.balanceAfterFen.toString(36);
}

/**
 * encodeResult's text as a MessagePack str (the commit's result column), written from its head
 * and the balance's digits: the same bytes as `w.str(encodeResult(r))`, with no string made for
 * either the balance or the whole (docs/decisions/0240).
 */
export function packResult(w: PackWriter, r: EffectResult): void {
  const head = compactHead(r);
  if (head === undefined) w.str(JSON.stringify(r));
  else w.strInt(head, r.balanceAfterFen, 36);
}

/** The compact form up to the balance, or undefined for a result that keeps its JSON. */
function compactHead(r: EffectResult): string | undefined {
  const outcome = outcomes.code[r.outcome];
  const reason = reasonCode(r.reason);
  // A name the wire has no code for (none today) keeps its JSON rather than decode as another;
  // so do codes past one and two base-36 digits and amounts that are not safe integers.
  if (
    outcome === undefined ||
    outcome >= 36 ||
    reason >= 36 * 36 ||
    (reason === 0 && r.reason !== 'UNSPECIFIED') ||
    !Number.isSafeInteger(r.chargedFen) ||
    !Number.isSafeInteger(r.balanceAfterFen)
  )
    return undefined;
  // The text up to the balance is the one before it for most taps (a route's fare, applied):
  // kept, so a tap builds one number's digits, not four fields (0233).
  if (outcome !== last.outcome || reason !== last.reason || r.chargedFen !== last.charged) {
    last.outcome = outcome;
    last.reason = reason;
    last.charged = r.chargedFen;
    last.head = `${outcome.toString(36)}${reason.toString(36).padStart(2, '0')}${r.chargedFen.toString(36)}:`;
  }
  return last.head;
}

/** encodeResult's last head: one entry, so bounded whatever amounts come. */
const last = { outcome: -1, reason: -1, charged: Number.NaN, head: '' };

export function decodeResult(text: string): EffectResult {
  if (text.charCodeAt(0) === 123 /* { */) return JSON.parse(text) as EffectResult;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    const charged = text.slice(3, colon);
    const balance = text.slice(colon + 1);
    const outcome = outcomes.name[Number.parseInt(text.slice(0, 1), 36)];
    const reason = text.slice(1, 3);
    if (
      outcome === undefined ||
      !/^[0-9a-z]{2}$/.test(reason) ||
      !INTEGER.test(charged) ||
      !INTEGER.test(balance)
    )
      throw notAResult(text);
    return {
      outcome,
      chargedFen: Number.parseInt(charged, 36),
      balanceAfterFen: Number.parseInt(balance, 36),
      reason: reasonName(Number.parseInt(reason, 36)),
    };
  }
  const [o, charged, balance, reason] = text.split(',');
  const outcome = outcomes.name[Number(o)];
  if (outcome === undefined || reason === undefined || !/^\d+$/.test(reason)) throw notAResult(text);
  return {
    outcome,
    chargedFen: Number(charged),
    balanceAfterFen: Number(balance),
    reason: reasonName(Number(reason)),
  };
}

function notAResult(text: string): Error {
  return new Error(`not a stored effect result: '${text.slice(0, 80)}'`);
}
