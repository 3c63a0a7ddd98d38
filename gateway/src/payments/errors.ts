// Refusals of paid top-ups, counter top-up limits and notifications: a stable code and the
// HTTP status the error handler answers with as problem+json (it reads statusCode and code).

export type PaymentErrorCode =
  | 'PAYMENT_NOT_CONFIGURED'
  | 'PAYMENT_PROVIDER_UNAVAILABLE'
  | 'PAYMENT_REQUIRED'
  | 'PAYMENT_BAD_SIGNATURE'
  | 'PAYMENT_STALE_NOTIFICATION'
  | 'PAYMENT_ORDER_UNKNOWN'
  | 'PAYMENT_AMOUNT_MISMATCH'
  | 'PAYMENT_ORDER_EXPIRED'
  | 'PAYMENT_TXN_MISMATCH'
  | 'PAYMENT_ORDER_NOT_REFUNDABLE'
  | 'PAYMENT_REFUND_BALANCE'
  | 'PAYMENT_CONFLICT'
  | 'TOPUP_LIMIT_SINGLE'
  | 'TOPUP_LIMIT_DAILY'
  | 'TOPUP_LIMIT_BALANCE'
  | 'TOPUP_LIMIT_OPERATOR_DAILY';

const STATUS: Record<PaymentErrorCode, number> = {
  PAYMENT_NOT_CONFIGURED: 503,
  PAYMENT_PROVIDER_UNAVAILABLE: 502,
  // The direct holder top-up is gone for good (docs/decisions/0151).
  PAYMENT_REQUIRED: 410,
  PAYMENT_BAD_SIGNATURE: 400,
  PAYMENT_STALE_NOTIFICATION: 400,
  PAYMENT_ORDER_UNKNOWN: 404,
  PAYMENT_AMOUNT_MISMATCH: 409,
  PAYMENT_ORDER_EXPIRED: 409,
  PAYMENT_TXN_MISMATCH: 409,
  PAYMENT_ORDER_NOT_REFUNDABLE: 409,
  PAYMENT_REFUND_BALANCE: 409,
  PAYMENT_CONFLICT: 409,
  TOPUP_LIMIT_SINGLE: 422,
  TOPUP_LIMIT_DAILY: 422,
  TOPUP_LIMIT_BALANCE: 422,
  TOPUP_LIMIT_OPERATOR_DAILY: 422,
};

export class PaymentError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: PaymentErrorCode,
    message: string,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}
