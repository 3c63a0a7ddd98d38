// The venue API's refusals: a stable code (core/venue/model.ts VenueRefusal and a few of the
// service's own) and the HTTP status the error handler answers with, as problem+json.
import type { VenueRefusal } from '../../../core/venue/model.js';

export type VenueErrorCode =
  | VenueRefusal
  | 'VENUE_NOT_FOUND'
  | 'BOOKING_NOT_FOUND'
  | 'VENUE_CARD_UNKNOWN'
  | 'VENUE_CONFLICT'
  | 'VENUE_BAD_DATE';

const STATUS: Record<VenueErrorCode, number> = {
  VENUE_BAD_DATE: 400,
  VENUE_NOT_FOUND: 404,
  BOOKING_NOT_FOUND: 404,
  VENUE_CARD_UNKNOWN: 404,
  VENUE_PRODUCT_UNKNOWN: 404,
  VENUE_SLOT_UNKNOWN: 404,
  VENUE_DAY_OUT_OF_RANGE: 422,
  VENUE_SLOT_CLOSED: 422,
  VENUE_PARTY_TOO_LARGE: 422,
  VENUE_WALK_IN_CLOSED: 422,
  VENUE_NO_SHOW_BLOCKED: 403,
  VENUE_CARD_NOT_ACTIVE: 403,
  VENUE_FULL: 409,
  VENUE_ALREADY_BOOKED: 409,
  VENUE_NOT_CANCELLABLE: 409,
  VENUE_CONFLICT: 409,
  VENUE_INSUFFICIENT_BALANCE: 402,
};

/** statusCode and code are what the HTTP error handler answers with (problem+json). */
export class VenueError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: VenueErrorCode,
    message: string,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}
