// Device profiles: what kind of device an edge agent runs on. The profile decides the rules;
// the agent code is one. Entry rules per profile (anti-passback, entries per day, slot
// tolerance) are data in core/entry/rules.ts; what the profile fixes is the kind of passage.
import type { DirectionName } from '../protos/codec.js';

export type ProfileName =
  | 'bus_validator'
  | 'metro_entry_gate'
  | 'metro_exit_gate'
  | 'station_id_gate'
  | 'library_gate'
  | 'museum_gate'
  | 'scenic_turnstile';

/**
 * What lets a card through, besides not being on the deny list:
 * - fare: a transit account pays (at this tap or at the exit); a negative balance refuses.
 * - identity: the card is an ID credential only (交通服务 station ID check); no fare.
 * - reader_card: the card is the library reader card (图书借阅).
 * - reservation: a reservation for this venue and the current time slot (文化场馆预约).
 * - ticket_or_pass: a ticket, an annual pass (旅游年卡) or a free-entry concession.
 */
export type AdmissionName = 'fare' | 'identity' | 'reader_card' | 'reservation' | 'ticket_or_pass';

export interface Profile {
  name: ProfileName;
  /** Direction of every tap on this device. */
  direction: DirectionName;
  /** Which location fields the device must be configured with. */
  requires: ReadonlyArray<'routeId' | 'stationId' | 'venueId'>;
  admission: AdmissionName;
  /** What the gateway records for a tap: a ride (fares, core/ledger.ts) or a visit (core/visit.ts). */
  record: 'ride' | 'visit';
}

export const profiles: Readonly<Record<ProfileName, Profile>> = {
  bus_validator: {
    name: 'bus_validator',
    direction: 'board',
    requires: ['routeId'],
    admission: 'fare',
    record: 'ride',
  },
  metro_entry_gate: {
    name: 'metro_entry_gate',
    direction: 'entry',
    requires: ['stationId'],
    admission: 'fare',
    record: 'ride',
  },
  metro_exit_gate: {
    name: 'metro_exit_gate',
    direction: 'exit',
    requires: ['stationId'],
    admission: 'fare',
    record: 'ride',
  },
  station_id_gate: {
    name: 'station_id_gate',
    direction: 'entry',
    requires: ['stationId'],
    admission: 'identity',
    record: 'visit',
  },
  library_gate: {
    name: 'library_gate',
    direction: 'entry',
    requires: ['venueId'],
    admission: 'reader_card',
    record: 'visit',
  },
  museum_gate: {
    name: 'museum_gate',
    direction: 'entry',
    requires: ['venueId'],
    admission: 'reservation',
    record: 'visit',
  },
  scenic_turnstile: {
    name: 'scenic_turnstile',
    direction: 'entry',
    requires: ['venueId'],
    admission: 'ticket_or_pass',
    record: 'visit',
  },
};

export function isProfileName(s: string): s is ProfileName {
  return Object.hasOwn(profiles, s);
}
