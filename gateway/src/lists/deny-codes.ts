// Deny reasons as their wire codes (protos/onecard/v1/lists.proto DenyReason).
import type { DenyReasonName } from '../../../core/decide.js';
import { v1 } from '../../../protos/wire.js';

export const denyReasons: Record<DenyReasonName, number> = {
  lost: v1.DenyReason.DENY_REASON_LOST,
  frozen: v1.DenyReason.DENY_REASON_FROZEN,
  negative_balance: v1.DenyReason.DENY_REASON_NEGATIVE_BALANCE,
};
