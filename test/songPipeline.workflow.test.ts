// Workflow behaviour on the time-skipping test server: the poll schedule, callback hints that end the
// wait, deadlines, and hints that must be ignored. Activities are the real ones, talking over loopback
// HTTP to a provider whose tasks finish when the test says so.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { activityInfo } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities';
import { GROWTH, JITTER, pollTiming } from '../activities/pollSchedule';
import type { QueryInput } from '../activities/types';
import { progressQuery, providerEventSignal } from '../workflows/definitions';
import type { SongPipelineInput, SongPipelineResult } from '../workflows/songPipeline';
import { WORKFLOWS_PATH } from '../workers/worker';
import { createTimeSkippingEnv } from './helpers/temporalEnv';
import { CLIP_SECONDS, startScriptedProvider, type ScriptedProvider } from './helpers/scriptedProvider';

const TASK_QUEUE = 'workflow-tests';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let provider: ScriptedProvider;
let outRoot: string;

beforeAll(async () => {
  [env, bundle, provider] = await Promise.all([createTimeSkippingEnv(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH }), startScriptedProvider()]);
  outRoot = await mkdtemp(path.join(tmpdir(), 'song-wf-'));
});

afterAll(async () => {
  await provider?.close();
  await env?.teardown();
  if (outRoot) await rm(outRoot, { recursive: true, force: true });
});

interface PollRecord {
  attempt: number;
  /** The test server's (skipped) clock when the attempt ran. */
  ranAtMs: number;
}

/** A worker with the real activities; poll attempts are recorded with the server's (skipped) clock. */
async function withWorker<T>(fn: (polls: PollRecord[]) => Promise<T>): Promise<T> {
  const real = createActivities({
    endpointFor: () => ({ baseUrl: provider.url, apiKey: provider.apiKey }),
    callbacks: { publicUrl: 'http://127.0.0.1:9', secret: 'test-secret-test-secret' },
    httpTimeoutMs: 5_000,
    downloadTimeoutMs: 5_000,
    maxDownloadBytes: 10_000_000,
    pollScale: 1,
    batchWindowMs: 10,
  });
  const polls: PollRecord[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities: {
      ...real,
      async awaitProviderTask(input: QueryInput) {
        // (The test server stamps an attempt's "scheduled" time when the retry is decided, not when
        // it is due, so the clock is read here instead.)
        polls.push({ attempt: activityInfo().attempt, ranAtMs: await env.currentTimeMs() });
        return real.awaitProviderTask(input);
      },
    },
  });
  return worker.runUntil(fn(polls));
}

let runs = 0;
function input(overrides: Partial<SongPipelineInput> = {}): SongPipelineInput {
  runs++;
  return {
    provider: 'anyint',
    request: { prompt: `test song ${runs}`, instrumental: true, style: 'test' },
    steps: ['song'],
    outDir: path.join(outRoot, `run-${runs}`),
    callbacks: false,
    ...overrides,
  };
}

async function start(args: SongPipelineInput) {
  return env.client.workflow.start('songPipeline', { taskQueue: TASK_QUEUE, workflowId: `wf-test-${runs}`, args: [args] });
}

describe('songPipeline on the time-skipping server', () => {
  it('polls on the documented schedule until the task finishes, then stores verified files', async () => {
    await withWorker(async (polls) => {
      const before = provider.tasks.length;
      const handle = await start(input());
      const [task] = (await provider.waitForSubmits(before + 1)).slice(before);
      // Finish the task once the fifth poll has seen it unfinished.
      const finisher = setInterval(() => {
        if (task!.queries >= 5) provider.setStatus(task!.taskId, 'SUCCESS');
      }, 20);
      const result: SongPipelineResult = await handle.result().finally(() => clearInterval(finisher));

      const gaps = polls.slice(1).map((p, i) => ({ attempt: polls[i]!.attempt, gapMs: p.ranAtMs - polls[i]!.ranAtMs }));
      expect(gaps.length).toBeGreaterThanOrEqual(4);
      const { firstMs, maxMs } = pollTiming('song', false);
      for (const { attempt, gapMs } of gaps) {
        const nominal = Math.min(maxMs, firstMs * GROWTH ** (attempt - 1));
        expect(gapMs).toBeGreaterThanOrEqual(nominal * (1 - JITTER) - 50);
        expect(gapMs).toBeLessThanOrEqual(nominal * (1 + JITTER) + 1_000);
      }

      const audio = result.artifacts.find((a) => a.kind === 'audio')!;
      expect(path.basename(audio.path)).toBe('song.mp3');
      expect(audio.durationSeconds).toBeCloseTo(CLIP_SECONDS, 0);
      const manifest = JSON.parse(await readFile(path.join(result.outDir, 'track.json'), 'utf8'));
      expect(manifest.steps.song.taskId).toBe(task!.taskId);
      expect(manifest.files.map((f: { file: string }) => f.file).sort()).toEqual(['cover.png', 'song.mp3']);
    });
  });

  it('a callback hint ends the wait at once, without waiting for the next poll', async () => {
    await withWorker(async (polls) => {
      const before = provider.tasks.length;
      const handle = await start(input({ callbacks: true }));
      const [task] = (await provider.waitForSubmits(before + 1)).slice(before);
      // The first poll sees the task unfinished; the next one is half a minute away.
      await expect.poll(() => task!.queries, { timeout: 10_000 }).toBe(1);
      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      await handle.result();
      const song = (await handle.query(progressQuery)).steps.find((s) => s.stepId === 'song')!;
      // Workflow time from submit to success; the sparse fallback poll would have waited this long.
      expect(song.finishedAt! - song.startedAt!).toBeLessThan(pollTiming('song', true).firstMs * (1 - JITTER));
      expect(polls.length).toBe(1);
    });
  });

  it('fails the step with a clear error at its deadline', async () => {
    await withWorker(async () => {
      const handle = await start(input({ deadlines: { song: 60_000 } }));
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
      expect(cause.type).toBe('StepDeadlineExceeded');
      expect(cause.message).toMatch(/step song: anyint task task\d+ did not finish within 1 min/);
      const progress = await handle.query(progressQuery);
      expect(progress.state).toBe('failed');
    });
  });

  it('ignores a hint that names another task id', async () => {
    await withWorker(async () => {
      const before = provider.tasks.length;
      const handle = await start(input({ callbacks: true }));
      const [task] = (await provider.waitForSubmits(before + 1)).slice(before);
      // The first poll runs right after the submit; the next one is far away (callbacks are on).
      await expect.poll(() => task!.queries, { timeout: 10_000 }).toBe(1);
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: 'someone-elses-task', stage: 'complete' });
      await expect.poll(async () => (await handle.query(progressQuery)).hints, { timeout: 10_000 }).toEqual({ received: 1, ignored: 1 });
      // A hint that was acted on would have made the workflow query the provider.
      expect(task!.queries).toBe(1);

      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
    });
  });

  it('shows an intermediate callback stage without querying, and queries on the finishing hint', async () => {
    await withWorker(async () => {
      const before = provider.tasks.length;
      const handle = await start(input({ callbacks: true }));
      const [task] = (await provider.waitForSubmits(before + 1)).slice(before);
      await expect.poll(() => task!.queries, { timeout: 10_000 }).toBe(1);
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'first' });
      await expect
        .poll(async () => (await handle.query(progressQuery)).steps.find((s) => s.stepId === 'song')?.providerStatus, { timeout: 10_000 })
        .toBe('callback: first');
      expect(task!.queries).toBe(1);

      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      await handle.result();
      expect(task!.queries).toBe(2);
    });
  });
});
