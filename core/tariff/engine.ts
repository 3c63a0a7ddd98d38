// The tariff engine: (tariff, card's flags and fare state, tap) → (charge, lines explaining every
// fen, new fare state). Pure: no clock (the tap's device time is the time), no I/O.
// Journey halves (entry, exit) are paired here; docs/decisions/0110 says how taps that arrive
// late or out of order are handled.
import type { CredentialName, DirectionName } from '../../protos/codec.js';
import type { CompiledTariff } from './compile.js';
import { accumulate, caps, concession, mediumDiscount, type Rider, spendTier } from './discounts.js';
import { applyTransfer, type Leg, type LegPrice, maxLegFrom, priceLeg } from './legs.js';
import { type FareLine, type FareLineKind, sumLines, waivedByConcession, yuan } from './lines.js';
import type { FareState, PendingTap } from './state.js';

export interface TariffTap {
  direction: DirectionName;
  operatorId: string;
  routeId: string;
  stopId: string;
  stationId: string;
  credential: CredentialName;
  /** Device time, Unix ms. */
  at: number;
}

export type TariffReason =
  | 'OK'
  | 'ENTRY_RECORDED'
  | 'CONCESSION_FREE'
  | 'TARIFF_MISSING_TAP_OUT'
  | 'TARIFF_LATE_TAP_CORRECTED'
  | 'TARIFF_NO_TAP_IN'
  | 'TARIFF_CAP_REACHED'
  | 'TARIFF_TRANSFER'
  | 'TARIFF_NO_FARE_RULE';

export interface Priced {
  /** Sum of lines; negative when a late half of a journey gives back more than it costs. */
  chargeFen: number;
  /** Cash prices of the legs charged (base, missing tap-out, no tap-in lines). */
  baseFen: number;
  /** Rider category applied, or 'none'. */
  concession: string;
  lines: FareLine[];
  state: FareState;
  reason: TariffReason;
}

interface Ctx {
  t: CompiledTariff;
  rider: Rider;
  state: FareState;
  lines: FareLine[];
  concession: string;
  /** Bits of PRECEDENCE: the tariff reasons this tap met (a number, not a Set: one per tap). */
  flags: number;
}

function note(ctx: Ctx, reason: TariffReason): void {
  ctx.flags |= 1 << PRECEDENCE.indexOf(reason);
}

function networkOf(t: CompiledTariff, tap: TariffTap): string | undefined {
  return (
    t.networkOfRoute.get(tap.routeId) ??
    (tap.stationId ? t.networkOfStation.get(tap.stationId) : undefined) ??
    t.networkOfOperator.get(tap.operatorId) ??
    t.catchAll
  );
}

/** Runs a priced leg through transfers and discounts, adds its lines, updates the state. */
function charge(
  ctx: Ctx,
  leg: Leg,
  price: LegPrice,
  baseKind: FareLineKind,
  prefix: string,
  transfers: boolean,
): void {
  const { t, state, lines } = ctx;
  lines.push({ kind: baseKind, fen: price.fen, note: `${prefix}${price.note}` });
  let fen = price.fen;
  const transfer = transfers ? applyTransfer(t, state.last, leg, price) : undefined;
  if (transfer) {
    if (transfer.fen !== fen) lines.push({ kind: 'transfer', fen: transfer.fen - fen, note: transfer.note });
    fen = transfer.fen;
    note(ctx, 'TARIFF_TRANSFER');
    const last = state.last!;
    state.last = { g: price.legGroupId, d: leg.dep, a: leg.arr, k: last.k + 1, p: last.p + fen };
  } else if (transfers) {
    state.last = { g: price.legGroupId, d: leg.dep, a: leg.arr, k: 0, p: fen };
  } else {
    state.last = undefined;
  }
  const start = lines.length;
  fen = mediumDiscount(t, ctx.rider, leg.networkId, fen, lines);
  const c = concession(t, ctx.rider, leg.networkId, price.fen, fen, lines);
  fen = c.fen;
  if (c.category !== 'none') ctx.concession = c.category;
  fen = spendTier(t, state, leg.networkId, leg.arr, fen, lines);
  const before = lines.length;
  fen = caps(t, state, leg.networkId, leg.arr, fen, lines);
  if (lines.length > before) note(ctx, 'TARIFF_CAP_REACHED');
  if (prefix) for (let i = start; i < lines.length; i++) lines[i]!.note = `${prefix}${lines[i]!.note}`;
  accumulate(t, state, leg.networkId, leg.arr, fen);
}

/**
 * Charges the maximum fare for a journey whose other half is missing; answers the charge and
 * the concession waived on it (w, left out when 0) for a late half to give back (0162).
 */
function chargeMax(
  ctx: Ctx,
  p: PendingTap,
  at: number,
  kind: 'missing_tap_out' | 'no_tap_in',
): Pick<PendingTap, 'c' | 'w'> {
  const price = maxLegFrom(ctx.t, p.n, p.s, p.t);
  if (!price) return { c: 0 };
  const start = ctx.lines.length;
  const what =
    kind === 'missing_tap_out'
      ? `no exit after entry at ${p.s}: maximum fare, `
      : `no entry before exit at ${p.s}: maximum fare, `;
  charge(ctx, { networkId: p.n, from: p.s, to: '', dep: p.t, arr: at }, price, kind, what, false);
  note(ctx, kind === 'missing_tap_out' ? 'TARIFF_MISSING_TAP_OUT' : 'TARIFF_NO_TAP_IN');
  const added = ctx.lines.slice(start);
  const w = waivedByConcession(added);
  return w === 0 ? { c: sumLines(added) } : { c: sumLines(added), w };
}

/** A late half of a journey: give back the maximum fare charged, charge the real one. */
function correct(ctx: Ctx, p: PendingTap, leg: Leg, at: number): void {
  // Its concession waiver goes back too, or a claim counts the maximum and the real fare (0162):
  // the reversal takes off the fare before the concession, a line puts back what was not paid.
  const w = p.w ?? 0;
  const charged = w === 0 ? ' charged' : '';
  const fen = p.c + w;
  ctx.lines.push({
    kind: 'reversal',
    fen: -fen,
    note: `maximum fare ${yuan(fen)}${charged} for the unmatched tap at ${p.s} given back`,
  });
  if (w !== 0) ctx.lines.push({ kind: 'concession', fen: w, note: `${yuan(w)} of it waived, not charged` });
  accumulate(ctx.t, ctx.state, p.n, at, -p.c);
  // The corrected journey is closed: it takes no part in transfers (state.last is cleared).
  const price = priceLeg(ctx.t, leg, ctx.rider.medium);
  if (price) charge(ctx, leg, price, 'base', '', false);
  else note(ctx, 'TARIFF_NO_FARE_RULE');
  note(ctx, 'TARIFF_LATE_TAP_CORRECTED');
}

function expire(t: CompiledTariff, state: FareState, at: number): void {
  for (const key of ['unf', 'ux'] as const) {
    const p = state[key];
    const rules = p && t.networks.get(p.n)?.tapOut;
    if (p && (!rules || Math.abs(at - p.t) > rules.correctWithinMin * 60_000)) state[key] = undefined;
  }
}

const PRECEDENCE: TariffReason[] = [
  'TARIFF_LATE_TAP_CORRECTED',
  'TARIFF_MISSING_TAP_OUT',
  'TARIFF_NO_TAP_IN',
  'TARIFF_NO_FARE_RULE',
  'TARIFF_CAP_REACHED',
  'TARIFF_TRANSFER',
];

export function priceTap(t: CompiledTariff, flags: number, before: FareState, tap: TariffTap): Priced {
  const state: FareState = { ...before };
  const ctx: Ctx = {
    t,
    rider: { flags, medium: tap.credential },
    state,
    lines: [],
    concession: 'none',
    flags: 0,
  };
  const net = networkOf(t, tap);
  const rules = net === undefined ? undefined : t.networks.get(net)?.tapOut;
  const station = tap.stationId || tap.stopId;
  expire(t, state, tap.at);

  // 1. An open entry this tap shows to be unfinished: a second entry on its network, or any
  //    tap later than the network's limit that is not its exit.
  const open = state.open;
  if (open) {
    const isExit = tap.direction === 'exit' && net === open.n;
    const limit = (t.networks.get(open.n)?.tapOut?.missingAfterMin ?? 0) * 60_000;
    const secondEntry = tap.direction === 'entry' && net === open.n && tap.at >= open.t;
    if (!isExit && (secondEntry || tap.at - open.t >= limit)) {
      state.open = undefined;
      state.unf = { ...open, ...chargeMax(ctx, open, tap.at, 'missing_tap_out') };
    }
  }

  // 2. The tap itself.
  if (net === undefined) {
    note(ctx, 'TARIFF_NO_FARE_RULE');
  } else if (rules && tap.direction === 'entry') {
    const ux = state.ux;
    if (ux && ux.n === net && ux.t >= tap.at) {
      state.ux = undefined;
      correct(ctx, ux, { networkId: net, from: station, to: ux.s, dep: tap.at, arr: ux.t }, tap.at);
    } else if (state.open?.n === net && state.open.t > tap.at) {
      // An entry older than the open one (an offline gate's late batch): a later entry exists,
      // so this journey is unfinished as far as we know; its late exit can still correct it.
      const older = { n: net, s: station, t: tap.at, c: 0 };
      state.unf = { ...older, ...chargeMax(ctx, older, tap.at, 'missing_tap_out') };
    } else {
      state.open = { n: net, s: station, t: tap.at, c: 0 };
    }
  } else if (rules && tap.direction === 'exit') {
    // An exit earlier than the open entry belongs to an earlier journey (an offline gate's late batch).
    const entry = state.open?.n === net && state.open.t <= tap.at ? state.open : undefined;
    const unf = state.unf?.n === net && state.unf.t <= tap.at ? state.unf : undefined;
    if (entry) {
      state.open = undefined;
      const leg = { networkId: net, from: entry.s, to: station, dep: entry.t, arr: tap.at };
      const price = priceLeg(t, leg, ctx.rider.medium);
      if (price) charge(ctx, leg, price, 'base', '', true);
      else note(ctx, 'TARIFF_NO_FARE_RULE');
    } else if (unf) {
      state.unf = undefined;
      correct(ctx, unf, { networkId: net, from: unf.s, to: station, dep: unf.t, arr: tap.at }, tap.at);
    } else {
      const pending = { n: net, s: station, t: tap.at, c: 0 };
      state.ux = { ...pending, ...chargeMax(ctx, pending, tap.at, 'no_tap_in') };
    }
  } else if (tap.direction !== 'exit') {
    const leg = { networkId: net, from: station, to: '', dep: tap.at, arr: tap.at };
    const price = priceLeg(t, leg, ctx.rider.medium);
    if (price) charge(ctx, leg, price, 'base', '', true);
    else note(ctx, 'TARIFF_NO_FARE_RULE');
  }

  return finish(ctx, tap.direction === 'entry' && rules !== undefined);
}

/** An overdue open entry closed by the sweep: what priceTap gives, and when it was due. */
export interface Overdue extends Priced {
  /** The entry charged as unfinished. */
  entry: PendingTap;
  /** When it became overdue (entry time + the network's limit): the charge's time. */
  at: number;
}

/**
 * The sweep's half of a missing tap-out (docs/decisions/0113): an open entry that no tap has
 * closed by `now`, its network's limit after it, is charged as unfinished exactly as a later
 * tap would charge it (line missing_tap_out, `unf` for the late exit to correct). The charge
 * is dated when the entry became overdue, not when the sweep ran, so every sweeper plans the
 * same charge (caps and tiers count it in that period). The open entry does not remember the
 * medium, so medium discounts are those of the physical card. Undefined: nothing is due.
 */
export function closeOverdue(
  t: CompiledTariff,
  flags: number,
  before: FareState,
  now: number,
): Overdue | undefined {
  const entry = before.open;
  const rules = entry && t.networks.get(entry.n)?.tapOut;
  if (!entry || !rules) return undefined;
  const at = entry.t + rules.missingAfterMin * 60_000;
  if (now < at) return undefined;
  const state: FareState = { ...before, open: undefined };
  const ctx: Ctx = { t, rider: { flags, medium: 'card' }, state, lines: [], concession: 'none', flags: 0 };
  expire(t, state, at);
  state.unf = { ...entry, ...chargeMax(ctx, entry, at, 'missing_tap_out') };
  // A station the tariff cannot price from is still closed (the card leaves the sweep), uncharged.
  if (ctx.lines.length === 0) note(ctx, 'TARIFF_NO_FARE_RULE');
  return { ...finish(ctx, false), entry, at };
}

function finish(ctx: Ctx, entryRecorded: boolean): Priced {
  const chargeFen = sumLines(ctx.lines);
  let baseFen = 0;
  for (const l of ctx.lines)
    if (l.kind === 'base' || l.kind === 'missing_tap_out' || l.kind === 'no_tap_in') baseFen += l.fen;
  const reason =
    PRECEDENCE.find((_, i) => (ctx.flags & (1 << i)) !== 0) ??
    (entryRecorded && ctx.lines.length === 0
      ? 'ENTRY_RECORDED'
      : chargeFen === 0 && baseFen > 0 && ctx.concession !== 'none'
        ? 'CONCESSION_FREE'
        : 'OK');
  return {
    chargeFen,
    baseFen,
    concession: ctx.concession,
    lines: ctx.lines,
    state: clean(ctx.state),
    reason,
  };
}

/** Drops undefined keys so the stored JSON stays small and comparable. */
function clean(s: FareState): FareState {
  const out: FareState = {};
  if (s.open) out.open = s.open;
  if (s.unf) out.unf = s.unf;
  if (s.ux) out.ux = s.ux;
  if (s.last) out.last = s.last;
  if (s.acc && Object.keys(s.acc).length > 0) out.acc = s.acc;
  return out;
}
