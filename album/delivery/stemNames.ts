// A stem's file name a person can sort and a studio can read at a glance:
// `<artist> - <title> - <BPM> BPM - <key> - <stem>.wav`. BPM and key come from the track's analysis;
// without one, those parts are left out rather than guessed.
import { safeFileNamePart } from '../manifest/resolve';

/** 120 → "120", 92.5 → "92.5": tempo to a tenth, without a trailing ".0". */
export function formatBpm(bpm: number): string {
  return String(Math.round(bpm * 10) / 10);
}

export function stemFileName(parts: { artist: string; title: string; stem: string; analysis?: { bpm: number; key: string } }): string {
  const fields = [parts.artist, parts.title];
  if (parts.analysis) fields.push(`${formatBpm(parts.analysis.bpm)} BPM`, parts.analysis.key);
  fields.push(parts.stem);
  return `${fields.map(safeFileNamePart).filter(Boolean).join(' - ').slice(0, 200)}.wav`;
}

/** Stem names made unique within a track: a name that repeats (a `vocals` in both stem sets) gets its set's folder. */
export function uniqueStemNames(stems: readonly { path: string; name: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const s of stems) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  return stems.map((s) => {
    if (counts.get(s.name) === 1) return s.name;
    const folder = s.path.split(/[\\/]/).slice(-2, -1)[0] ?? '';
    return `${s.name} (${folder})`;
  });
}
