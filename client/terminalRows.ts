// Progress as rows: one per step (or per track, per album), each with one of a few state words and
// its elapsed time. On a terminal the rows are redrawn in place (log-update), so the screen shows
// the run as it is now; anywhere else each change is one short line, so a log reads as a history.
import { createLogUpdate } from 'log-update';
import { fitWidth, formatElapsed, type Colors, type Terminal } from './terminal';

/**
 * The words a row's state is told in, the same for songs, pipelines, albums and batches. A step
 * goes waiting → submitting → queued → running → saving → done; a step an earlier run left intact
 * is `reused`; `needs attention` waits for `npm run resolve`.
 */
export const STATE_WORDS = ['waiting', 'submitting', 'queued', 'running', 'saving', 'choosing', 'needs attention', 'done', 'reused', 'partial', 'failed', 'skipped'] as const;
export type StateWord = (typeof STATE_WORDS)[number];

/** States a row does not leave: its elapsed time stops. */
export const FINAL_WORDS: readonly StateWord[] = ['done', 'reused', 'partial', 'failed', 'skipped'];

export interface Row {
  /** Identifies the row across updates (a step id, a track number). */
  key: string;
  label: string;
  state: StateWord;
  /** A short note after the time: a provider status, an error, an attempt number. */
  detail?: string;
  /** When the row's work started and ended (epoch ms), when the run knows; otherwise the display's first sight. */
  startedAt?: number;
  finishedAt?: number;
}

export interface RowDisplay {
  /** The rows as they are now. */
  update(rows: readonly Row[]): void;
  /** A line that stays (above the live rows on a terminal): a choice to make, an announcement. */
  note(line: string): void;
  /** The rows' final states; the live area is left on screen and nothing redraws it again. */
  finish(rows: readonly Row[]): void;
}

/** Where the display writes: process.stderr, or anything with the same few members. */
export interface RowStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

const STATE_WIDTH = Math.max(...STATE_WORDS.map((w) => w.length));
const LABEL_WIDTH_MAX = 22;

function paint(colors: Colors, state: StateWord): (text: string) => string {
  switch (state) {
    case 'done':
    case 'reused':
      return colors.green;
    case 'failed':
      return colors.red;
    case 'needs attention':
    case 'choosing':
      return (t) => colors.bold(colors.magenta(t));
    case 'partial':
      return colors.yellow;
    case 'waiting':
    case 'skipped':
      return colors.dim;
    default:
      return colors.cyan;
  }
}

interface Segment {
  text: string;
  color?: (text: string) => string;
}

/** Joins segments cut to `width` columns; colour is applied after the cut so escapes are never split. */
function fitSegments(segments: Segment[], width: number): string {
  const plain = fitWidth(segments.map((s) => s.text).join(''), width);
  let at = 0;
  let out = '';
  for (const s of segments) {
    const length = [...s.text].length;
    const piece = [...plain].slice(at, at + length).join('');
    at += length;
    if (piece) out += s.color ? s.color(piece) : piece;
  }
  return out;
}

export function createRowDisplay(terminal: Terminal, stream: RowStream, now: () => number = Date.now): RowDisplay {
  const seenStart = new Map<string, number>();
  const seenEnd = new Map<string, number>();
  const lastTold = new Map<string, string>();
  const choosingFor = new Map<string, number>();
  const live = terminal.live ? createLogUpdate(stream as NodeJS.WriteStream) : undefined;
  let finished = false;

  const elapsedOf = (row: Row): number | undefined => {
    if (row.state === 'waiting' || row.state === 'skipped' || row.state === 'reused') return undefined;
    if (!seenStart.has(row.key)) seenStart.set(row.key, now());
    const start = row.startedAt ?? seenStart.get(row.key)!;
    let elapsed: number;
    if (FINAL_WORDS.includes(row.state)) {
      if (!seenEnd.has(row.key)) seenEnd.set(row.key, now());
      elapsed = (row.finishedAt ?? seenEnd.get(row.key)!) - start;
    } else elapsed = now() - start;
    // A step shown `choosing` for the length of a review ends when the choice is made, not when the
    // provider finished (its own finishedAt, minutes earlier): its time must not jump back.
    if (row.state === 'choosing') choosingFor.set(row.key, elapsed);
    return Math.max(elapsed, choosingFor.get(row.key) ?? 0);
  };

  const render = (rows: readonly Row[], row: Row): string => {
    const labelWidth = Math.min(LABEL_WIDTH_MAX, Math.max(...rows.map((r) => [...r.label].length)));
    const elapsed = elapsedOf(row);
    const segments: Segment[] = [
      { text: `  ${fitWidth(row.label, labelWidth).padEnd(labelWidth)}  ` },
      { text: row.state.padEnd(STATE_WIDTH), color: paint(terminal.colors, row.state) },
      { text: `  ${elapsed === undefined ? '' : formatElapsed(elapsed)}`.padEnd(8), color: terminal.colors.dim },
    ];
    if (row.detail) segments.push({ text: `  ${row.detail}`, color: row.state === 'failed' ? terminal.colors.red : undefined });
    // One column short of the edge: a line that fills it exactly makes some terminals wrap.
    return fitSegments(segments, terminal.columns - 1).trimEnd();
  };

  const show = (rows: readonly Row[]) => {
    if (live) {
      live(rows.map((r) => render(rows, r)).join('\n'));
      return;
    }
    // Plain output: a line when a row's state or note changes, never for the clock alone.
    for (const row of rows) {
      const told = `${row.state}|${row.detail ?? ''}`;
      if (lastTold.get(row.key) === told) continue;
      lastTold.set(row.key, told);
      stream.write(`${render(rows, row)}\n`);
    }
  };

  return {
    update(rows) {
      if (!finished) show(rows);
    },
    note(line) {
      // Never cut: a note may be a command to copy.
      if (live) live.persist(line);
      else stream.write(`${line}\n`);
    },
    finish(rows) {
      if (finished) return;
      show(rows);
      finished = true;
      live?.done();
    },
  };
}
