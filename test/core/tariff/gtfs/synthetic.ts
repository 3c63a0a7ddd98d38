// Feeds written for the tests, in the shapes published GTFS-Fares v2 feeds take (made-up names
// and fares, no third party's data): a zone feed that names no network, and a commuter feed with
// networks, calendar-bound timeframes and a transfer. Published feeds that were read while the
// importer was built are named in docs/decisions/0112 (they are not copied into the repository).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Three towns on one bus line, fares by the towns of boarding and alighting (stops 100, 117,
 * 120), no networks.txt and no network_id: 2.00 within a town, 4.00 to the next, 5.00 end to end.
 * cashOnly: the single fares are sold by the driver only (medium type 0), as small operators'
 * feeds often say; charging them to the card is then a warning the operator must accept.
 */
export function threeTownsFeed(opts: { cashOnly?: boolean } = {}): Record<string, string> {
  const medium = opts.cashOnly ? 'driver' : 'card';
  const legs = [
    ['1', '1', 'town'],
    ['2', '2', 'town'],
    ['3', '3', 'town'],
    ['1', '2', 'next'],
    ['2', '1', 'next'],
    ['2', '3', 'next'],
    ['3', '2', 'next'],
    ['1', '3', 'across'],
    ['3', '1', 'across'],
  ];
  return {
    'agency.txt':
      'agency_id,agency_name,agency_url,agency_timezone\nt,Three Towns Bus,https://example.org/,Europe/Warsaw\n',
    'routes.txt':
      'agency_id,route_id,route_short_name,route_long_name,route_type\nt,T1,T1,North - Riverside,3\n',
    'areas.txt': 'area_id,area_name\n1,North\n2,Fort\n3,Riverside\n',
    'stop_areas.txt': 'area_id,stop_id\n1,100\n2,117\n3,120\n',
    'fare_media.txt': `fare_media_id,fare_media_name,fare_media_type\n${medium},${medium},${opts.cashOnly ? 0 : 2}\n`,
    'fare_products.txt': [
      'fare_product_id,fare_media_id,fare_product_name,amount,currency',
      `town,${medium},Within a town,2.00,PLN`,
      `next,${medium},To the next town,4.00,PLN`,
      `across,${medium},End to end,5.00,PLN`,
      '',
    ].join('\n'),
    'fare_leg_rules.txt': `leg_group_id,fare_product_id,from_area_id,to_area_id\n${legs
      .map(([from, to, product]) => `l${from}${to},${product},${from},${to}`)
      .join('\n')}\n`,
  };
}

/**
 * A commuter network (REG, routes R1 and R2) and a local one (LOC, route L1), in Montreal time: a
 * weekday morning peak (07:00–09:00, service wk) costs 3.50 on REG, 2.75 otherwise; LOC is 2.00;
 * REG → LOC within 90 minutes is free.
 */
export function commuterFeed(): Record<string, string> {
  return {
    'agency.txt':
      'agency_id,agency_name,agency_url,agency_timezone\nc,Commuter,https://example.org/,America/Montreal\n',
    'routes.txt':
      'agency_id,route_id,route_short_name,route_long_name,route_type\nc,R1,R1,R1,3\nc,R2,R2,R2,3\nc,L1,L1,L1,3\n',
    'networks.txt': 'network_id,network_name\nREG,Regional\nLOC,Local\n',
    'route_networks.txt': 'network_id,route_id\nREG,R1\nREG,R2\nLOC,L1\n',
    'calendar.txt':
      'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nwk,1,1,1,1,1,0,0,20250101,20271231\n',
    'timeframes.txt': 'timeframe_group_id,start_time,end_time,service_id\npeak,07:00:00,09:00:00,wk\n',
    'fare_media.txt': 'fare_media_id,fare_media_name,fare_media_type\ncard,Card,2\n',
    'fare_products.txt': [
      'fare_product_id,fare_media_id,fare_product_name,amount,currency',
      'reg_peak,card,Regional peak,3.50,CAD',
      'reg,card,Regional,2.75,CAD',
      'loc,card,Local,2.00,CAD',
      'free,card,Transfer,0.00,CAD',
      '',
    ].join('\n'),
    'fare_leg_rules.txt': [
      'leg_group_id,network_id,from_timeframe_group_id,fare_product_id',
      'reg_peak,REG,peak,reg_peak',
      'reg,REG,,reg',
      'loc,LOC,,loc',
      '',
    ].join('\n'),
    'fare_transfer_rules.txt': [
      'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id',
      'reg_peak,loc,,5400,1,0,free',
      'reg,loc,,5400,1,0,free',
      '',
    ].join('\n'),
  };
}

/** Writes a feed's files into a folder (for the CLI and the gateway, which read folders). */
export function writeFeed(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
