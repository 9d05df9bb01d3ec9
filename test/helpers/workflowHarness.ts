// The setup every songPipeline workflow test shares: a time-skipping test server, one workflow
// bundle per suite, the scripted provider, and a worker with the real activities (poll attempts
// recorded with the test server's clock).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { activityInfo } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type MusicActivities } from '../../activities';
import type { PollInput } from '../../contracts/providerTasks';
import type { SongPipelineInput } from '../../contracts/songPipeline';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { startScriptedProvider, type ScriptedProvider } from './scriptedProvider';
import { createTimeSkippingEnv } from './temporalEnv';

const TASK_QUEUE = 'workflow-tests';

export interface PollRecord {
  attempt: number;
  /** The test server's (skipped) clock when the attempt ran. */
  ranAtMs: number;
  /** A finishing webhook started this poll, rather than its first-look timer or the submit. */
  confirmsHint: boolean;
}

export interface WorkflowHarness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  /** When set, workers started from now on limit running provider tasks to this many (provider semaphore). */
  slotLimit?: number;
  /** A fresh folder under the harness's scratch space. */
  folder(name: string): string;
  provider: ScriptedProvider;
  /** Runs `fn` while a worker with the real activities (some replaced by `override`) serves the task queue. */
  withWorker<T>(fn: (polls: PollRecord[]) => Promise<T>, override?: (real: MusicActivities) => Partial<MusicActivities>, options?: WorkerTuning): Promise<T>;
  /** The same worker, not yet running, for a test that starts and stops it itself. */
  createWorker(override?: (real: MusicActivities) => Partial<MusicActivities>, options?: WorkerTuning): Promise<Worker>;
  /** The suite's workflow bundle, for replaying histories. */
  bundle: WorkflowBundleWithSourceMap;
  /** A fresh input (own output folder) with the given overrides. */
  input(overrides?: Partial<SongPipelineInput>): SongPipelineInput;
  start(args: SongPipelineInput, workflowId?: string): ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>;
  teardown(): Promise<void>;
}

/**
 * `maxCachedWorkflows: 0` for a worker a test stops mid-run: a cached (sticky) run would be tied to
 * the stopped worker, and the time-skipping server never hands its tasks on to the next worker.
 */
export type WorkerTuning = Pick<WorkerOptions, 'maxCachedWorkflows'>;

export async function createWorkflowHarness(): Promise<WorkflowHarness> {
  const [env, bundle, provider] = await Promise.all([createTimeSkippingEnv(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH }), startScriptedProvider()]);
  const outRoot = await mkdtemp(path.join(tmpdir(), 'song-wf-'));
  let runs = 0;

  async function withWorker<T>(fn: (polls: PollRecord[]) => Promise<T>, override?: (real: MusicActivities) => Partial<MusicActivities>, options: WorkerTuning = {}): Promise<T> {
    const polls: PollRecord[] = [];
    const worker = await createWorker(override, options, polls);
    return worker.runUntil(fn(polls));
  }

  async function createWorker(override?: (real: MusicActivities) => Partial<MusicActivities>, options: WorkerTuning = {}, polls: PollRecord[] = []): Promise<Worker> {
    const real = createActivities({
      endpointFor: () => ({ baseUrl: provider.url, apiKey: provider.apiKey }),
      callbacks: { publicUrl: 'http://127.0.0.1:9', secret: 'test-secret-test-secret' },
      httpTimeoutMs: 5_000,
      downloadTimeoutMs: 5_000,
      maxDownloadBytes: 10_000_000,
      pollScaleFor: () => 1,
      batchWindowMs: 10,
      slots: harness.slotLimit === undefined ? undefined : { client: env.client, taskQueue: TASK_QUEUE, limitFor: () => harness.slotLimit },
    });
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: bundle as WorkflowBundleWithSourceMap,
      ...options,
      activities: {
        ...real,
        async awaitProviderTask(input: PollInput) {
          // (The test server stamps an attempt's "scheduled" time when the retry is decided, not
          // when it is due, so the clock is read here instead.)
          polls.push({ attempt: activityInfo().attempt, ranAtMs: await env.currentTimeMs(), confirmsHint: input.confirmsHint === true });
          return real.awaitProviderTask(input);
        },
        ...override?.(real),
      },
    });
  }

  const harness: WorkflowHarness = {
    env,
    taskQueue: TASK_QUEUE,
    folder: (name) => path.join(outRoot, name),
    provider,
    bundle: bundle as WorkflowBundleWithSourceMap,
    withWorker,
    createWorker,
    input(overrides = {}) {
      runs++;
      return {
        provider: 'anyint',
        request: { prompt: `test song ${runs}`, instrumental: true, style: 'test' },
        steps: ['song'],
        outDir: path.join(outRoot, `run-${runs}`),
        callbacks: false,
        ...overrides,
      };
    },
    start(args, workflowId) {
      return env.client.workflow.start('songPipeline', { taskQueue: TASK_QUEUE, workflowId: workflowId ?? `wf-test-${runs}`, args: [args] });
    },
    async teardown() {
      await provider.close();
      await env.teardown();
      await rm(outRoot, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Marks each pending task of the scripted provider finished as it appears (every 20 ms); call the result to stop. */
export function finishTasksAsTheyCome(provider: ScriptedProvider): () => void {
  const timer = setInterval(() => {
    for (const t of provider.tasks) if (t.status === 'PENDING') provider.setStatus(t.taskId, 'SUCCESS');
  }, 20);
  return () => clearInterval(timer);
}
