// Distance fares (计程票价): bands up to a distance, then a fixed step beyond the last band, as
// Beijing prices its metro (6/12/22/32 km, then 1 yuan per started 20 km).
import type { DistanceScale } from './model.js';

export function distanceFare(scale: DistanceScale, metres: number): number {
  for (const band of scale.bands) if (metres <= band.upToM) return band.fen;
  const last = scale.bands[scale.bands.length - 1]!;
  const steps = Math.ceil((metres - last.upToM) / scale.beyond.stepM);
  return last.fen + steps * scale.beyond.fen;
}

/** "8.4 km, band up to 12 km" style note; metres shown to 0.1 km. */
export function distanceNote(scale: DistanceScale, metres: number): string {
  const km = `${Math.floor(metres / 1000)}.${Math.floor((metres % 1000) / 100)} km`;
  const band = scale.bands.find((b) => metres <= b.upToM);
  if (band) return `${km}, band up to ${band.upToM / 1000} km`;
  return `${km}, beyond ${scale.bands[scale.bands.length - 1]!.upToM / 1000} km by ${scale.beyond.stepM / 1000} km steps`;
}
