// The album's playlist as extended M3U in UTF-8 (.m3u8): a #EXTINF line with each track's length and
// title, then its path relative to the playlist, so that the album folder can be moved or copied
// whole and still play in order.
import path from 'node:path';

export interface PlaylistLine {
  /** Relative to the playlist's folder, `/`-separated. */
  location: string;
  title: string;
  artist?: string;
  durationSeconds: number;
}

/** A path as a playlist line: relative, with `/` on every system (players on all systems read that). */
export function playlistLocation(playlistDir: string, file: string): string {
  return path.relative(playlistDir, file).split(path.sep).join('/');
}

function oneLine(text: string): string {
  // A line break in a title would end the #EXTINF line early.
  return text.replace(/[\r\n]+/g, ' ').trim();
}

export function renderM3u8(lines: readonly PlaylistLine[], title?: string): string {
  const out = ['#EXTM3U'];
  if (title) out.push(`#PLAYLIST:${oneLine(title)}`);
  for (const line of lines) {
    const label = line.artist ? `${oneLine(line.artist)} - ${oneLine(line.title)}` : oneLine(line.title);
    // Whole seconds: what classic players expect; -1 is M3U's "unknown length".
    const seconds = Number.isFinite(line.durationSeconds) && line.durationSeconds > 0 ? Math.round(line.durationSeconds) : -1;
    out.push(`#EXTINF:${seconds},${label}`, line.location);
  }
  return `${out.join('\n')}\n`;
}
