// Live occupancy against the carrying capacity (最大承载量): visitors inside (entries minus
// exits) against the instantaneous limit, entries of the day against the daily limit (how the
// limits are set: LB/T 034-2014 景区最大承载量核定导则). The operator is warned at warnShare of a
// limit (80 % by default, the usual early-warning point) and told when it is reached.
import type { Capacity, Slot } from './model.js';

export type Level = 'normal' | 'warning' | 'full';

export interface Occupancy {
  inside: number;
  entriesToday: number;
}

export function level(count: number, limit: number, warnShare: number): Level {
  if (limit <= 0) return 'normal';
  if (count >= limit) return 'full';
  return count >= Math.ceil(limit * warnShare) ? 'warning' : 'normal';
}

export function occupancyLevels(capacity: Capacity, o: Occupancy): { instant: Level; daily: Level } {
  return {
    instant: level(o.inside, capacity.instant, capacity.warnShare),
    daily: level(o.entriesToday, capacity.daily, capacity.warnShare),
  };
}

/**
 * The warning to raise after a passage moved occupancy from `before` to `after`: only when a
 * level rises, so a crowd at 80 % raises one warning, not one per visitor.
 */
export function risenLevel(capacity: Capacity, before: Occupancy, after: Occupancy): Level | undefined {
  const rank = { normal: 0, warning: 1, full: 2 } as const;
  const b = occupancyLevels(capacity, before);
  const a = occupancyLevels(capacity, after);
  const worst = (l: { instant: Level; daily: Level }) => Math.max(rank[l.instant], rank[l.daily]);
  if (worst(a) <= worst(b)) return undefined;
  return worst(a) === 2 ? 'full' : 'warning';
}

export interface SlotAvailability {
  startMin: number;
  endMin: number;
  capacity: number;
  booked: number;
  /** Places left for online booking and walk-ins of anyone. */
  open: number;
  /** Places left for seniors walking in (their quota plus whatever else is left). */
  seniorWalkIn: number;
}

export function slotAvailability(slot: Slot, seniorQuota: number, booked: number): SlotAvailability {
  return {
    startMin: slot.startMin,
    endMin: slot.endMin,
    capacity: slot.capacity,
    booked,
    open: Math.max(0, slot.capacity - seniorQuota - booked),
    seniorWalkIn: Math.max(0, slot.capacity - booked),
  };
}
