// Past and running runs, as `music status`, `list` and `show` tell them. Everything comes from the
// Temporal server: its visibility store lists runs by our search attributes (MusicProvider,
// MusicAlbum, MusicState, MusicStep), a running run answers its `progress` query, and a finished one
// its result; the output folder's track.json / pipeline.json / album.json adds the files. Nothing here
// changes a run.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { innermostMessage } from '../steps/failureMessage';
import { MusicAlbum, MusicProvider, MusicState, MusicStep } from '../contracts/searchAttributes';
import type { AttentionItem } from '../contracts/attentionMessages';
import type { PipelineProgress } from '../contracts/pipelineMessages';
import type { AlbumProgress } from '../contracts/albumMessages';
import type { BatchProgress } from '../contracts/batchMessages';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import type { PipelineRunInput, PipelineRunResult } from '../contracts/pipelinePlan';
import { albumWorkflowId, type AlbumPipelineInput, type AlbumPipelineResult } from '../contracts/albumPipeline';
import type { BatchAlbumSummary, BatchPipelineInput } from '../contracts/batchPipeline';

/** Our workflow types, by the word a person uses for them. The provider-slot workflows are plumbing, not runs. */
export const RUN_KINDS = { songPipeline: 'song', pipelineRun: 'pipeline', albumPipeline: 'album', batchPipeline: 'batch' } as const;
export type RunKind = (typeof RUN_KINDS)[keyof typeof RUN_KINDS];
export const KIND_NAMES = Object.values(RUN_KINDS);

/**
 * One word for where a run is. While it runs: `running`, `awaiting-choice` (a person may pick a clip)
 * or `needs-attention` (an operator must settle a submit). Once closed: `succeeded`, `partial`,
 * `failed`, or how Temporal ended it (`terminated`, `cancelled`, `timed-out`).
 */
export const RUN_STATES = ['running', 'awaiting-choice', 'needs-attention', 'succeeded', 'partial', 'failed', 'terminated', 'cancelled', 'timed-out'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** States in which a run waits for a person. */
export const WAITING_FOR_A_PERSON: readonly RunState[] = ['awaiting-choice', 'needs-attention'];

export interface RunSummary {
  workflowId: string;
  runId: string;
  kind: RunKind;
  state: RunState;
  provider?: string;
  album?: string;
  /** The step the run was last on (MusicStep), for songs and pipelines. */
  step?: string;
  startedAt: string;
  closedAt?: string;
  /** The album or batch this run belongs to. */
  parentWorkflowId?: string;
}

export interface RunFilter {
  provider?: string;
  state?: RunState;
  album?: string;
  kind?: RunKind;
  /** Also the runs inside albums and batches (tracks, albums of a batch). Implied by `album`. */
  children?: boolean;
  /** At most this many runs (newest first). Default: all. */
  limit?: number;
}

const STATUS_STATES: Record<string, RunState> = { FAILED: 'failed', TERMINATED: 'terminated', CANCELLED: 'cancelled', TIMED_OUT: 'timed-out' };

/** Keyword values go into a visibility query between single quotes; anything else is refused rather than escaped. */
function literal(value: string, what: string): string {
  if (!/^[\w.:-]+$/.test(value)) throw new Error(`${what} ${JSON.stringify(value)}: only letters, digits and . _ : - may appear`);
  return `'${value}'`;
}

/** The visibility query for a filter; the state is filtered here too, but also checked on each run (see stateOf). */
export function visibilityQuery(filter: Pick<RunFilter, 'provider' | 'album' | 'kind'> & { workflowIdPrefix?: string } = {}): string {
  const types = Object.entries(RUN_KINDS)
    .filter(([, kind]) => !filter.kind || kind === filter.kind)
    .map(([type]) => `'${type}'`);
  const clauses = [`WorkflowType IN (${types.join(', ')})`];
  if (filter.provider) clauses.push(`${MusicProvider.name} = ${literal(filter.provider, 'provider')}`);
  if (filter.album) clauses.push(`${MusicAlbum.name} = ${literal(filter.album, 'album')}`);
  if (filter.workflowIdPrefix) clauses.push(`WorkflowId STARTS_WITH ${literal(filter.workflowIdPrefix, 'run id')}`);
  return clauses.join(' AND ');
}

/**
 * A run's state from what visibility knows: Temporal's execution status says whether it is open and
 * how it closed; our MusicState says more (partial, waiting for a person). A run that crashed keeps
 * the MusicState it had, so a closed execution's status wins over a MusicState of `running`.
 */
export function stateOf(status: string, musicState: string | undefined): RunState {
  if (status === 'RUNNING') return musicState === 'awaiting-choice' || musicState === 'needs-attention' ? musicState : 'running';
  if (status === 'COMPLETED') return musicState === 'partial' || musicState === 'failed' ? musicState : 'succeeded';
  return STATUS_STATES[status] ?? 'failed';
}

function summaryOf(info: Omit<WorkflowExecutionInfo, 'raw'>): RunSummary {
  const attrs = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    kind: RUN_KINDS[info.type as keyof typeof RUN_KINDS],
    state: stateOf(info.status.name, attrs.get(MusicState)),
    provider: attrs.get(MusicProvider),
    album: attrs.get(MusicAlbum),
    step: attrs.get(MusicStep),
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
    parentWorkflowId: info.parentExecution?.workflowId ?? undefined,
  };
}

/**
 * Runs matching the filter, newest first, one per workflow id: a rerun (same id) replaces the run
 * before it, and a batch's earlier runs (continued as new) are not runs of their own.
 */
export async function listRuns(client: Client, filter: RunFilter = {}): Promise<RunSummary[]> {
  const seen = new Set<string>();
  const runs: RunSummary[] = [];
  const children = filter.children || filter.album !== undefined;
  for await (const info of client.workflow.list({ query: visibilityQuery(filter), pageSize: 500 })) {
    if (info.status.name === 'CONTINUED_AS_NEW') continue;
    const run = summaryOf(info);
    // The newest execution of an id decides; visibility lists newest first, but not always exactly.
    if (seen.has(run.workflowId)) {
      const i = runs.findIndex((r) => r.workflowId === run.workflowId);
      if (i >= 0 && runs[i]!.startedAt < run.startedAt) runs[i] = run;
      continue;
    }
    seen.add(run.workflowId);
    if (run.parentWorkflowId && !children) continue;
    runs.push(run);
  }
  await settleBatchStates(client, runs);
  runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const matching = filter.state ? runs.filter((r) => r.state === filter.state) : runs;
  return filter.limit === undefined ? matching : matching.slice(0, filter.limit);
}

/** A batch sets no MusicState; a finished one is partial when any of its albums was not a success. */
async function settleBatchStates(client: Client, runs: RunSummary[]): Promise<void> {
  for (const run of runs) {
    if (run.kind !== 'batch' || run.state !== 'succeeded') continue;
    const done = await client.workflow.getHandle(run.workflowId, run.runId).result().catch(() => undefined) as BatchAlbumSummary[] | undefined;
    if (done?.some((d) => d.status !== 'succeeded')) run.state = 'partial';
  }
}

// ---------------------------------------------------------------------------------------------------
// One run in detail

export interface StepLine {
  step: string;
  state: string;
  error?: string;
  /** Files from an earlier run were intact: nothing was paid for this step. */
  reused?: boolean;
}

export interface TrackLine {
  number: number;
  title: string;
  state: string;
  workflowId: string;
  creditsSpent?: number;
  error?: string;
}

export interface AlbumLine {
  albumId: string;
  workflowId: string;
  state: string;
  creditsSpent?: number;
  error?: string;
}

export interface RunDetail extends RunSummary {
  /** The song's title, the pipeline's name, the album's title. */
  title?: string;
  /** Where the run writes its files (a batch writes into each album's folder: `outDirs`). */
  outDir?: string;
  outDirs?: string[];
  /** `spent`: by this run; `total`: over every run in its folder (its record's running total); `estimated`: an album's plan. */
  credits?: { spent?: number; total?: number; estimated?: number };
  /** Each failed step, track or album, and the run's own failure. */
  failures: { what: string; error: string }[];
  steps?: StepLine[];
  tracks?: TrackLine[];
  albums?: AlbumLine[];
  /** Steps waiting for an operator (`music resolve`). */
  needsAttention?: AttentionItem[];
  /** The clips a person may choose from (`music choose-clip`). */
  candidates?: { id: string; title?: string; durationSeconds?: number }[];
  /** The record in the output folder, and the files it lists. */
  record?: { file: string; files: { file: string; kind: string; bytes?: number }[]; creditsTotal?: number };
  /** Why live progress is missing, when a running run did not answer (no worker, say). */
  progressUnavailable?: string;
}

/** How long a running run has to answer its progress query: with no worker polling, nobody will. */
const QUERY_WAIT_MS = 5_000;
/** A failed run's steps are a bonus: wait less for them. */
const CLOSED_QUERY_WAIT_MS = 3_000;

/** The first argument the run was started with (its input), from the first event of its history. */
async function inputOf(client: Client, workflowId: string, runId: string): Promise<unknown> {
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const payload = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

/**
 * What `show <run>` names, as a workflow id: the id itself, the output folder of a run (its
 * track.json, pipeline.json or album.json names the run), or the unique beginning of an id.
 */
export async function resolveRunId(client: Client, given: string): Promise<string> {
  const fromFolder = await workflowIdInFolder(given);
  if (fromFolder) return fromFolder;
  try {
    await client.workflow.getHandle(given).describe();
    return given;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const matches = new Set<string>();
  const topLevel = new Set<string>();
  for await (const info of client.workflow.list({ query: visibilityQuery({ workflowIdPrefix: given }), pageSize: 100 })) {
    matches.add(info.workflowId);
    if (!info.parentExecution) topLevel.add(info.workflowId);
    if (matches.size > 10) break;
  }
  if (matches.size === 1) return [...matches][0]!;
  // `album-night` names the album, not also each of its tracks.
  if (topLevel.size === 1 && matches.size <= 10) return [...topLevel][0]!;
  if (matches.size === 0) throw new RunNotFoundError(`no run ${given}: not a workflow id, the beginning of one, or a run's output folder (see music list)`);
  throw new RunNotFoundError(`${given} names several runs: ${[...matches].slice(0, 10).join(', ')}${matches.size > 10 ? ', …' : ''}`);
}

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
}

const RECORD_FILES = ['track.json', 'pipeline.json', 'album.json'] as const;

async function workflowIdInFolder(given: string): Promise<string | undefined> {
  if (!existsSync(given)) return undefined;
  const dir = (await stat(given)).isDirectory() ? given : path.dirname(given);
  for (const name of RECORD_FILES) {
    const record = await readJson(path.join(dir, name));
    if (record && typeof record.workflowId === 'string') return record.workflowId;
  }
  throw new RunNotFoundError(`${given}: no ${RECORD_FILES.join(', ')} naming a run in this folder`);
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The record file in a run's folder, tolerant of fields it does not know and of older files. */
async function recordIn(dir: string | undefined): Promise<RunDetail['record']> {
  if (!dir) return undefined;
  for (const name of RECORD_FILES) {
    const record = await readJson(path.join(dir, name));
    if (!record) continue;
    const files = Array.isArray(record.files) ? (record.files as { file?: unknown; kind?: unknown; bytes?: unknown }[]) : [];
    // album.json and a single's track.json keep credits over every run in the folder.
    const total = (record.credits as { spent?: unknown } | undefined)?.spent;
    return {
      file: path.join(dir, name),
      ...(typeof total === 'number' ? { creditsTotal: total } : {}),
      files: files
        .filter((f) => typeof f.file === 'string')
        .map((f) => ({ file: String(f.file), kind: String(f.kind ?? ''), bytes: typeof f.bytes === 'number' ? f.bytes : undefined })),
    };
  }
  return undefined;
}

/** A number the result may carry under `creditsSpent` (albums, batches; songs and pipelines once they count credits). */
function creditsIn(value: unknown): number | undefined {
  const n = (value as { creditsSpent?: unknown } | undefined)?.creditsSpent;
  return typeof n === 'number' ? n : undefined;
}

/** Everything `show` tells about one run (the newest run of the id). */
export async function describeRun(client: Client, workflowId: string): Promise<RunDetail> {
  const handle = client.workflow.getHandle(workflowId);
  const info = await handle.describe();
  if (!(info.type in RUN_KINDS)) throw new RunNotFoundError(`${workflowId} is a ${info.type} workflow, not a song, pipeline, album or batch run`);
  const detail: RunDetail = { ...summaryOf(info), failures: [] };
  const input = await inputOf(client, workflowId, info.runId).catch(() => undefined);
  describeInput(detail, input);

  if (info.status.name === 'RUNNING') {
    try {
      const progress = await client.connection.withDeadline(Date.now() + QUERY_WAIT_MS, () => handle.query<unknown>('progress'));
      describeProgress(detail, progress);
    } catch (err) {
      detail.progressUnavailable = `the run did not answer its progress query (${(err as Error).message}); is a worker running? (music start)`;
    }
  } else if (info.status.name === 'COMPLETED') {
    describeResult(detail, await handle.result());
  } else {
    try {
      await handle.result();
    } catch (err) {
      detail.failures.push({ what: 'run', error: err instanceof WorkflowFailedError ? innermostMessage(err) : (err as Error).message });
    }
    // A closed run still answers queries (a worker replays it): its steps or tracks as they ended.
    const progress = await client.connection.withDeadline(Date.now() + CLOSED_QUERY_WAIT_MS, () => handle.query<unknown>('progress')).catch(() => undefined);
    if (progress) describeProgress(detail, progress, { failuresKnown: true });
  }
  if (detail.kind === 'batch') settleBatchDetail(detail);
  detail.record = await recordIn(detail.outDir);
  if (detail.record?.creditsTotal !== undefined) detail.credits = { ...detail.credits, total: detail.record.creditsTotal };
  return detail;
}

function describeInput(detail: RunDetail, input: unknown): void {
  if (!input) return;
  switch (detail.kind) {
    case 'song': {
      const song = input as SongPipelineInput;
      detail.outDir = song.outDir;
      detail.title = song.request?.title;
      break;
    }
    case 'pipeline': {
      const run = input as PipelineRunInput;
      detail.outDir = run.outDir;
      detail.title = run.plan?.name;
      detail.provider ??= run.plan?.provider;
      break;
    }
    case 'album': {
      const album = input as AlbumPipelineInput;
      detail.outDir = album.outDir;
      detail.title = album.title;
      detail.provider ??= album.provider;
      if (album.credits?.estimated !== undefined) detail.credits = { estimated: album.credits.estimated };
      break;
    }
    case 'batch': {
      const batch = input as BatchPipelineInput;
      detail.outDirs = (batch.albums ?? []).map((a) => a.outDir);
      detail.albums = [
        ...(batch.done ?? []).map(albumLine),
        ...(batch.albums ?? []).map((a) => ({ albumId: a.albumId, workflowId: albumWorkflowId(a.albumId), state: 'waiting' })),
      ];
      break;
    }
  }
}

function albumLine(d: BatchAlbumSummary): AlbumLine {
  return { albumId: d.albumId, workflowId: d.workflowId, state: d.status, creditsSpent: d.creditsSpent, error: d.error };
}

function stepLines(steps: PipelineProgress['steps'] | undefined): StepLine[] | undefined {
  return steps?.map((s) => ({ step: s.stepId, state: s.state, error: s.error, reused: s.reused }));
}

/** `failuresKnown`: the run's own failure is already told, and names the step or track that failed. */
function describeProgress(detail: RunDetail, progress: unknown, options: { failuresKnown?: boolean } = {}): void {
  const fail = (what: string, error: string) => {
    if (!options.failuresKnown || !detail.failures.some((f) => f.error === error)) detail.failures.push({ what, error });
  };
  switch (detail.kind) {
    case 'song':
    case 'pipeline': {
      const p = progress as PipelineProgress;
      detail.steps = stepLines(p.steps);
      if (p.needsAttention?.length) detail.needsAttention = p.needsAttention;
      if (p.state === 'awaiting-choice' && p.candidates) detail.candidates = p.candidates.map((c) => ({ id: c.id, title: c.title, durationSeconds: c.durationSeconds }));
      for (const s of p.steps ?? []) if (s.error && s.state === 'failed') fail(`step ${s.stepId}`, s.error);
      break;
    }
    case 'album': {
      const p = progress as AlbumProgress;
      detail.tracks = p.tracks?.map((t) => ({ number: t.number, title: t.title, state: t.state, workflowId: t.workflowId, error: t.error }));
      if (p.needsAttention?.length) detail.needsAttention = p.needsAttention;
      for (const t of p.tracks ?? []) if (t.error) fail(`track ${t.number}`, t.error);
      break;
    }
    case 'batch': {
      const p = progress as BatchProgress;
      detail.albums = [
        ...p.done.map(albumLine),
        ...p.running.map((albumId) => ({ albumId, workflowId: albumWorkflowId(albumId), state: 'running' })),
        ...p.waiting.map((albumId) => ({ albumId, workflowId: albumWorkflowId(albumId), state: 'waiting' })),
      ];
      break;
    }
  }
}

function describeResult(detail: RunDetail, result: unknown): void {
  switch (detail.kind) {
    case 'song':
    case 'pipeline': {
      const r = result as SongPipelineResult | PipelineRunResult;
      detail.outDir = r.outDir ?? detail.outDir;
      detail.title = ('title' in r ? r.title : r.name) ?? detail.title;
      detail.steps = stepLines(r.steps);
      for (const f of r.failedSteps ?? []) detail.failures.push({ what: `step ${f.step}`, error: f.error });
      // A single's result carries what it paid this run (and the folder's total) under `credits`.
      const spent = creditsIn(r) ?? ('credits' in r ? r.credits?.spentThisRun : undefined);
      if (spent !== undefined) detail.credits = { ...detail.credits, spent };
      break;
    }
    case 'album': {
      const r = result as AlbumPipelineResult;
      detail.tracks = r.tracks.map((t) => ({ number: t.number, title: t.title, state: t.state, workflowId: t.workflowId, creditsSpent: t.creditsSpent, error: t.error }));
      detail.credits = { ...detail.credits, spent: r.creditsSpent };
      for (const t of r.tracks) if (t.error) detail.failures.push({ what: `track ${t.number}`, error: t.error });
      break;
    }
    case 'batch': {
      detail.albums = (result as BatchAlbumSummary[]).map(albumLine);
      break;
    }
  }
}

/** A batch's credits are its albums' together; its state is partial when any album was not a success. */
function settleBatchDetail(detail: RunDetail): void {
  const albums = detail.albums ?? [];
  const spent = albums.reduce((n, a) => n + (a.creditsSpent ?? 0), 0);
  if (albums.some((a) => a.creditsSpent !== undefined)) detail.credits = { spent };
  for (const a of albums) if (a.error) detail.failures.push({ what: `album ${a.albumId}`, error: a.error });
  if (detail.state === 'succeeded' && albums.some((a) => a.state !== 'succeeded')) detail.state = 'partial';
}
