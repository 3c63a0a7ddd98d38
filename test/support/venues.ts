// Venue files for suites that need a venue of their own (ONECARD_VENUES_DIR's format,
// docs/decisions/0140).

/**
 * A museum of the operator, open all day with one slot all day (walk-ins and reservations are
 * open whatever the hour the suite runs at), free reservations.
 */
export function allDayMuseum(id: string, operatorId: string) {
  return {
    id,
    name: `Museum ${id}`,
    kind: 'museum',
    operatorId,
    openMin: 0,
    closeMin: 1440,
    slots: [{ startMin: 0, endMin: 1440, capacity: 30 }],
    booking: { horizonDays: 7, maxParty: 2 },
    products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
  };
}
