// The figures of the scale benchmark, computed from the lightweight provider's own request log and
// task list (what reached the provider, and when), so ours and the naive client are measured by the
// same yardstick. Pure functions: the run collects, this file counts and prints.
import type { LightTask, RequestRecord } from './lightProvider';

/** Nearest-rank percentile (q in 0..100) of the values; undefined for none. */
export function percentile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile must be between 0 and 100, got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[rank - 1];
}

/** What one mode's phase of the run left behind, besides the provider's log. */
export interface PhaseObservation {
  mode: string;
  songs: number;
  /** Runs that ended with both steps done. */
  completed: number;
  startedAt: number;
  /** When the last run (workflow or naive song) ended. */
  lastFinishedAt: number;
  /** The provider's critical path for one song: lyrics duration plus song duration. */
  criticalPathMs: number;
  /** History events of one song's workflow (ours only). */
  historyEvents?: number;
  /** A worker's time on each workflow task, started → completed, over every run (ours only). */
  workflowTaskMs?: { p50?: number; p99?: number; max: number };
  /**
   * Workflow tasks that timed out (ours only). No worker dies here, so each is a saturated worker: a
   * task that waited on its sticky queue past the sticky timeout, or that the worker held past the
   * workflow task timeout.
   */
  workflowTasksTimedOut?: { onStickyQueue: number; onWorker: number };
  /** Peak resident set of this process (where our worker runs) during the phase. */
  peakWorkerRssBytes?: number;
  /** Peak resident set of the Temporal dev server during the phase. */
  peakDevServerRssBytes?: number;
}

export interface ModeFigures {
  mode: string;
  songs: number;
  completed: number;
  steps: number;
  callsPerStep: number;
  submitsPerStep: number;
  queriesPerStep: number;
  downloadsPerStep: number;
  lyricsDoneToSongSubmitP50Ms?: number;
  lyricsDoneToSongSubmitP99Ms?: number;
  songDoneToFirstQueryP50Ms?: number;
  lastFinishedMs: number;
  criticalPathRatio: number;
  /** Lyrics submits per second, counted from the phase's start to the last lyrics submit. */
  submitsPerSecond?: number;
  /** From the phase's start to its first lyrics submit: the fixed cost before any provider work begins. */
  firstSubmitMs?: number;
  historyEvents?: number;
  workflowTaskMs?: { p50?: number; p99?: number; max: number };
  workflowTasksTimedOut?: { onStickyQueue: number; onWorker: number };
  peakWorkerRssBytes?: number;
  peakDevServerRssBytes?: number;
  /** The most submits any song made for one step: 1 means nothing was paid twice. */
  maxSubmitsPerSongStep: number;
}

const SONG_INDEX = /bench song (\d+)\b/;
const LYRICS_OF_SONG = /bench words of (lyrics-\d+)/;

/** The song a task belongs to: lyrics prompts name it, a song's prompt is its lyrics, which name the lyrics task. */
export function songOf(task: LightTask, tasks: ReadonlyMap<string, LightTask>): string | undefined {
  if (task.kind === 'lyrics') return SONG_INDEX.exec(task.prompt)?.[1];
  const lyricsId = LYRICS_OF_SONG.exec(task.prompt)?.[1];
  const lyrics = lyricsId === undefined ? undefined : tasks.get(lyricsId);
  return lyrics === undefined ? undefined : songOf(lyrics, tasks);
}

/** Figures of one phase: `tasks` are the tasks submitted in it, `log` the requests it made. */
export function modeFigures(observed: PhaseObservation, tasks: ReadonlyMap<string, LightTask>, log: readonly RequestRecord[]): ModeFigures {
  const steps = tasks.size;
  const count = (kind: RequestRecord['kind']) => log.filter((r) => r.kind === kind && r.taskId !== undefined && tasks.has(r.taskId)).length;
  const submits = count('submit');
  const queries = count('query');
  const downloads = count('download');
  const perStep = (n: number) => (steps === 0 ? 0 : n / steps);

  const lyricsToSong: number[] = [];
  const doneToQuery: number[] = [];
  const submitsPerSongStep = new Map<string, number>();
  // Query times per task, in log (arrival) order: a thousand songs make tens of thousands of records.
  const queryTimes = new Map<string, number[]>();
  for (const r of log) if (r.kind === 'query' && r.taskId !== undefined) queryTimes.set(r.taskId, [...(queryTimes.get(r.taskId) ?? []), r.at]);
  for (const task of tasks.values()) {
    const song = songOf(task, tasks) ?? `unknown ${task.id}`;
    const key = `${song}/${task.kind}`;
    submitsPerSongStep.set(key, (submitsPerSongStep.get(key) ?? 0) + 1);
    if (task.kind !== 'song') continue;
    const lyricsId = LYRICS_OF_SONG.exec(task.prompt)?.[1];
    const lyrics = lyricsId === undefined ? undefined : tasks.get(lyricsId);
    if (lyrics) lyricsToSong.push(task.submittedAt - lyrics.finishesAt);
    const firstAfter = queryTimes.get(task.id)?.find((at) => at >= task.finishesAt);
    if (firstAfter !== undefined) doneToQuery.push(firstAfter - task.finishesAt);
  }

  const lyricsSubmits = [...tasks.values()].filter((t) => t.kind === 'lyrics').map((t) => t.submittedAt);
  const lastLyricsSubmit = lyricsSubmits.length > 0 ? Math.max(...lyricsSubmits) : undefined;
  const lastFinishedMs = observed.lastFinishedAt - observed.startedAt;
  return {
    mode: observed.mode,
    songs: observed.songs,
    completed: observed.completed,
    steps,
    callsPerStep: perStep(submits + queries + downloads),
    submitsPerStep: perStep(submits),
    queriesPerStep: perStep(queries),
    downloadsPerStep: perStep(downloads),
    lyricsDoneToSongSubmitP50Ms: percentile(lyricsToSong, 50),
    lyricsDoneToSongSubmitP99Ms: percentile(lyricsToSong, 99),
    songDoneToFirstQueryP50Ms: percentile(doneToQuery, 50),
    lastFinishedMs,
    criticalPathRatio: lastFinishedMs / observed.criticalPathMs,
    // Clamped to a millisecond: eight submits can all land within the same one.
    submitsPerSecond: lastLyricsSubmit === undefined ? undefined : lyricsSubmits.length / (Math.max(1, lastLyricsSubmit - observed.startedAt) / 1000),
    firstSubmitMs: lyricsSubmits.length > 0 ? Math.min(...lyricsSubmits) - observed.startedAt : undefined,
    historyEvents: observed.historyEvents,
    workflowTaskMs: observed.workflowTaskMs,
    workflowTasksTimedOut: observed.workflowTasksTimedOut,
    peakWorkerRssBytes: observed.peakWorkerRssBytes,
    peakDevServerRssBytes: observed.peakDevServerRssBytes,
    maxSubmitsPerSongStep: Math.max(0, ...submitsPerSongStep.values()),
  };
}

function ms(value: number | undefined): string {
  if (value === undefined) return '—';
  return Math.abs(value) >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '—' : `${Math.round(bytes / 2 ** 20)} MiB`;
}

function num(value: number | undefined, digits = 1): string {
  return value === undefined ? '—' : value.toFixed(digits);
}

/** Rows of the table: a label and how each mode's figure reads. */
const ROWS: [label: string, cell: (f: ModeFigures) => string][] = [
  ['songs completed', (f) => `${f.completed} / ${f.songs}`],
  ['provider calls per step (submit, queries, downloads)', (f) => `${num(f.callsPerStep)} (${num(f.submitsPerStep)}, ${num(f.queriesPerStep)}, ${num(f.downloadsPerStep)})`],
  ['queries per step', (f) => num(f.queriesPerStep)],
  ['lyrics finished → song submitted, p50 / p99', (f) => `${ms(f.lyricsDoneToSongSubmitP50Ms)} / ${ms(f.lyricsDoneToSongSubmitP99Ms)}`],
  ['song finished → first query, p50', (f) => ms(f.songDoneToFirstQueryP50Ms)],
  ['last song finished (× provider critical path)', (f) => `${ms(f.lastFinishedMs)} (${f.criticalPathRatio.toFixed(2)}×)`],
  ['start → first lyrics submit', (f) => ms(f.firstSubmitMs)],
  ['lyrics submits per second', (f) => num(f.submitsPerSecond)],
  ['history events per song', (f) => (f.historyEvents === undefined ? '—' : String(f.historyEvents))],
  ['workflow task on the worker, p50 / p99 / max', (f) => (f.workflowTaskMs === undefined ? '—' : `${ms(f.workflowTaskMs.p50)} / ${ms(f.workflowTaskMs.p99)} / ${ms(f.workflowTaskMs.max)}`)],
  ['workflow tasks timed out: on the sticky queue / on the worker', (f) => (f.workflowTasksTimedOut === undefined ? '—' : `${f.workflowTasksTimedOut.onStickyQueue} / ${f.workflowTasksTimedOut.onWorker}`)],
  ['peak RSS: worker process / dev server', (f) => (f.peakWorkerRssBytes === undefined ? '—' : `${mib(f.peakWorkerRssBytes)} / ${mib(f.peakDevServerRssBytes)}`)],
  ['most submits per song and step (1: nothing paid twice)', (f) => String(f.maxSubmitsPerSongStep)],
];

/** A Markdown table, one column per mode, as the README shows it. */
export function figuresTable(figures: readonly ModeFigures[]): string {
  const lines = [`| figure | ${figures.map((f) => f.mode).join(' | ')} |`, `| --- | ${figures.map(() => '---:').join(' | ')} |`];
  for (const [label, cell] of ROWS) lines.push(`| ${label} | ${figures.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** Ours ÷ the naive client, for the figures where a ratio means something (below 1: ours does less or is faster). */
export function ratioTable(ours: readonly ModeFigures[], naive: ModeFigures): string {
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}`);
  const rows: [string, (f: ModeFigures) => number | undefined][] = [
    ['provider calls per step', (f) => f.callsPerStep],
    ['queries per step', (f) => f.queriesPerStep],
    ['lyrics finished → song submitted, p50', (f) => f.lyricsDoneToSongSubmitP50Ms],
    ['song finished → first query, p50', (f) => f.songDoneToFirstQueryP50Ms],
    ['last song finished', (f) => f.lastFinishedMs],
    ['lyrics submits per second', (f) => f.submitsPerSecond],
  ];
  const lines = [`| ours ÷ naive | ${ours.map((f) => f.mode).join(' | ')} |`, `| --- | ${ours.map(() => '---:').join(' | ')} |`];
  for (const [label, read] of rows) lines.push(`| ${label} | ${ours.map((f) => ratio(read(f), read(naive))).join(' | ')} |`);
  return lines.join('\n');
}
