// Loads the venue files (gateway/venues/<city>/*.json, or ONECARD_VENUES_DIR): every file
// checked with core/venue/validate.ts, every problem named with its file, none loaded on error.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Venue } from '../../../core/venue/model.js';
import { parseVenue } from '../../../core/venue/validate.js';

export const shippedVenuesDir = fileURLToPath(new URL('../../venues/', import.meta.url));

export class VenueFileError extends Error {}

/** All venues under dir (one level of city folders, or files directly), by id. */
export function loadVenues(dir: string = shippedVenuesDir): Map<string, Venue> {
  const files = jsonFiles(dir);
  const venues = new Map<string, Venue>();
  const problems: string[] = [];
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`${file}: not JSON (${(err as Error).message})`);
      continue;
    }
    const { venue, problems: found } = parseVenue(raw);
    for (const p of found) problems.push(`${file}: ${p}`);
    if (!venue) continue;
    if (venues.has(venue.id)) problems.push(`${file}: venue id ${venue.id} is used by another file`);
    venues.set(venue.id, venue);
  }
  if (problems.length > 0) throw new VenueFileError(`venue files:\n  ${problems.join('\n  ')}`);
  return venues;
}

function jsonFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new VenueFileError(`venue files: cannot read the directory ${dir}`);
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}
