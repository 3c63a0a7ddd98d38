// The short texts a device display and an operator console show for each reason code. The codes
// are the one enum onecard.v1.Reason (protos/onecard/v1/common.proto) behind every allow/deny and
// every gateway result; their names ("CARD_LOST") and the name ⇄ number mapping are derived from
// it in protos/codec.ts. Records and APIs carry the name; the wire carries the number.
import type { ReasonName } from '../protos/codec.js';

/** Device kinds, entry rules and offline risk (80–109): core/entry/. */
export type EntryReasonName = Extract<
  ReasonName,
  | 'IDENTITY_VERIFIED'
  | 'READER_CARD_ACCEPTED'
  | 'RESERVATION_ADMITTED'
  | 'TICKET_ADMITTED'
  | 'ANNUAL_PASS_ADMITTED'
  | 'CONCESSION_ENTRY'
  | 'EXIT_WITHOUT_ENTRY'
  | 'PASSBACK'
  | 'DAILY_LIMIT_REACHED'
  | 'NO_RESERVATION'
  | 'SLOT_NOT_STARTED'
  | 'SLOT_ENDED'
  | 'NO_TICKET'
  | 'ENTITLEMENT_USED_UP'
  | 'REGION_NOT_RECOGNISED'
  | 'OFFLINE_TAP_LIMIT'
  | 'OFFLINE_SPEND_LIMIT'
  | 'ENTITLEMENT_REUSED_OFFLINE'
>;

const entryDisplayText: Record<EntryReasonName, { zh: string; en: string }> = {
  IDENTITY_VERIFIED: { zh: '身份核验通过', en: 'Identity verified' },
  READER_CARD_ACCEPTED: { zh: '欢迎入馆', en: 'Welcome, reader card accepted' },
  RESERVATION_ADMITTED: { zh: '预约核验通过', en: 'Reservation confirmed, welcome' },
  TICKET_ADMITTED: { zh: '验票通过', en: 'Ticket accepted' },
  ANNUAL_PASS_ADMITTED: { zh: '年卡入园', en: 'Annual pass accepted' },
  CONCESSION_ENTRY: { zh: '优待免费入园', en: 'Free entry (concession)' },
  EXIT_WITHOUT_ENTRY: { zh: '无进站记录，请到服务台', en: 'No entry recorded, see staff' },
  PASSBACK: { zh: '请勿重复刷卡', en: 'Already passed, please wait' },
  DAILY_LIMIT_REACHED: { zh: '今日入场次数已满', en: 'Daily entry limit reached' },
  NO_RESERVATION: { zh: '无今日预约', en: 'No reservation for today' },
  SLOT_NOT_STARTED: { zh: '未到预约时段', en: 'Too early for your time slot' },
  SLOT_ENDED: { zh: '预约时段已过', en: 'Your time slot has ended' },
  NO_TICKET: { zh: '无有效门票', en: 'No valid ticket or pass' },
  ENTITLEMENT_USED_UP: { zh: '门票已使用', en: 'Ticket already used' },
  REGION_NOT_RECOGNISED: { zh: '暂不支持此发卡地', en: 'Card region not accepted here' },
  OFFLINE_TAP_LIMIT: { zh: '脱网刷卡次数已达上限', en: 'Offline tap limit reached' },
  OFFLINE_SPEND_LIMIT: { zh: '脱网消费额度已满', en: 'Offline spending limit reached' },
  ENTITLEMENT_REUSED_OFFLINE: { zh: '门票重复使用', en: 'Ticket used twice (offline)' },
};

/** What the rider reads on the validator's display, Chinese first (the display is bilingual). */
export const displayText: Record<ReasonName, { zh: string; en: string }> = {
  UNSPECIFIED: { zh: '请重试', en: 'Please try again' },
  OK: { zh: '刷卡成功', en: 'Thank you' },
  CONCESSION_FREE: { zh: '优惠乘车', en: 'Free ride (concession)' },
  ENTRY_RECORDED: { zh: '请进站', en: 'Entry recorded' },
  CARD_LOST: { zh: '此卡已挂失', en: 'Card reported lost' },
  CARD_FROZEN: { zh: '此卡已冻结', en: 'Card frozen' },
  BALANCE_NEGATIVE: { zh: '余额不足，请充值', en: 'Insufficient balance, please top up' },
  UNKNOWN_CARD: { zh: '无效卡', en: 'Card not recognised' },
  CHARGED_INTO_NEGATIVE: { zh: '余额不足，请充值', en: 'Balance below zero, please top up' },
  LOST_AFTER_THE_FACT: { zh: '此卡已挂失', en: 'Card reported lost' },
  DUPLICATE: { zh: '重复刷卡', en: 'Already recorded' },
  INVALID_TAP: { zh: '读卡失败，请重刷', en: 'Read error, tap again' },
  // The rider already passed (the device decided); these tell the device's display why nothing was charged.
  LOCATION_NOT_ALLOWED: {
    zh: '设备位置未登记，本次未扣费',
    en: 'Device location not registered: not charged',
  },
  LOCATION_NOT_PRICED: { zh: '此处暂无票价，本次未扣费', en: 'No fare for this place: not charged' },
  // The gateway already holds another tap under this one's (device, epoch, seq): not charged.
  SEQ_CONFLICT: { zh: '记录冲突，本次未扣费', en: 'Tap record conflict: not charged' },
  // The tap was held offline longer than the gateway matches taps for (docs/decisions/0196).
  BEYOND_WINDOW: { zh: '记录超期，本次未扣费', en: 'Tap too old to match: not charged' },
  QR_MALFORMED: { zh: '二维码无法识别', en: 'QR code not recognised' },
  QR_UNKNOWN_KEY: { zh: '二维码已失效，请刷新', en: 'Code key unknown, refresh the code' },
  QR_FORGED: { zh: '二维码无效', en: 'Invalid QR code' },
  QR_CODE_FORGED: { zh: '二维码无效', en: 'Invalid QR code' },
  QR_CREDENTIAL_EXPIRED: { zh: '电子社保卡凭证已过期，请联网更新', en: 'E-card expired, go online to renew' },
  QR_CREDENTIAL_NOT_YET_VALID: { zh: '电子社保卡凭证尚未生效', en: 'E-card not yet valid' },
  QR_CODE_EXPIRED: { zh: '二维码已过期，请刷新', en: 'Code expired, refresh it' },
  QR_CODE_NOT_YET_VALID: { zh: '手机时间有误，请校准', en: 'Phone clock is ahead, check it' },
  QR_REPLAYED: { zh: '二维码已使用，请刷新', en: 'Code already used, refresh it' },
  QR_WRONG_VENUE: { zh: '非本场馆门票', en: 'Ticket is for another venue' },
  // Deprecated (docs/decisions/0070): no longer produced; kept for records made before.
  QR_WRONG_DATE: { zh: '非当日门票', en: 'Ticket is for another day' },
  QR_WRONG_SLOT: { zh: '不在预约时段', en: 'Outside your time slot' },
  QR_TICKET_USED: { zh: '门票已使用', en: 'Ticket already used' },
  QR_NEEDS_ONLINE_CHECK: { zh: '暂无法验证，请使用实体卡', en: 'Cannot check this code now, use your card' },
  QR_ADMITTED_UNCHECKED: { zh: '请通行', en: 'Welcome' },
  QR_OUTSIDE_REFUSED: { zh: '二维码无效', en: 'Invalid QR code' },
  QR_OUTSIDE_CONFIRMED: { zh: '验证通过', en: 'Code confirmed' },
  // Deprecated too: QR tickets now admit as RESERVATION_ADMITTED / TICKET_ADMITTED.
  QR_TICKET_ACCEPTED: { zh: '验票成功，请入场', en: 'Ticket accepted, welcome' },
  QR_TICKET_NOT_ACCEPTED_HERE: { zh: '此处不能使用该门票', en: 'This ticket is not accepted here' },
  ...entryDisplayText,
  TARIFF_MISSING_TAP_OUT: {
    zh: '上次未出站，已按最高票价扣费',
    en: 'No exit last time: maximum fare charged',
  },
  TARIFF_LATE_TAP_CORRECTED: { zh: '票价已更正', en: 'Fare corrected' },
  TARIFF_NO_TAP_IN: { zh: '无进站记录，按最高票价扣费', en: 'No entry recorded: maximum fare charged' },
  TARIFF_CAP_REACHED: { zh: '已达封顶票价', en: 'Fare cap reached' },
  TARIFF_TRANSFER: { zh: '换乘优惠', en: 'Transfer fare' },
  TARIFF_NO_FARE_RULE: { zh: '刷卡成功', en: 'Thank you' },
};
