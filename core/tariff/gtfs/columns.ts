import type { Table } from './csv.js';
import type { Report } from './report.js';

// Columns of the GTFS reference each fares file is read with. A value in any other column is an
// error: a feed's own extension (e.g. a "transfer_only" flag) would otherwise be dropped unseen.
const COLUMNS: Record<string, string[]> = {
  'networks.txt': ['network_id', 'network_name'],
  'route_networks.txt': ['network_id', 'route_id'],
  'areas.txt': ['area_id', 'area_name'],
  'stop_areas.txt': ['area_id', 'stop_id'],
  'timeframes.txt': ['timeframe_group_id', 'start_time', 'end_time', 'service_id'],
  'fare_media.txt': ['fare_media_id', 'fare_media_name', 'fare_media_type'],
  'rider_categories.txt': [
    'rider_category_id',
    'rider_category_name',
    'is_default_fare_category',
    'eligibility_url',
  ],
  'fare_products.txt': [
    'fare_product_id',
    'fare_product_name',
    'rider_category_id',
    'fare_media_id',
    'amount',
    'currency',
  ],
  'fare_leg_rules.txt': [
    'leg_group_id',
    'network_id',
    'from_area_id',
    'to_area_id',
    'from_timeframe_group_id',
    'to_timeframe_group_id',
    'fare_product_id',
    'rule_priority',
  ],
  'fare_transfer_rules.txt': [
    'from_leg_group_id',
    'to_leg_group_id',
    'transfer_count',
    'duration_limit',
    'duration_limit_type',
    'fare_transfer_type',
    'fare_product_id',
    // Read to be refused with their own message (./rules.ts).
    'filter_fare_product_id',
    'fare_media_behavior',
    'fare_product_behavior',
  ],
};

export function unknownColumns(t: Table, r: Report): void {
  const known = COLUMNS[t.file];
  if (!known) return;
  for (const col of t.header.filter((h) => h !== '' && !known.includes(h))) {
    const row = t.rows.find((x) => x.get(col) !== '');
    if (row)
      r.error(
        `${t.file}:${row.line}`,
        `column ${col} ('${row.get(col)}') is not in the GTFS reference for this file; its meaning would be lost`,
      );
  }
}
