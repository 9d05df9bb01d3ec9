// One run of the scale benchmark: a lightweight provider, the real stack (dev server, worker in this
// process, callback endpoint) pointed at it as a "real" provider, then N songs (lyrics + song) three
// times over - ours with callbacks, ours polling only, the naive 3 s poller - one phase after the
// other, so each phase has the machine to itself and the provider's log splits cleanly by phase.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { PROVIDER_NAMES } from '../providers/model';
import { loadConfig } from '../runtime/config';
import { songPipeline } from '../song/songPipeline';
import { startStack, type RunningStack } from '../stack/stack';
import { startLightProvider, type LightProvider, type LightTask } from './lightProvider';
import { benchNow } from './benchClock';
import { naiveSong } from './naiveClient';
import { modeFigures, percentile, type ModeFigures, type PhaseObservation } from './scaleFigures';
import { eventTimeMs, workflowTaskTimesOf } from '../client/workflowTaskTimes';

export interface ScaleRunOptions {
  songs: number;
  /** Multiplies every provider duration and both clients' poll cadences (0.1: a 60 s song takes 6 s). */
  timeScale: number;
  lyricsSeconds: number;
  songSeconds: number;
  naivePollSeconds: number;
  /** Which phases to run, in this order (default: all three); one at a time fits a long run at 1,000 songs. */
  modes?: ScaleMode[];
  log: (line: string) => void;
}

export const SCALE_MODES = ['callbacks', 'polling', 'naive'] as const;
export type ScaleMode = (typeof SCALE_MODES)[number];

export interface ScaleRunResult {
  figures: ModeFigures[];
  criticalPathMs: number;
}

/** The prompt of song i; the figures find the song again by it (scaleFigures.songOf). */
const promptOf = (i: number) => `a calm piano piece about rain, bench song ${i}`;

/** Resident set of another process in bytes, from /proc (Linux); undefined elsewhere or once it is gone. */
function rssOfPid(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples peak RSS of this process and the dev server until stopped. */
function sampleRss(devServerPid: (() => number | undefined) | undefined) {
  let worker = process.memoryUsage().rss;
  let devServer: number | undefined;
  const sample = () => {
    worker = Math.max(worker, process.memoryUsage().rss);
    const dev = rssOfPid(devServerPid?.());
    if (dev !== undefined) devServer = Math.max(devServer ?? 0, dev);
  };
  sample();
  const timer = setInterval(sample, 250);
  return () => {
    clearInterval(timer);
    sample();
    return { peakWorkerRssBytes: worker, peakDevServerRssBytes: devServer };
  };
}

/** Runs one phase and returns its figures, from the requests and tasks it added to the provider. */
async function measurePhase(
  provider: LightProvider,
  observe: Omit<PhaseObservation, 'startedAt' | 'lastFinishedAt' | 'completed'>,
  runSongs: () => Promise<Pick<PhaseObservation, 'completed' | 'lastFinishedAt' | 'historyEvents' | 'workflowTaskMs' | 'workflowTasksTimedOut'>>,
  rss?: () => () => { peakWorkerRssBytes: number; peakDevServerRssBytes?: number },
): Promise<ModeFigures> {
  const logFrom = provider.log.length;
  const tasksBefore = new Set(provider.tasks.keys());
  const stopRss = rss?.();
  const startedAt = benchNow();
  const outcome = await runSongs();
  const memory = stopRss?.();
  const tasks = new Map<string, LightTask>([...provider.tasks].filter(([id]) => !tasksBefore.has(id)));
  return modeFigures({ ...observe, ...outcome, ...memory, startedAt }, tasks, provider.log.slice(logFrom));
}

/**
 * One line per history event (ms since the first, type, activity or signal name): where a song's
 * time goes between the provider's hops. Written only when BENCH_HISTORY_DIR is set.
 */
function dumpHistory(file: string, events: NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>): void {
  const first = eventTimeMs(events[0]);
  const lines = events.map((e) => {
    const name =
      e.activityTaskScheduledEventAttributes?.activityType?.name ??
      e.workflowExecutionSignaledEventAttributes?.signalName ??
      e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName ??
      e.markerRecordedEventAttributes?.markerName ??
      '';
    // The event's type is the one attributes field it carries.
    const type = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null)?.replace('EventAttributes', '') ?? String(e.eventType);
    return `${(eventTimeMs(e) - first).toFixed(0).padStart(7)} ${String(e.eventId).padStart(4)} ${type} ${name}`;
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Histories fetched at once after a phase: a thousand at a time would queue at the dev server. */
const HISTORIES_AT_ONCE = 16;

async function runOurs(stack: RunningStack, scratch: string, mode: string, callbacks: boolean, songs: number, log: (line: string) => void) {
  const started = await Promise.all(
    Array.from({ length: songs }, (_, i) => {
      const workflowId = `bench-scale-${mode}-${i}`;
      const input: SongPipelineInput = {
        provider: 'anyint',
        request: { prompt: promptOf(i), instrumental: false },
        steps: ['lyrics', 'song'],
        outDir: path.join(scratch, 'out', workflowId),
        callbacks,
      };
      return stack.client.workflow.start(songPipeline, { taskQueue: stack.taskQueue, workflowId, args: [input] });
    }),
  );
  let completed = 0;
  let lastFinishedAt = 0;
  let last: (typeof started)[number] | undefined;
  await Promise.all(
    started.map(async (handle) => {
      try {
        const result: SongPipelineResult = await handle.result();
        if (result.status === 'succeeded') completed++;
        else log(`${handle.workflowId}: ${result.status} (${result.failedSteps.map((f) => `${f.step}: ${f.error}`).join('; ')})`);
      } catch (err) {
        log(`${handle.workflowId} failed: ${(err as Error).message}`);
      }
      const finishedAt = benchNow();
      if (finishedAt >= lastFinishedAt) last = handle;
      lastFinishedAt = Math.max(lastFinishedAt, finishedAt);
    }),
  );
  // Every run's history, once: how long the worker held its workflow tasks bounds the workflow task timeout.
  const events: NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[] = [];
  for (let i = 0; i < started.length; i += HISTORIES_AT_ONCE) {
    const histories = await Promise.all(started.slice(i, i + HISTORIES_AT_ONCE).map((handle) => handle.fetchHistory()));
    for (const fetched of histories) events.push(fetched.events ?? []);
  }
  const taskTimes = workflowTaskTimesOf(events);
  if (process.env.BENCH_HISTORY_DIR) {
    // The first run started, and the last to finish: where the time of the slowest went.
    dumpHistory(path.join(process.env.BENCH_HISTORY_DIR, `${started[0]!.workflowId}.txt`), events[0] ?? []);
    if (last) dumpHistory(path.join(process.env.BENCH_HISTORY_DIR, `${last.workflowId}.last.txt`), events[started.indexOf(last)] ?? []);
  }
  return {
    completed,
    lastFinishedAt,
    historyEvents: events[0]?.length ?? 0,
    workflowTaskMs: { p50: percentile(taskTimes.processingMs, 50), p99: percentile(taskTimes.processingMs, 99), max: Math.max(0, ...taskTimes.processingMs) },
    workflowTasksTimedOut: { onStickyQueue: taskTimes.stuckOnStickyQueue.count, onWorker: taskTimes.lostWithWorker.count },
  };
}

async function runNaive(provider: LightProvider, options: ScaleRunOptions, criticalPathMs: number) {
  let completed = 0;
  let lastFinishedAt = 0;
  await Promise.all(
    Array.from({ length: options.songs }, async (_, i) => {
      try {
        await naiveSong(promptOf(i), { baseUrl: provider.url, apiKey: provider.apiKey, pollMs: options.naivePollSeconds * 1000 * options.timeScale, timeoutMs: criticalPathMs * 20 });
        completed++;
      } catch (err) {
        options.log(`naive song ${i} failed: ${(err as Error).message}`);
      }
      lastFinishedAt = Math.max(lastFinishedAt, benchNow());
    }),
  );
  return { completed, lastFinishedAt };
}

export async function runScaleBenchmark(options: ScaleRunOptions): Promise<ScaleRunResult> {
  const { songs, timeScale, log } = options;
  const lyricsMs = options.lyricsSeconds * 1000 * timeScale;
  const songMs = options.songSeconds * 1000 * timeScale;
  const criticalPathMs = lyricsMs + songMs;
  const provider = await startLightProvider({ lyricsMs, songMs });
  // The dev server's SQLite file goes to memory-backed /dev/shm where there is one: on a disk shared
  // with other work, its fsync per history write made the hops about 4x slower (8 songs: lyrics finished
  // → song submitted 9.2 s on disk, 2.2 s on tmpfs), which is the disk, not our code.
  const scratch = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bench-scale-'));
  let stack: RunningStack | undefined;
  try {
    // Every provider points at the lightweight one as a "real" provider: no simulator starts.
    const env: Record<string, string> = { CALLBACK_SECRET: 'bench-scale-secret-bench-scale-secret' };
    for (const name of PROVIDER_NAMES) {
      env[`${name.toUpperCase()}_BASE_URL`] = provider.url;
      env[`${name.toUpperCase()}_API_KEY`] = provider.apiKey;
      // Every song in flight at once, as the naive client has them: the default limit (10 running
      // tasks) would make the semaphore, not the hops, the figure. The configuration allows 1,000.
      env[`${name.toUpperCase()}_MAX_RUNNING_TASKS`] = String(Math.min(1000, Math.max(songs, 10)));
    }
    log(`lightweight provider at ${provider.url}: lyrics ${lyricsMs / 1000} s, song ${songMs / 1000} s; starting the stack`);
    stack = await startStack({
      config: loadConfig(env),
      log: () => {},
      devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
      callbackPort: 0,
      // Our poll schedule shrinks with the provider's durations, as the naive client's 3 s does.
      pollScale: timeScale,
    });
    const running = stack;
    const rss = () => sampleRss(running.devServerPid);
    const figures: ModeFigures[] = [];
    const modes = options.modes ?? SCALE_MODES;
    for (const [mode, callbacks] of [
      ['ours, callbacks', true],
      ['ours, polling only', false],
    ] as const) {
      if (!modes.includes(callbacks ? 'callbacks' : 'polling')) continue;
      log(`${mode}: ${songs} songs`);
      figures.push(await measurePhase(provider, { mode, songs, criticalPathMs }, () => runOurs(running, scratch, callbacks ? 'callbacks' : 'polling', callbacks, songs, log), rss));
    }
    if (modes.includes('naive')) {
      const naiveMode = `naive, polls every ${options.naivePollSeconds} s`;
      log(`${naiveMode}: ${songs} songs`);
      figures.push(await measurePhase(provider, { mode: naiveMode, songs, criticalPathMs }, () => runNaive(provider, options, criticalPathMs)));
    }
    if (process.env.BENCH_TIMELINE_FILE) writeFileSync(process.env.BENCH_TIMELINE_FILE, JSON.stringify({ tasks: [...provider.tasks.values()], log: provider.log }));
    if (provider.webhooksRefused() > 0) log(`${provider.webhooksRefused()} webhooks were refused or lost`);
    return { figures, criticalPathMs };
  } finally {
    await stack?.stop();
    await provider.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
