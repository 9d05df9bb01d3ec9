// Reads an .lrc file back into timed lines, for the SYLT frame of a tagged MP3. It accepts what
// other tools write too: several stamps on one line, `mm:ss`, `mm:ss.xx`, `mm:ss.xxx`, `mm:ss:xx`,
// and an `[offset:±ms]` header (positive means the lyrics come that much earlier).
export interface LrcLine {
  /** Milliseconds from the start of the song. */
  timeMs: number;
  text: string;
}

const STAMP = /\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]/y;
const OFFSET = /^\[offset:\s*([+-]?\d+)\s*\]\s*$/i;

function fractionMs(digits: string | undefined): number {
  if (!digits) return 0;
  // "5" is tenths, "50" hundredths, "500" thousandths.
  return Math.round(Number(`0.${digits}`) * 1000);
}

/** Timed lines in time order; header tags ([ti:], [length:]) and blank lines are left out. */
export function parseLrc(text: string): LrcLine[] {
  let offsetMs = 0;
  const lines: LrcLine[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    const offset = OFFSET.exec(line);
    if (offset) {
      offsetMs = Number(offset[1]);
      continue;
    }
    const stamps: number[] = [];
    STAMP.lastIndex = 0;
    let match: RegExpExecArray | null;
    let end = 0;
    while ((match = STAMP.exec(line)) !== null) {
      stamps.push(Number(match[1]) * 60_000 + Number(match[2]) * 1000 + fractionMs(match[3]));
      end = STAMP.lastIndex;
    }
    const words = line.slice(end).trim();
    if (stamps.length === 0 || words.length === 0) continue;
    for (const ms of stamps) lines.push({ timeMs: ms, text: words });
  }
  return lines
    .map((l) => ({ timeMs: Math.max(0, l.timeMs - offsetMs), text: l.text }))
    .sort((a, b) => a.timeMs - b.timeMs);
}
