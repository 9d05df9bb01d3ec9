// What the place a command writes its progress to can show: a terminal gets live rows redrawn in
// place and colours; a pipe or a file gets plain lines, one per change. Colours follow the
// conventions people set once for every tool: NO_COLOR (https://no-color.org) turns them off, and
// FORCE_COLOR turns them on where they would be off (a pipe into `less -R`, a CI log).
import { createColors } from 'picocolors';

export type Colors = ReturnType<typeof createColors>;

export interface Terminal {
  /** Redraw rows in place (a terminal), or print one line per change (anything else). */
  live: boolean;
  colors: Colors;
  /** Width a line must fit in; beyond it a terminal wraps and an in-place redraw goes wrong. */
  columns: number;
}

/** The parts of a stream this looks at (process.stderr is one). */
export interface TerminalStream {
  isTTY?: boolean;
  columns?: number;
}

/** Plain output keeps to 80 columns, the width people read logs and mails at. */
const PLAIN_COLUMNS = 80;

/** NO_COLOR wins when set to anything non-empty; FORCE_COLOR (other than 0 or false) turns colour on; else a terminal has colour. */
export function colorsWanted(live: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return live && env.TERM !== 'dumb';
}

export function terminalFor(stream: TerminalStream, env: NodeJS.ProcessEnv = process.env): Terminal {
  const live = stream.isTTY === true && env.TERM !== 'dumb';
  return { live, colors: createColors(colorsWanted(live, env)), columns: live ? Math.max(20, stream.columns || PLAIN_COLUMNS) : PLAIN_COLUMNS };
}

/** `4s`, `1m05s`, `2h03m`: short enough for a column, exact enough to see a step is alive. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Cuts plain text to `width` columns, marking the cut with an ellipsis. */
export function fitWidth(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** A wall-clock time as people say it, `12:31`, in the machine's time zone. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
