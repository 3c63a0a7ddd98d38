// The tariff as data (docs/tariffs.md): what an operator writes in JSON, modelled on GTFS-Fares v2
// (fare media, rider categories, fare products, leg rules, transfer rules, timeframes, areas)
// plus what Chinese tariffs need and GTFS lacks (distance scales for tap-in/tap-out, missing
// tap-out handling, caps, monthly spend tiers, card discounts over the cash price).
// Money is integer fen everywhere; distances are integer metres.

import type { ConcessionName } from '../concession.js';

export const TARIFF_FORMAT = 'onecard-tariff/1';

export type MediumType = 'physical_card' | 'ecard_qr';

export interface FareMedium {
  /** Matches the tap's credential: 'card' (physical card) or 'qr' (e-card QR). */
  id: 'card' | 'qr';
  name: string;
  type: MediumType;
  /** Discount of this medium over the cash price, per network (e.g. Beijing bus cards: 50 % off). */
  discounts?: { networkId: string; percentOff: number }[];
}

/** The built-in concessions as tariffs have always named them (core/concession.ts, any case). */
export type ConcessionFlagName = 'senior' | 'disabled' | 'student' | 'veteran';

/** A concession the tariff adds to the built-in ones (docs/decisions/0186). */
export interface TariffConcession {
  /** Its name on cards and in eligibleFlags: upper case, e.g. 'BLOOD_DONOR'. */
  id: ConcessionName;
  name: string;
  /** Its bit in a card's flags: a power of two from 256 up, never changed once cards hold it. */
  bit: number;
}

export interface RiderCategory {
  id: string;
  name: string;
  /** Who is eligible: a card holding any of these concessions (built in, or the tariff's own). */
  eligibleFlags: ConcessionName[];
  /** Networks where the category applies; absent means every network. */
  networkIds?: string[];
  /**
   * free: fare 0, the ride is still recorded with the waived amount (the operator's subsidy claim);
   * percentOfBase: the rider pays this share of the cash price (rounded down to the fen).
   */
  discount: { kind: 'free' } | { kind: 'percent_of_base'; percent: number };
}

export interface TapOutRules {
  /**
   * An entry with no exit is unfinished once a later tap of the card arrives this long after it
   * (or a second entry on the network arrives): it is charged the maximum fare from its station.
   */
  missingAfterMin: number;
  /** How long after an entry a late exit (or after an exit a late entry) still corrects it. */
  correctWithinMin: number;
}

export interface Network {
  id: string;
  name: string;
  /** Taps of these operators fall in this network when their route has no network of its own. */
  operatorIds?: string[];
  /** Present: legs are priced at the exit tap from the entry station (tap-in/tap-out). */
  tapOut?: TapOutRules;
  /**
   * Taps that no route, station or operator places in another network fall in this one (at most
   * one). GTFS-Fares v2: a leg rule with an empty network_id applies to every route, including
   * routes of no network (docs/decisions/0112).
   */
  catchAll?: boolean;
}

export interface Line {
  id: string;
  networkId: string;
  /** Stations in line order with their distance from the line's first station, metres. */
  stations: { stationId: string; atM: number }[];
}

export interface DistanceScale {
  id: string;
  /** Ascending: a leg up to upToM metres (inclusive) costs fen. */
  bands: { upToM: number; fen: number }[];
  /** Beyond the last band: fen more for each started stepM metres. */
  beyond: { stepM: number; fen: number };
}

export interface FareProduct {
  id: string;
  name: string;
  /** Cash price, fen; may be negative for a transfer product that is a discount (GTFS A+AB+B). */
  amountFen: number;
  /** What an e-card QR tap pays when it differs from amountFen (GTFS: a price per fare medium). */
  qrFen?: number;
}

/** One interval of a timeframe; several entries with one id make a timeframe of several intervals (as in GTFS). */
export interface Timeframe {
  id: string;
  /** Local minutes after midnight (in the tariff's timezone), [start, end). */
  startMin: number;
  endMin: number;
  /** ISO weekdays (1 Monday … 7 Sunday); absent means every day. */
  days?: number[];
  /** Local dates 'YYYY-MM-DD', inclusive, between which it applies (GTFS calendar.txt); absent: open. */
  fromDate?: string;
  toDate?: string;
  /** Local dates it applies on whatever days and dates say (GTFS calendar_dates.txt, added). */
  addDates?: string[];
  /** Local dates it does not apply on (GTFS calendar_dates.txt, removed). */
  removeDates?: string[];
}

export interface LegRule {
  legGroupId: string;
  networkId?: string;
  fromAreaId?: string;
  toAreaId?: string;
  fromTimeframeId?: string;
  /** The timeframe the leg's arrival must fall in (GTFS to_timeframe_group_id). */
  toTimeframeId?: string;
  /** Exactly one of productId and distanceScaleId. */
  productId?: string;
  distanceScaleId?: string;
  /** Higher wins (GTFS rule_priority); then the more specific rule; then file order. */
  priority?: number;
  /**
   * The leg must not start (end) in these areas, or depart (arrive) in these timeframes. GTFS
   * without rule_priority reads an empty area or timeframe as "any but those other rules name"
   * (docs/decisions/0112); the importer lists them here.
   */
  exceptFromAreaIds?: string[];
  exceptToAreaIds?: string[];
  exceptFromTimeframeIds?: string[];
  exceptToTimeframeIds?: string[];
}

export type TransferType = 'a_ab' | 'a_ab_b' | 'ab';
export type DurationLimitType = 'dep_arr' | 'dep_dep' | 'arr_dep' | 'arr_arr';

export interface TransferRule {
  fromLegGroupId?: string;
  toLegGroupId?: string;
  durationLimitMin?: number;
  durationLimitType?: DurationLimitType;
  /** Transfers allowed in one journey; -1 unlimited. Default 1. */
  transferCount?: number;
  type: TransferType;
  /** The transfer product (AB); absent means 0 fen. */
  productId?: string;
}

export interface Cap {
  id: string;
  period: 'day' | 'week';
  networkIds: string[];
  amountFen: number;
}

export interface SpendTiers {
  id: string;
  networkIds: string[];
  /** Ascending fromFen starting at 0: the month's spend before a ride selects its discount. */
  tiers: { fromFen: number; percentOff: number }[];
}

export interface TariffDoc {
  format: typeof TARIFF_FORMAT;
  id: string;
  name: string;
  /** ISO 4217; amounts are in its minor unit (fen for CNY, the gateway's currency). */
  currency: string;
  /**
   * IANA zone in which timeframes are local times (GTFS agency_timezone); absent: China time
   * (UTC+8). Day and week periods of caps and tiers stay in China time.
   */
  timezone?: string;
  /** Where the figures come from (published rules), for people. */
  sources?: string[];
  media: FareMedium[];
  /** Concessions of this tariff beyond the built-in ones; absent: none. */
  concessions?: TariffConcession[];
  riderCategories: RiderCategory[];
  networks: Network[];
  routeNetworks: { routeId: string; networkId: string }[];
  lines: Line[];
  areas: { id: string; name: string }[];
  stopAreas: { areaId: string; stopId: string }[];
  timeframes: Timeframe[];
  products: FareProduct[];
  distanceScales: DistanceScale[];
  legRules: LegRule[];
  transferRules: TransferRule[];
  caps: Cap[];
  spendTiers: SpendTiers[];
}
