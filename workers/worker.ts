// The worker: hosts the pipeline workflows and every activity on one task queue.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { MusicMetrics } from '../metrics/musicMetrics';
import { storedBytesInterceptor } from './storedBytesInterceptor';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface MusicWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build one per suite); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Where the activities count (steps, errors, paid submits, bytes stored); the same object as deps.metrics. */
  metrics?: MusicMetrics;
}

export async function createMusicWorker(options: MusicWorkerOptions): Promise<Worker> {
  // A store that cannot be used is found now, not after a provider was paid for a file.
  await options.deps.store?.checkAccess();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.metrics ? { ...options.deps, metrics: options.metrics } : options.deps),
    ...(options.metrics ? { interceptors: { activity: [storedBytesInterceptor(options.metrics)] } } : {}),
    // Most activities wait on a provider or the network, not the CPU: at a thousand songs in flight,
    // twenty at once made submits and polls queue behind downloads (the SDK default is 100).
    maxConcurrentActivityTaskExecutions: 100,
    // The submit activity journals "sending" then "accepted <task id>" in heartbeats; sending them
    // promptly keeps the window in which a killed worker leaves an unknown outcome short.
    maxHeartbeatThrottleInterval: '1 second',
    // A run's next workflow task goes to the worker that has it cached; when that worker was killed the
    // task waits this long before any worker may take it. The SDK's 10 s cost each run 10 s per
    // worker lost (chaos runs: a third of the time under ten kills). A live worker takes its tasks in
    // milliseconds, so this is only reached when it is gone or saturated, and a saturated worker
    // then shares its runs with the other workers instead of queueing them behind itself. At 500
    // songs in flight 3 s let 42 tasks time out, 2 s 152 and 1 s 286, with no cost to the wall time
    // at 2 s (1.39× the critical path, 1.38× at 3 s, 1.43× at 1 s; README, "Faults and chaos").
    stickyQueueScheduleToStartTimeout: STICKY_TIMEOUT,
  });
}

/** How long a cached run's workflow task waits for its worker before any worker may take it. */
export const STICKY_TIMEOUT = '2 seconds';

/** Poll cadence for providers the simulator plays: its tasks finish in seconds, not minutes. */
export const SIMULATED_POLL_SCALE = 0.2;

/** Production defaults for activity dependencies that do not come from configuration. */
export const DEFAULT_ACTIVITY_TUNING = {
  httpTimeoutMs: 30_000,
  downloadTimeoutMs: 120_000,
  maxDownloadBytes: 500 * 1024 * 1024,
  batchWindowMs: 150,
} as const;
